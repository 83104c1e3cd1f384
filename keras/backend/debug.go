package backend

import (
	"fmt"
	"reflect"
)

// Debug returns the compiled program's instructions, for debugging and for
// tests that check what the engine compiles.
func (p *Program) Debug() string {
	m := reflect.ValueOf(p.vm).MethodByName("Prog")
	if !m.IsValid() {
		return fmt.Sprintf("%T", p.vm)
	}
	return fmt.Sprint(m.Call(nil)[0].Interface())
}
