package backend

import (
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// tapeRunAll is Gorgonia's (*tapeMachine).runall, the loop that executes a
// compiled program. RunAll runs it on a new goroutine while the caller
// locks its OS thread and waits on channels (a design for CUDA, which
// needs one thread); on the CPU that costs two cross-thread wake-ups per
// run, about 100 us, more than a whole small training step. Calling the
// loop directly with buffered channels runs the program on the calling
// goroutine. It is pinned to gorgonia v0.9.18 (go.mod); TestRunSync checks
// it against RunAll.
//
//go:linkname tapeRunAll gorgonia.org/gorgonia.(*tapeMachine).runall
func tapeRunAll(m unsafe.Pointer, errChan chan error, doneChan chan struct{})

// runSync runs vm's program once on the calling goroutine. vm must be a
// tape machine freshly Reset.
func runSync(vm G.VM, errCh chan error, done chan struct{}) error {
	type iface struct {
		tab  unsafe.Pointer
		data unsafe.Pointer
	}
	tapeRunAll((*iface)(unsafe.Pointer(&vm)).data, errCh, done)
	select {
	case err := <-errCh:
		return err
	case <-done:
		return nil
	}
}
