package optimizers

// SetPortable forces the portable float32 kernels (on) or restores CPU
// feature detection (off), for tests and benchmarks; it reports whether
// an assembly kernel exists on this platform.
func SetPortable(on bool) (hasAsm bool) { return setPortable(on) }
