package hugepages

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func TestAligned(t *testing.T) {
	const P = pageBytes
	for _, c := range []struct{ p, size, lo, hi uintptr }{
		{0, 3 * P, 0, 3 * P},
		{P - 8, 3 * P, 8, 2*P + 8},
		{P + 1, 2 * P, P - 1, P - 1 + P},
		{P + 1, P, 0, 0}, // no whole page inside
		{8, P - 8, 0, 0},
	} {
		lo, hi := aligned(c.p, c.size)
		if lo != c.lo || hi != c.hi {
			t.Errorf("aligned(%#x, %#x) = [%#x, %#x), want [%#x, %#x)", c.p, c.size, lo, hi, c.lo, c.hi)
		}
		if hi > lo && ((c.p+lo)%P != 0 || (c.p+hi)%P != 0 || hi > c.size) {
			t.Errorf("aligned(%#x, %#x): [%#x, %#x) is not whole pages inside", c.p, c.size, lo, hi)
		}
	}
}

// TestMakeAdvisesLargeArrays: on Linux with transparent huge pages, the
// mapping of a large array from Make carries the kernel's hugepage flag
// (VmFlags "hg" in /proc/self/smaps), and the array is an ordinary zeroed
// slice of the asked length.
func TestMakeAdvisesLargeArrays(t *testing.T) {
	s := Make[float32](32 << 20 / 4)
	if len(s) != 32<<20/4 || cap(s) < len(s) {
		t.Fatalf("Make returned len %d cap %d", len(s), cap(s))
	}
	for i := 0; i < len(s); i += 4096 {
		if s[i] != 0 {
			t.Fatalf("s[%d] = %v, want 0", i, s[i])
		}
		s[i] = float32(i)
	}
	small := Make[byte](1000)
	if len(small) != 1000 {
		t.Fatalf("Make[byte](1000) has length %d", len(small))
	}
	if runtime.GOOS != "linux" {
		t.Skip("madvise(MADV_HUGEPAGE) is Linux's")
	}
	probe := make([]byte, 4*pageBytes)
	lo, hi := aligned(uintptr(unsafe.Pointer(&probe[0])), uintptr(len(probe)))
	if err := advise(probe[lo:hi]); err != nil {
		t.Skipf("this kernel refuses MADV_HUGEPAGE: %v", err)
	}
	p := uintptr(unsafe.Pointer(&s[0]))
	start, _ := aligned(p, uintptr(len(s))*4)
	flags, err := vmFlags(p + start)
	if err != nil {
		t.Skipf("reading /proc/self/smaps: %v", err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the mapping of a 32 MiB array from Make has VmFlags %q, want hg among them", flags)
	}
	runtime.KeepAlive(s)
}

// vmFlags returns the VmFlags line of the mapping holding address a.
func vmFlags(a uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= a && a < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmFlags:")), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x", a)
}
