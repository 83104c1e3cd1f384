// Package randomstate reproduces the parts of NumPy's legacy
// numpy.random.RandomState that Keras's data loaders and scikit-learn's
// splitters use, so that gokeras picks the same rows as Python for the
// same seed.
package randomstate

// RandomState reproduces the parts of NumPy's legacy
// numpy.random.RandomState that Keras's loaders use: seeding with an integer
// and shuffle of a one-dimensional array. The generator is MT19937 seeded by
// init_genrand; shuffle is a Fisher-Yates pass from the last element down,
// drawing each index in [0, i] with NumPy's legacy masked rejection sampler.
type RandomState struct {
	mt  [624]uint32
	pos int
}

// New returns a generator seeded like RandomState(seed): MT19937's
// init_genrand.
func New(seed uint32) *RandomState {
	s := &RandomState{}
	s.mt[0] = seed
	for i := 1; i < 624; i++ {
		s.mt[i] = 1812433253*(s.mt[i-1]^(s.mt[i-1]>>30)) + uint32(i)
	}
	s.pos = 624
	return s
}

// Uint32 returns the next 32-bit output of MT19937.
func (s *RandomState) Uint32() uint32 {
	const (
		n         = 624
		m         = 397
		upperMask = 0x80000000
		lowerMask = 0x7fffffff
		matrixA   = 0x9908b0df
	)
	if s.pos >= n {
		for i := 0; i < n; i++ {
			y := s.mt[i]&upperMask | s.mt[(i+1)%n]&lowerMask
			v := s.mt[(i+m)%n] ^ y>>1
			if y&1 != 0 {
				v ^= matrixA
			}
			s.mt[i] = v
		}
		s.pos = 0
	}
	y := s.mt[s.pos]
	s.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// Interval returns a uniform integer in [0, max] the way NumPy's legacy
// random_interval does: mask to the smallest all-ones value >= max and
// reject draws above max.
func (s *RandomState) Interval(max uint64) uint64 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	mask |= mask >> 32
	if max <= 0xffffffff {
		for {
			if v := uint64(s.Uint32()) & mask; v <= max {
				return v
			}
		}
	}
	for {
		hi := uint64(s.Uint32())
		v := (hi<<32 | uint64(s.Uint32())) & mask
		if v <= max {
			return v
		}
	}
}

// Permutation returns 0..n-1 shuffled in place as RandomState.shuffle
// shuffles np.arange(n).
func (s *RandomState) Permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(s.Interval(uint64(i)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}
