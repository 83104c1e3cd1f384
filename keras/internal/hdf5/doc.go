// Package hdf5 reads and writes the subset of HDF5 that Keras files use,
// in pure Go: Keras 3 weights (model.weights.h5 inside a .keras archive,
// or a .weights.h5 file) and Keras 2 .h5 models and weights, as h5py 3.7
// (libhdf5 1.10.8) writes them with either libver setting. It is written
// from the HDF5 File Format Specification 3.0 and from experiments with
// h5py; no code of another HDF5 implementation is used.
//
// # Reading
//
// Open (or OpenReaderAt) parses the superblock; File.Root, Group.Group and
// Group.Dataset walk paths such as "model_weights/dense/dense/kernel:0" or
// "layers/dense/vars/0" (soft links are followed); Group.Children lists
// links in h5py's order (by name in byte order, or by creation order for
// groups made with track_order=True: Keras's vars/0, vars/1, ..., vars/10
// therefore come as 0, 1, 10, 2 and a caller that needs numeric order
// sorts them); Attrs and Attr read attributes of groups and datasets;
// Dataset gives Shape, Dtype and the values as Float32s, Float64s, Int64s,
// Strings or Raw bytes. Group.Walk visits every object once.
//
// Supported, each checked against files h5py wrote (testdata/):
//
//	superblock           versions 0, 1, 2, 3; user blocks (superblock at 512, 1024, ...)
//	object headers       version 1 and 2, continuation blocks, committed
//	                     (shared) datatypes
//	groups               symbol tables (v1 B-tree, symbol table nodes, local
//	                     heap); link messages; dense links (fractal heap with
//	                     direct, indirect and huge objects, v2 B-tree name index)
//	links                hard, soft (followed, at most 16 per path); external
//	                     links are listed but not followed
//	attributes           messages versions 1-3, compact and dense (attribute
//	                     info, fractal heap, v2 B-tree); scalar and n-D
//	datatypes            integers 1/2/4/8 bytes, signed or not, either byte
//	                     order; IEEE float16/32/64, either byte order;
//	                     fixed-length strings (NUL-terminated, NUL- or
//	                     space-padded, ASCII or UTF-8); variable-length strings
//	                     (global heap); enumerations of integers (h5py's bool)
//	layouts              compact, contiguous (unallocated reads as the fill
//	                     value), chunked (layout message versions 3 and 4)
//	chunk indexes        v1 B-tree (libver earliest), single chunk, implicit,
//	                     fixed array (paged or not), v2 B-tree (libver latest)
//	filters              deflate, shuffle, fletcher32 (verified)
//	checksums            lookup3 of every version-2 structure, verified
//
// Refused with an error that names the object and the problem, such as
// "hdf5: /model_weights/dense: attribute weight_names: unsupported
// datatype class 9 (variable-length sequence)":
//
//	datatypes            variable-length sequences (class 9 non-string),
//	                     references (7), compound (6), array (10), opaque (5),
//	                     bitfield (4), time (2); VAX floats; integers with
//	                     padding bits; non-IEEE float layouts
//	chunk index          extensible array (h5py writes it under libver
//	                     "latest" for a chunked dataset with one unlimited
//	                     dimension, maxshape=(None, ...)): "chunk index
//	                     (extensible array): not supported"
//	filters              szip, n-bit, scale-offset, LZF and every other
//	                     filter: "unsupported filter N (name)"
//	storage              external data files, virtual datasets, layout
//	                     message versions 1 and 2 (HDF5 1.4), filtered
//	                     fractal heaps, messages shared through the
//	                     superblock extension's shared-message table
//
// Every size read from a file is checked before use: addresses and
// lengths against the file's length, ranks against MaxRank, values
// against MaxDataBytes, and data that is not stored byte for byte
// (compressed chunks, fill values) against the deflate bound of 1032
// times the file's length plus 1 MiB, so a dataset declaring 2^40
// elements in a 1 KB file is an error, not an allocation. Loops (a group
// that contains itself, B-tree nodes, heap blocks or continuation blocks
// that refer back) end with an error or are skipped by Walk, and soft
// links are followed at most MaxSoftLinkHops times. No panic escapes: the
// public entry points recover and return an error ("internal error"),
// and FuzzOpen checks none happens.
//
// # Writing
//
// NewWriter builds a file in memory; GroupWriter.CreateGroup,
// GroupWriter.CreateDataset and SetAttr add content; Writer.Bytes or
// Writer.WriteTo produce it (writing a file atomically is the caller's
// job). The writer uses the simplest structures, the ones h5py writes with
// libver="earliest" (Keras's default): superblock version 0 with 8-byte
// addresses, version 1 object headers, symbol-table groups with
// libhdf5's default B-tree K values (links sorted by name, so h5py lists
// them in the same order), version 1 attribute messages (at most 64 KiB
// each, as libhdf5's compact storage; Keras splits larger lists into
// layer_names0, layer_names1, ...), contiguous datasets or chunked ones
// with shuffle and deflate. Attribute values map to what h5py writes for
// the matching Python value: string to a variable-length UTF-8 string,
// ByteString (Python bytes) to a variable-length ASCII string, ByteStrings
// (a numpy array of bytes) to fixed-length NUL-padded strings, and ints,
// floats and bools to <i8, <f8 and h5py's enum bool. Output is
// deterministic. testdata/written holds files the writer made and
// testdata/written.json what h5py read from them.
package hdf5
