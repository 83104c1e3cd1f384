// This program must not compile, and its marks are wrong on purpose:
// compilecheck's own test checks that Run reports every disagreement.
package main

func main() {
	var n int = "x" // ERROR "missing method"
	var s string = 1
	_, _ = n, s
	_ = 1 // ERROR "never reported"
}
