"""Write a copy of a separator whose separations use the pan-aware Wiener step (core/signal/spatial.py).

    python scripts/separator_with_pan_aware.py IN.onnx OUT.onnx --version NAME [--settings 20,0.2]

The same weights; the metadata gains ``jazzremix.pan_aware`` and the new version name (every command,
the app and the evaluation then use the step with that file, as with ``separate --pan-aware``). The card
is not written here: a shipped file gets its card from the stage that ships it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import onnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core.files.atomic import atomic_path  # noqa: E402
from jazzremix_gui.core.signal.spatial import PanAware  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", metavar="IN.onnx")
    ap.add_argument("out", metavar="OUT.onnx")
    ap.add_argument("--version", required=True, help="version name of the new file")
    ap.add_argument("--settings", default="20,0.2", metavar="SIGMA,FLOOR")
    args = ap.parse_args(argv)
    settings = PanAware.parse(args.settings)
    if Path(args.out).exists():
        ap.error(f"{args.out} exists: choose another name (nothing is overwritten)")
    proto = onnx.load(args.model)
    entries = {p.key: p.value for p in proto.metadata_props}
    if entries.get("jazzremix.kind") != "separator":
        ap.error(f"{args.model}: not a separator")
    entries["jazzremix.pan_aware"] = settings.to_text()
    entries["jazzremix.version"] = args.version
    del proto.metadata_props[:]
    for k, v in entries.items():
        e = proto.metadata_props.add()
        e.key, e.value = k, v
    with atomic_path(args.out, ".onnx") as tmp:
        onnx.save(proto, str(tmp))
    print(f"{args.out}: {args.version}, pan-aware {settings.to_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
