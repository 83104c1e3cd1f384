package initializers_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/keras/initializers"
)

func TestGlorotUniformDistribution(t *testing.T) {
	shape := []int{300, 200}
	v := initializers.GlorotUniform().Init(rand.New(rand.NewSource(1)), shape)
	limit := math.Sqrt(6.0 / 500)
	var sum, sq float64
	for _, x := range v {
		if x < -limit || x >= limit {
			t.Fatalf("value %v outside [-%v, %v)", x, limit, limit)
		}
		sum += x
		sq += x * x
	}
	n := float64(len(v))
	mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
	// U(-l, l): mean 0, variance l^2/3 = 2/(fan_in+fan_out) = 0.004.
	if math.Abs(mean) > 3*math.Sqrt(0.004/n) {
		t.Errorf("mean %v is not 0", mean)
	}
	if math.Abs(variance-0.004) > 0.0001 {
		t.Errorf("variance %v, want 0.004", variance)
	}
	w := initializers.GlorotUniform().Init(rand.New(rand.NewSource(1)), shape)
	for i := range v {
		if v[i] != w[i] {
			t.Fatal("same seed gave different values")
		}
	}
}

func TestFansAndZeros(t *testing.T) {
	cases := []struct {
		shape   []int
		in, out float64
	}{
		{[]int{13, 64}, 13, 64},
		{[]int{64}, 64, 64},
		{[]int{3, 3, 1, 32}, 9, 288},
	}
	for _, c := range cases {
		if in, out := initializers.Fans(c.shape); in != c.in || out != c.out {
			t.Errorf("Fans(%v) = %v, %v", c.shape, in, out)
		}
	}
	for _, x := range initializers.Zeros().Init(nil, []int{4, 5}) {
		if x != 0 {
			t.Fatal("zeros gave", x)
		}
	}
	if _, err := initializers.Get("glorot"); err == nil {
		t.Error(`Get("glorot") should fail`)
	}
}

func ExampleGlorotUniform() {
	v := initializers.GlorotUniform().Init(rand.New(rand.NewSource(1)), []int{2, 3})
	fmt.Println(len(v), math.Abs(v[0]) <= math.Sqrt(6.0/5))
	// Output: 6 true
}
