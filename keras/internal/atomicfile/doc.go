// Package atomicfile replaces files so that readers, and the file system
// after a crash, see either the old content or the new, never a mix.
package atomicfile
