# Writes viridis.csv: matplotlib's viridis colour map (CC0) at 256 evenly
# spaced points, as 8-bit sRGB, the reference TestViridis compares
# imageplot's colour map with; and prints the 52 control points
# imageplot's table holds (every 5th entry: t = 0, 1/51, ..., 1).
# Run: /usr/bin/python3 viridis.py (needs matplotlib; Debian's python3-matplotlib).
import numpy as np
from matplotlib import cm

rgba = cm.get_cmap("viridis")(np.linspace(0, 1, 256))
rgb = np.round(rgba[:, :3] * 255).astype(int)
with open("viridis.csv", "w") as f:
    f.write("t,r,g,b\n")
    for i, (r, g, b) in enumerate(rgb):
        f.write(f"{i / 255:.6f},{r},{g},{b}\n")
for r, g, b in rgb[::5]:
    print(f"{{0x{r:02X}, 0x{g:02X}, 0x{b:02X}}},")
