"""Write a mixer's ONNX file again from its weights, with today's forward pass: ``python scripts/reexport_mixer.py
models/mixer.onnx --why "what changed in the export"``.

The weights are ``MIXER.pt`` beside the file and the metadata is the file's own: only the exported graph changes
(for example :meth:`training.mixer_model.GaussMixer.forward` computed from the marginals' probabilities, 2026-12-06).
The new file replaces the old one only if its posteriors are the old file's within ``--tolerance`` per cell on
20,000 frames of features around, and far from, the training mean; the card beside it (``MIXER.json``) then gets
its new size and SHA-256 and an ``exports`` entry (old and new SHA-256, the largest difference, ``--why``, this
command).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import onnx

from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.training import mixer_eval, mixer_finetune
from jazzremix_gui.training.export import export_onnx, sha256, write_card


def features(model, frames: int = 20000) -> np.ndarray:
    """Mixer features ``(frames, 100)``: half around the training mean, half three times as far out."""
    rng = np.random.default_rng(0)
    x = np.concatenate([mixer_eval._example(model, rng, frames // 2).numpy(),
                        mixer_eval._example(model, rng, frames // 2).numpy() * 3
                        - 2 * model.feat_mean.numpy()])
    return x.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("onnx", type=Path, help="the mixer's ONNX file (its .pt and .json beside it)")
    ap.add_argument("--why", required=True, help="what changed in the export (recorded on the card)")
    ap.add_argument("--tolerance", type=float, default=1e-6, help="largest difference allowed per cell")
    args = ap.parse_args(argv)
    card_path = args.onnx.with_suffix(".json")
    if not args.onnx.is_file() or not card_path.is_file():
        raise SystemExit(f"{args.onnx}: a mixer's ONNX file with its card ({card_path.name}) beside it is needed")
    try:
        model, _ = mixer_finetune.load_base(args.onnx)
    except mixer_finetune.TrainMixerError as exc:
        raise SystemExit(str(exc)) from None
    meta = {p.key.removeprefix("jazzremix."): p.value for p in onnx.load(str(args.onnx)).metadata_props}
    meta.pop("sample_rate", None)  # export_onnx writes it
    x = features(model)
    old = ModelSession(args.onnx, "mixer", prefer_gpu=False).run(x)
    old_sha = sha256(args.onnx)
    with atomic_path(args.onnx, ".onnx") as tmp:  # replaces the file only if the check passes
        export_onnx(model, tmp, meta, mixer_eval._example(model, np.random.default_rng(0), 40), "features",
                    "posterior")
        diff = float(np.abs(ModelSession(tmp, "mixer", prefer_gpu=False).run(x) - old).max())
        print(f"{args.onnx}: largest difference per cell {diff:.2e} on {len(x)} frames", file=sys.stderr)
        if not diff <= args.tolerance:
            raise SystemExit(f"{args.onnx}: the new export differs by {diff:.2e} (> {args.tolerance}); kept as it was")
    card = json.loads(card_path.read_text())
    card.setdefault("exports", []).append({
        "command": f"python scripts/reexport_mixer.py {shlex.join([str(args.onnx), '--why', args.why])}",
        "why": args.why,
        "sha256_before": old_sha, "sha256": sha256(args.onnx), "largest_difference_per_cell": diff,
        "frames_checked": len(x)})
    card = write_card(args.onnx, card)
    print(f"{args.onnx}: written ({card['size_bytes']} bytes, SHA-256 {card['sha256'][:12]}...), card updated",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
