# Writes the .npy fixtures of npy_test.go with numpy (run with
# /usr/bin/python3 from this folder; the outputs are committed).
import numpy as np
from numpy.lib import format as fmt

np.save("f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3))
np.save("f8_3.npy", np.array([0.5, -1.25, 1e300], dtype="<f8"))
np.save("f4_scalar.npy", np.float32(7))
np.save("f8_big_endian.npy", np.array([1, 2], dtype=">f8"))
np.save("f8_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
np.save("i4.npy", np.array([1, 2], dtype="<i4"))
for version in [(2, 0), (3, 0)]:
    with open("f8_v%d.npy" % version[0], "wb") as f:
        fmt.write_array(f, np.array([1, 2], dtype="<f8"), version=version)
