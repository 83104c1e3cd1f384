# Writes the HDF5 fixtures of the hdf5 package's tests with h5py 3.7
# (libhdf5 1.10.8), and expected.json: what h5py itself reads back from each
# file (every group's children in h5py's order, every attribute and dataset
# with its numpy dtype, shape and values). Run once with /usr/bin/python3
# from this folder; the outputs are committed and the Go tests never need
# Python.
#
# Floats are written to JSON as Python's repr (shortest round-trip form,
# "nan"/"inf"/"-inf" for the specials) so the Go test can compare bits.
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def common_content(f, big=True):
    """Groups, attributes and datasets of every kind the reader supports."""
    rs = np.random.RandomState(7)
    f.attrs["title"] = "fixture"  # vlen UTF-8 scalar
    f.attrs["unicode"] = "gr\u00fc\u00dfe \u2713"
    f.attrs["i64"] = np.int64(-1234567890123)
    f.attrs["f64"] = 0.1
    f.attrs["f32"] = np.float32(2.5)
    f.attrs["flag"] = True  # h5py: enum of int8 {FALSE: 0, TRUE: 1}
    f.attrs["flags"] = np.array([True, False, True])
    f.attrs["ints"] = np.array([1, -2, 3], dtype="<i4")
    f.attrs["u16be"] = np.array([1, 65535], dtype=">u2")
    f.attrs["floats"] = np.array([0.5, -1.5, np.inf], dtype="<f8")
    f.attrs["fixed"] = np.array([b"dense", b"dense_1", b""], dtype="S7")
    f.attrs["fixed_scalar"] = np.bytes_(b"abc")
    f.attrs["vlen_list"] = ["a", "bc", "\u00e9t\u00e9"]
    f.attrs["vlen_ascii"] = np.array([b"x", b"yz"], dtype=h5py.string_dtype("ascii"))
    f.attrs["empty_str"] = ""

    g = f.create_group("model_weights/dense/dense")
    g.create_dataset("kernel:0", data=rs.standard_normal((3, 4)).astype("<f4"))
    g.create_dataset("bias:0", data=np.arange(4, dtype="<f4") / 8)
    f["model_weights/dense"].attrs["weight_names"] = np.array(
        [b"dense/kernel:0", b"dense/bias:0"])
    f.create_group("empty")
    d = f.create_group("dtypes")
    d.create_dataset("f64", data=np.array([[1e300, -0.0], [5e-324, np.nan]], dtype="<f8"))
    d.create_dataset("f16", data=np.array([1.5, -65504, 6e-8, np.inf], dtype="<f2"))
    d.create_dataset("i8", data=np.array([-128, 127, 0], dtype="i1"))
    d.create_dataset("u8", data=np.array([0, 255], dtype="u1"))
    d.create_dataset("i16", data=np.array([-32768, 32767], dtype="<i2"))
    d.create_dataset("i32", data=np.arange(-3, 3, dtype="<i4").reshape(2, 3))
    d.create_dataset("i64", data=np.array([-(2**62), 2**62], dtype="<i8"))
    d.create_dataset("u32", data=np.array([4000000000], dtype="<u4"))
    d.create_dataset("u64", data=np.array([2**63 - 1], dtype="<u8"))
    d.create_dataset("bool", data=np.array([True, False]))
    d.create_dataset("scalar", data=np.float64(3.25))
    d.create_dataset("scalar_i", data=np.int32(-7))
    d.create_dataset("zero_len", data=np.zeros((0, 3), dtype="<f4"))
    d.create_dataset("strings", data=np.array([b"ab", b"c"], dtype="S2"))
    d.create_dataset("vlen_strings", data=["one", "two", "\u00fcber"], dtype=h5py.string_dtype())
    if big:
        d.create_dataset("f32be", data=np.array([[1, -2.5], [3e38, 1e-45]], dtype=">f4"))
        d.create_dataset("f64be", data=np.array([np.pi, -np.e], dtype=">f8"))
        d.create_dataset("i32be", data=np.array([-1, 16909060], dtype=">i4"))
        d.create_dataset("f16be", data=np.array([0.333, -2], dtype=">f2"))
    c = f.create_group("chunked")
    x = rs.standard_normal((20, 7)).astype("<f4")
    c.create_dataset("gzip", data=x, chunks=(8, 4), compression="gzip", compression_opts=4)
    c.create_dataset("gzip_shuffle", data=x, chunks=(8, 4), compression="gzip", shuffle=True)
    c.create_dataset("fletcher", data=np.arange(30, dtype="<i8"), chunks=(7,), fletcher32=True,
                     compression="gzip", shuffle=True)
    c.create_dataset("plain", data=np.arange(12, dtype="<f8").reshape(3, 4), chunks=(2, 2))
    c.create_dataset("one_chunk", data=x, chunks=(20, 7), compression="gzip")
    c.create_dataset("unwritten", shape=(3, 2), dtype="<f4", chunks=(2, 2), fillvalue=1.5)
    c.create_dataset("be_gzip", data=np.arange(10, dtype=">f4"), chunks=(4,), compression="gzip")
    # Compact layout: data inside the object header.
    space = h5py.h5s.create_simple((5,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dsid = h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([1, 2, 3, 4, -5], dtype="<i2"))
    # Many links (dense link storage with libver latest): hard links to one
    # dataset keep the file small.
    many = f.create_group("many")
    target = many.create_dataset("target", data=np.array([42], dtype="<i4"))
    for i in range(120):
        many["link%03d" % i] = target
    # Many attributes (dense attribute storage with libver latest).
    ma = f.create_group("many_attrs")
    for i in range(30):
        ma.attrs["attr%02d" % i] = np.int64(i * i)
    ma.attrs["long_text"] = "x" * 3000
    f["soft"] = h5py.SoftLink("/model_weights/dense")
    # A committed (named) datatype used by a dataset and an attribute: their
    # datatype messages are shared, stored in the type's object header.
    f["named_f4"] = np.dtype("<f4")
    f.create_dataset("uses_named", data=np.array([1.25, -2], dtype="<f4"), dtype=f["named_f4"])
    f["uses_named"].attrs.create("named_attr", 0.5, dtype=f["named_f4"])


def dump(f):
    """What h5py sees: path -> description, children in h5py's order."""
    out = {}

    def conv(v):
        """(kind, text) of one value; floats as repr, ints as decimal."""
        if isinstance(v, (bytes, np.bytes_)):
            return "bytes", v.decode("latin-1")
        if isinstance(v, str):
            return "str", v
        if isinstance(v, (np.floating, float)):
            return "float", repr(float(v))
        if isinstance(v, (np.bool_, bool)):
            return "bool", "true" if v else "false"
        if isinstance(v, (np.integer, int)):
            return "int", str(int(v))
        raise TypeError(type(v))

    def values(a):
        a = np.asarray(a)
        flat = a.reshape(-1).tolist() if a.dtype != object else list(a.reshape(-1))
        pairs = [conv(v) for v in flat]
        kinds = {k for k, _ in pairs}
        assert len(kinds) <= 1, kinds
        return {"kind": kinds.pop() if kinds else "", "values": [t for _, t in pairs]}

    def dtype_desc(dt):
        s = h5py.check_string_dtype(dt)
        if s is not None and s.length is None:
            return "vlen-" + s.encoding
        if dt == np.bool_:
            return "bool"
        return dt.str

    def attrs(obj):
        res = {}
        for name in obj.attrs.keys():
            aid = h5py.h5a.open(obj.id, name.encode())
            v = aid.shape
            raw = obj.attrs[name]
            res[name] = {"dtype": dtype_desc(aid.dtype), "shape": list(v)}
            res[name].update(values(raw if not isinstance(raw, (str, bytes)) else [raw]))
        return res

    seen_groups = set()

    def visit(name, obj):
        path = "/" + name if name else "/"
        if isinstance(obj, h5py.Group):
            addr = h5py.h5o.get_info(obj.id).addr
            if addr in seen_groups:
                return  # a hard link back to a group already dumped
            seen_groups.add(addr)
            kids = []
            for k in obj.keys():
                link = obj.get(k, getlink=True)
                if isinstance(link, h5py.SoftLink):
                    kind = "soft"
                elif isinstance(obj[k], h5py.Datatype):
                    kind = "datatype"
                else:
                    kind = "group" if isinstance(obj[k], h5py.Group) else "dataset"
                kids.append([k, kind])
            out[path] = {"kind": "group", "children": kids, "attrs": attrs(obj),
                         "attr_order": list(obj.attrs.keys())}
            for k, kind in kids:
                if kind in ("group", "dataset"):
                    visit((name + "/" if name else "") + k, obj[k])
        else:
            if path in out:
                return
            out[path] = {"kind": "dataset", "dtype": dtype_desc(obj.dtype),
                         "shape": list(obj.shape), "attrs": attrs(obj),
                         "attr_order": list(obj.attrs.keys())}
            out[path].update(values(obj[()]))

    visit("", f)
    return out


def legacy_keras(f):
    """The layout of Keras 2's model.save("x.h5") (keras/saving/legacy/hdf5_format.py)."""
    rs = np.random.RandomState(3)
    f.attrs["backend"] = "tensorflow"
    f.attrs["keras_version"] = "2.13.1"
    cfg = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "Dense", "config": {"name": "dense", "units": 4}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 1}}]}}
    # Keras 2 writes these JSON documents as bytes (.encode("utf8")), which
    # h5py stores as variable-length ASCII strings.
    f.attrs["model_config"] = json.dumps(cfg).encode("utf8")
    f.attrs["training_config"] = json.dumps({"loss": "mse", "optimizer_config": {
        "class_name": "Adam", "config": {"learning_rate": 0.001}}}).encode("utf8")
    mw = f.create_group("model_weights")
    mw.attrs["backend"] = "tensorflow"
    mw.attrs["keras_version"] = "2.13.1"
    mw.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
    for name, shape in [("dense", (3, 4)), ("dense_1", (4, 1))]:
        g = mw.create_group(name)
        g.attrs["weight_names"] = np.array([(name + "/kernel:0").encode(), (name + "/bias:0").encode()])
        g.create_dataset(name + "/kernel:0", data=rs.standard_normal(shape).astype("<f4"))
        g.create_dataset(name + "/bias:0", data=np.zeros(shape[1], dtype="<f4"))
    og = f.create_group("optimizer_weights")
    og.attrs["weight_names"] = np.array([b"Adam/iter:0"])
    og.create_dataset("Adam/iter:0", data=np.int64(10))
    # The split form Keras writes when an attribute would pass
    # HDF5_OBJECT_HEADER_LIMIT (64512 bytes): name0, name1, ...
    split = f.create_group("split")
    names = [("layer_with_a_long_name_%04d" % i).encode() for i in range(6)]
    split.attrs["layer_names0"] = np.array(names[:3])
    split.attrs["layer_names1"] = np.array(names[3:])


def keras3_weights(f):
    """The layout of Keras 3's model.weights.h5 (saving_lib.H5IOStore)."""
    rs = np.random.RandomState(5)
    f.create_group("vars")
    for name, shape in [("dense", (3, 4)), ("dense_1", (4, 2))]:
        v = f.create_group("layers/" + name).create_group("vars")
        v["0"] = rs.standard_normal(shape).astype("<f4")
        v["1"] = rs.standard_normal(shape[1]).astype("<f4")
    f.create_group("layers/dropout/vars")
    o = f.create_group("optimizer").create_group("vars")
    o["0"] = np.int64(3)  # iterations
    o["1"] = np.float32(0.001)  # learning rate
    for i in range(2, 12):  # enough vars to see "10" sort before "2"
        o[str(i)] = np.full((2,), i, dtype="<f4")
    v = f["layers/dense/vars"]
    v.attrs["dtype"] = "float32"  # the attribute Keras 3 sets on bfloat16 vars


def main():
    expected = {}
    files = {
        "earliest.h5": dict(libver="earliest"),
        "latest.h5": dict(libver="latest"),
        "v108.h5": dict(libver=("v108", "v108")),
    }
    for name, kw in files.items():
        with h5py.File(os.path.join(HERE, name), "w", **kw) as f:
            common_content(f)
    with h5py.File(os.path.join(HERE, "latest_extras.h5"), "w", libver="latest") as f:
        # Chunk indexes libhdf5 1.10 picks with libver="latest":
        # fixed array (no unlimited dims; paged above 1024 chunks),
        # extensible array (one unlimited dim), v2 B-tree (two unlimited).
        f.create_dataset("farray_paged", data=np.arange(1100, dtype="<i2"), chunks=(1,))
        f.create_dataset("farray_paged_gzip", data=np.arange(1100, dtype="<i2"), chunks=(1,),
                         compression="gzip")
        f.create_dataset("earray", data=np.arange(50, dtype="<f4").reshape(10, 5),
                         chunks=(3, 5), maxshape=(None, 5))
        f.create_dataset("earray_gzip", data=np.arange(50, dtype="<f4").reshape(10, 5),
                         chunks=(3, 5), maxshape=(None, 5), compression="gzip")
        f.create_dataset("btree2", data=np.arange(20, dtype="<f4").reshape(4, 5),
                         chunks=(2, 2), maxshape=(None, None))
        # A 70 KB attribute: with libver="latest" it goes to dense storage
        # as a "huge" fractal heap object.
        f.attrs["huge"] = np.arange(70000 // 8, dtype="<i8")
        # Loops a reader must survive: soft links to each other and a group
        # holding a hard link to itself.
        f["loop1"] = h5py.SoftLink("/loop2")
        f["loop2"] = h5py.SoftLink("/loop1")
        cyc = f.create_group("cyc")
        cyc["self"] = cyc
        g = f.create_group("tracked", track_order=True)
        for n in ["zeta", "alpha", "mid"]:
            g.create_group(n)
            g.attrs[n] = n
    # A small file with the libver="latest" structures (dense links and
    # attributes, fixed-array and single-chunk indexes): a fast fuzz seed.
    with h5py.File(os.path.join(HERE, "small_latest.h5"), "w", libver="latest") as f:
        g = f.create_group("g")
        for i in range(10):
            g.create_group("k%d" % i)
            g.attrs["a%d" % i] = i
        f.create_dataset("fa", data=np.arange(12, dtype="<f4"), chunks=(4,), compression="gzip",
                         shuffle=True)
        f.create_dataset("one", data=np.arange(6, dtype="<i2"), chunks=(6,), compression="gzip")
        f.attrs["s"] = ["x", "yz"]
    # Types the reader refuses with a clear error (not in expected.json).
    with h5py.File(os.path.join(HERE, "unsupported.h5"), "w") as f:
        f.attrs.create("vlen_seq", [np.array([1, 2], dtype="<i4"), np.array([3], dtype="<i4")],
                       dtype=h5py.vlen_dtype(np.dtype("<i4")))
        g = f.create_group("g")
        f.attrs["ref"] = g.ref
        f.create_dataset("compound", data=np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]))
        f.create_dataset("szip_like", data=np.arange(8, dtype="<i4"), chunks=(4,),
                         scaleoffset=0)
        f["ext"] = h5py.ExternalLink("other.h5", "/x")
    with h5py.File(os.path.join(HERE, "legacy_keras.h5"), "w") as f:
        legacy_keras(f)
    with h5py.File(os.path.join(HERE, "keras3.weights.h5"), "w") as f:
        keras3_weights(f)
    # A 512-byte user block: the superblock is then found at 512.
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_userblock(512)
    fid = h5py.h5f.create(os.path.join(HERE, "userblock.h5").encode(), h5py.h5f.ACC_TRUNC,
                          fcpl=fcpl)
    with h5py.File(fid) as f:
        f.create_dataset("x", data=np.arange(6, dtype="<f8"), chunks=(4,))
        f.attrs["a"] = "b"
        g = f.create_group("g")
        for i in range(40):
            g["l%02d" % i] = f["x"]
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".h5") and name != "unsupported.h5":
            with h5py.File(os.path.join(HERE, name), "r") as f:
                expected[name] = dump(f)
    write_json(os.path.join(HERE, "expected.json"), expected)


def write_json(path, expected):
    """One line per object keeps the file small and its diffs readable."""
    with open(path, "w") as out:
        out.write("{\n")
        for i, fname in enumerate(sorted(expected)):
            out.write(" %s: {\n" % json.dumps(fname))
            objs = expected[fname]
            for j, p in enumerate(sorted(objs)):
                sep = "," if j < len(objs) - 1 else ""
                out.write("  %s: %s%s\n" % (json.dumps(p), json.dumps(objs[p], sort_keys=True), sep))
            out.write(" }%s\n" % ("," if i < len(expected) - 1 else ""))
        out.write("}\n")

if __name__ == "__main__":
    main()
