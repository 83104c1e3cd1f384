package backend

import (
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// tapeRunAll is Gorgonia's (*tapeMachine).runall, the loop that executes a
// compiled program. RunAll runs it on a new goroutine while the caller
// locks its OS thread and waits on channels (a design for CUDA, which
// needs one thread); on the CPU that costs two cross-thread wake-ups per
// run, about 100 us, more than a whole small training step. Calling the
// loop directly with buffered channels runs the program on the calling
// goroutine.
//
// It was verified against gorgonia v0.9.18 (pinned in go.mod):
// TestGorgoniaVersion fails when the build uses another version, and
// TestRunSync checks the loop against RunAll.
//
//go:linkname tapeRunAll gorgonia.org/gorgonia.(*tapeMachine).runall
func tapeRunAll(m unsafe.Pointer, errChan chan error, doneChan chan struct{})

// VerifiedGorgonia is the Gorgonia version whose tape machine the direct
// call into its run loop was checked against.
const VerifiedGorgonia = "v0.9.18"

// runProgram runs vm's program once: on the calling goroutine when vm is
// Gorgonia's tape machine, else through RunAll.
func runProgram(vm G.VM, errCh chan error, done chan struct{}) error {
	if !isTapeMachine(vm) {
		return vm.RunAll()
	}
	return runSync(vm, errCh, done)
}

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

// isTapeMachine reports whether vm is Gorgonia's *tapeMachine, the only
// type whose run loop runSync may call.
func isTapeMachine(vm G.VM) bool {
	t := reflect.TypeOf(vm)
	return t != nil && t.Kind() == reflect.Pointer && t.Elem().PkgPath() == "gorgonia.org/gorgonia" && t.Elem().Name() == "tapeMachine"
}
