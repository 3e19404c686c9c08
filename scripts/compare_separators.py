"""Evaluate the default separator beside the previous version and the seed baseline, on
every validation set, with the breakdown by condition, and record the comparison and the
targets in the default model's card (models/separator.json).

The seed's weights are not shipped (168 MB); where its ONNX file is absent, its figures
are taken from its card (``models/separator-seed.json``, written by the same evaluation
code on data/val). Evaluations are cached per model SHA-256 and dataset in
``checkpoints/eval-cache/`` so that a rerun only evaluates what changed.

    python scripts/compare_separators.py [--val data/val-v2 data/val] [--model models/separator.onnx]
        [--previous checkpoints/sep-mask-1.1/separator.onnx] [--experiments FILE.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import evaluation  # noqa: E402
from jazzremix_gui.core.files.hashing import file_sha256  # noqa: E402
from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.training.export import write_card  # noqa: E402

CACHE = ROOT / "checkpoints" / "eval-cache"
#: Issue #11's targets on the primary validation set (median global SDR, dB).
TARGET_SOLO_DB, TARGET_ACC_DB = 8.0, 12.0


def evaluate(model: str, dataset: str) -> dict:
    """``evaluation.evaluate_dataset`` of a model file, cached by its SHA-256."""
    key = CACHE / f"{file_sha256(model)[:16]}-{Path(dataset).name}.json"
    if key.is_file():
        return json.loads(key.read_text())
    res = evaluation.evaluate_dataset(dataset, ModelSession(model, "separator", prefer_gpu=False))
    CACHE.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(res))
    return res


def side_by_side(new: dict, old: dict) -> dict:
    """Per-condition medians of the new and the previous model, with the differences."""
    out = {}
    for cond, groups in new["breakdown"].items():
        out[cond] = {}
        for value, g in groups.items():
            o = old["breakdown"][cond][value]
            out[cond][value] = {"n": g["n"], "solo": g["solo"], "accompaniment": g["accompaniment"],
                                "previous_solo": o["solo"], "previous_accompaniment": o["accompaniment"],
                                "delta_solo": g["solo"] - o["solo"],
                                "delta_accompaniment": g["accompaniment"] - o["accompaniment"],
                                "oracle_solo": g["oracle_solo"], "oracle_accompaniment": g["oracle_accompaniment"]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--val", nargs="+", default=["data/val-v2", "data/val"], help="the first is the primary set")
    ap.add_argument("--model", default="models/separator.onnx")
    ap.add_argument("--previous", default="checkpoints/sep-mask-1.1/separator.onnx")
    ap.add_argument("--seed-card", default="models/separator-seed.json")
    ap.add_argument("--experiments", default=None, help="JSON list of the experiments tried, for the card")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write the card")
    args = ap.parse_args()
    prev_card = json.loads(Path(args.previous).with_suffix(".json").read_text())
    comparison = {"previous": prev_card["metadata"]["jazzremix.version"], "datasets": {}}
    worse = []
    for val in args.val:
        new, old = evaluate(args.model, val), evaluate(args.previous, val)
        table = side_by_side(new, old)
        comparison["datasets"][val] = {"n_tracks": new["n_tracks"], "median_sdr_db": new["median"],
                                       "previous_median_sdr_db": old["median"], "breakdown": table}
        print(f"{val}: {new['model']} solo {new['median']['solo']:.2f} acc {new['median']['accompaniment']:.2f} | "
              f"{old['model']} solo {old['median']['solo']:.2f} acc {old['median']['accompaniment']:.2f} | "
              f"oracle {new['median']['oracle_solo']:.2f} / {new['median']['oracle_accompaniment']:.2f}")
        for cond, groups in table.items():
            for value, g in groups.items():
                flag = ""
                if g["delta_solo"] < 0 or g["delta_accompaniment"] < 0:
                    worse.append({"dataset": val, "condition": cond, "value": value, "n": g["n"],
                                  "delta_solo": round(g["delta_solo"], 2),
                                  "delta_accompaniment": round(g["delta_accompaniment"], 2)})
                    flag = "  <- worse"
                print(f"   {cond:<11}{value + ' (' + str(g['n']) + ')':<22} solo {g['solo']:6.2f} ({g['delta_solo']:+.2f})"
                      f"  acc {g['accompaniment']:6.2f} ({g['delta_accompaniment']:+.2f}){flag}")
    seed = json.loads(Path(args.seed_card).read_text())["validation"]["median_sdr_db"]
    comparison["seed_baseline"] = {"dataset": "data/val", "median_sdr_db": seed}
    primary = comparison["datasets"][args.val[0]]["median_sdr_db"]
    targets = {
        "median_solo_sdr_at_least_8_db": {"dataset": args.val[0], "met": primary["solo"] >= TARGET_SOLO_DB,
                                          "margin_db": round(primary["solo"] - TARGET_SOLO_DB, 2)},
        "median_accompaniment_sdr_at_least_12_db": {"dataset": args.val[0],
                                                    "met": primary["accompaniment"] >= TARGET_ACC_DB,
                                                    "margin_db": round(primary["accompaniment"] - TARGET_ACC_DB, 2)},
        "no_condition_worse_than_previous": {"met": not worse, "worse": worse},
    }
    print(json.dumps(targets, indent=1))
    if args.dry_run:
        return
    card_path = Path(args.model).with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["comparison"] = comparison
    card["targets"] = {**card.get("targets", {}), **targets}
    if args.experiments:
        card["experiments"] = json.loads(Path(args.experiments).read_text())
    write_card(args.model, card)


if __name__ == "__main__":
    main()
