package keras_test

import (
	"testing"

	"github.com/gokeras/gokeras/internal/testenv"
)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }
