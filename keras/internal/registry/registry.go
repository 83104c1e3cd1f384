// Package registry is the one name -> value table behind every gokeras
// registry of Keras names: layer classes, activations, losses, metrics,
// optimizers, initializers, regularizers and constraints. It is safe for
// concurrent use (a program may register a user-defined layer while
// another goroutine loads a model), resolves Keras's aliases, and reports
// an unknown name as a *kerrors.UnknownNameError carrying the sorted list
// of valid names and the Register call that would add it.
package registry

import (
	"sort"
	"sync"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Registry maps names (and aliases of names) to values of type T:
// constructors, factories or prototypes.
type Registry[T any] struct {
	pkg, kind string

	mu      sync.RWMutex
	entries map[string]T
	aliases map[string]string
}

// New returns an empty registry. pkg is the package that owns it
// ("activations"): errors start with it and the hint for an unknown name
// names pkg.Register. kind is what a name denotes ("activation").
func New[T any](pkg, kind string) *Registry[T] {
	return &Registry[T]{pkg: pkg, kind: kind, entries: map[string]T{}, aliases: map[string]string{}}
}

// Builtin adds one of gokeras's own names. It is for package init
// functions: a duplicate is a programming error and panics.
func (r *Registry[T]) Builtin(name string, v T) {
	if err := r.Register(name, v); err != nil {
		panic(err)
	}
}

// Alias makes alias another spelling of name ("mse" for
// "mean_squared_error"). For package init functions: it panics if alias is
// taken or name unknown.
func (r *Registry[T]) Alias(alias, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.entries[name]; !ok {
		panic("registry: alias " + alias + " of unknown " + r.kind + " " + name)
	}
	if r.takenLocked(alias) {
		panic("registry: alias " + alias + " is taken")
	}
	r.aliases[alias] = name
}

// Register adds name. It returns an error when name is empty or already a
// name or alias.
func (r *Registry[T]) Register(name string, v T) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		return errors.Errorf("%s: Register: empty %s name", r.pkg, r.kind)
	}
	if r.takenLocked(name) {
		return errors.Errorf("%s: Register: %s %q is already registered", r.pkg, r.kind, name)
	}
	r.entries[name] = v
	return nil
}

func (r *Registry[T]) takenLocked(name string) bool {
	_, e := r.entries[name]
	_, a := r.aliases[name]
	return e || a
}

// Get returns the value registered under name or one of its aliases. An
// unknown name gives a *kerrors.UnknownNameError wrapped with the
// package's prefix.
func (r *Registry[T]) Get(name string) (T, error) {
	r.mu.RLock()
	canonical := name
	if full, ok := r.aliases[name]; ok {
		canonical = full
	}
	v, ok := r.entries[canonical]
	r.mu.RUnlock()
	if !ok {
		var zero T
		return zero, errors.Wrap(&kerrors.UnknownNameError{
			Kind: r.kind, Name: name, Known: r.Names(),
			Hint: "register it with " + r.pkg + ".Register",
		}, r.pkg)
	}
	return v, nil
}

// Canonical returns the name an alias stands for, or name itself.
func (r *Registry[T]) Canonical(name string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if full, ok := r.aliases[name]; ok {
		return full
	}
	return name
}

// Has reports whether name is a registered name or alias.
func (r *Registry[T]) Has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.takenLocked(name)
}

// Names returns every registered name and alias, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.entries)+len(r.aliases))
	for n := range r.entries {
		out = append(out, n)
	}
	for n := range r.aliases {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
