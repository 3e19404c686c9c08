"""Evaluate the default separator and the seed baseline on the validation set, in one run,
and record the comparison in the default model's card (models/separator.json).

The seed's weights are not shipped (168 MB); where its ONNX file is absent, its figures
are taken from its card (``models/separator-seed.json``, written by the same evaluation
code on the same validation set).

    python scripts/compare_separators.py [--val data/val] [--model models/separator.onnx]
        [--seed-model checkpoints/separator-seed.onnx] [--seed-card models/separator-seed.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import evaluation  # noqa: E402
from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.training.export import write_card  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--val", default="data/val")
    ap.add_argument("--model", default="models/separator.onnx")
    ap.add_argument("--seed-model", default="checkpoints/separator-seed.onnx")
    ap.add_argument("--seed-card", default="models/separator-seed.json")
    args = ap.parse_args()
    rows = {}
    for name, path in (("default", args.model), ("seed", args.seed_model)):
        if name == "seed" and not Path(path).exists():
            card = json.loads(Path(args.seed_card).read_text())
            res = {"model": card["metadata"]["jazzremix.version"] + " (card)",
                   "median": card["validation"]["median_sdr_db"]}
        else:
            res = evaluation.evaluate_dataset(args.val, ModelSession(path, "separator", prefer_gpu=False))
        rows[name] = res["median"]
        print(f"{name:<8} {res['model']:<16} solo {res['median']['solo']:6.2f} dB  accompaniment "
              f"{res['median']['accompaniment']:6.2f} dB   (oracle solo {res['median']['oracle_solo']:.2f}, "
              f"accompaniment {res['median']['oracle_accompaniment']:.2f})")
    d, s = rows["default"], rows["seed"]
    comparison = {
        "dataset": args.val,
        "median_sdr_db": {"default": d, "seed_baseline": s},
        "solo_gain_over_seed_db": d["solo"] - s["solo"],
        "accompaniment_gain_over_seed_db": d["accompaniment"] - s["accompaniment"],
        "solo_gap_to_oracle_db": d["oracle_solo"] - d["solo"],
    }
    card_path = Path(args.model).with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["comparison"] = comparison
    write_card(args.model, card)
    print(json.dumps(comparison, indent=2))


if __name__ == "__main__":
    main()
