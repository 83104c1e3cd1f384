#!/usr/bin/python3
"""Reads the .keras files gokeras exported (TestExport -update) the way
Keras's saving_lib reads them -- zipfile for the archive, json for
metadata.json and config.json, h5py for model.weights.h5 -- and records
what it finds in layout.json: the members, metadata, every dataset's
path, shape and dtype, every group's attributes, and the model's class
and layer names. TestExport checks the layout against Keras's.

Run: /usr/bin/python3 read_export.py  (h5py 3.7)
"""

import io
import json
import os
import zipfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))


def layout(path):
    out = {}
    with zipfile.ZipFile(path) as zf:
        out["members"] = zf.namelist()
        out["metadata"] = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
        out["config"] = {"class_name": config["class_name"],
                         "layers": [l["config"]["name"] for l in config["config"]["layers"]]}
        datasets, groups = {}, {}
        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    datasets[name] = {"shape": list(obj.shape), "dtype": str(obj.dtype)}
                elif obj.attrs:
                    groups[name] = {k: str(v) for k, v in obj.attrs.items()}
            f.visititems(visit)
            if f["vars"].attrs:
                groups["vars"] = {k: str(v) for k, v in f["vars"].attrs.items()}
        out["datasets"] = datasets
        out["groups"] = groups
    return out


def main():
    result = {}
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".keras"):
            result[name] = layout(os.path.join(HERE, name))
    with open(os.path.join(HERE, "layout.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
