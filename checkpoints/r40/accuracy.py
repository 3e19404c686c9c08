"""Diagnostic r40: how often the pitch network and YIN name the clean solo's pitch, on a set's features
(``features.py``): the share of frames the clean solo voices that each voices within a semitone of it
(``hit``), the share of the clean solo's unvoiced frames each calls voiced (``false``), and the share of frames
both voice within a semitone (``right``, as in r32).

    PYTHONPATH=. python checkpoints/r40/accuracy.py MODEL.pt FEATURES_DIR [--width 16]
"""
import glob
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r40")
import pitchnet  # noqa: E402


def near(f, c):
    ok = (f > 0) & (c > 0)
    out = np.zeros(f.shape, bool)
    out[ok] = np.abs(12 * np.log2(f[ok] / c[ok])) < 0.5
    return out


def main():
    width = int(sys.argv[sys.argv.index("--width") + 1]) if "--width" in sys.argv else 16
    model = pitchnet.load_model(sys.argv[1], width)
    tot = {}
    for f in sorted(glob.glob(sys.argv[2] + "/*.npz")):
        d = np.load(f)
        c = d["clean"]
        for name, g in (("yin", d["yin"]), ("net", pitchnet.predict(model, d["solo"], d["mix"]))):
            t = tot.setdefault(name, np.zeros(5))
            t += [near(g, c).sum(), (c > 0).sum(), ((g > 0) & (c <= 0)).sum(), (c <= 0).sum(),
                  ((g > 0) & (c > 0)).sum()]
    for name, t in tot.items():
        print(name, "hit", round(t[0] / t[1], 3), "false", round(t[2] / t[3], 3), "right", round(t[0] / t[4], 3))


if __name__ == "__main__":
    main()
