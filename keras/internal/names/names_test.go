package names

import (
	"reflect"
	"testing"
)

func TestSortedAndUnknown(t *testing.T) {
	got := Sorted(Keys(map[string]int{"relu": 1, "tanh": 2}), []string{"silu", "relu"})
	if want := []string{"relu", "silu", "tanh"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sorted = %v, want %v", got, want)
	}
	err := Unknown("activations", "activation", "rleu", got)
	if want := `activations: unknown activation "rleu" (known: relu, silu, tanh)`; err == nil || err.Error() != want {
		t.Errorf("Unknown = %v, want %s", err, want)
	}
}
