# Reads the files the Go writer produced (testdata/written/*.h5, written by
# `go test -run TestWriterGolden -update`) with h5py 3.7 (libhdf5 1.10.8)
# and records what h5py saw in written.json, in the format of
# expected.json. TestWriterGolden checks that the writer still produces
# these exact bytes and that the package's reader sees the same content.
# Run with /usr/bin/python3 from this folder.
import json
import os

import h5py

from make_fixtures import dump, write_json

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    seen = {}
    folder = os.path.join(HERE, "written")
    for name in sorted(os.listdir(folder)):
        with h5py.File(os.path.join(folder, name), "r") as f:
            seen[name] = dump(f)
            # Walk everything once more through h5py's own visitor, which
            # reads every object header.
            f.visititems(lambda n, o: None)
    write_json(os.path.join(HERE, "written.json"), seen)


if __name__ == "__main__":
    main()
