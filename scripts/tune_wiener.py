"""Choose the Wiener power alpha of a separator on the validation set and store it in the model.

The paper fixes alpha = 1.3. The best power depends on how sharp the network's
magnitude estimate is, so this evaluates a few values on the validation set (never on
the reserved test soundfont), writes the best one into the model's ONNX metadata
(``jazzremix.wiener_alpha``) and refreshes the card's validation figures, so that
``jazzremix evaluate`` reproduces them.

    python scripts/tune_wiener.py [--model models/separator.onnx] [--val data/val]
        [--alphas 1.0 1.3 1.6 2.0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import onnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import evaluation  # noqa: E402
from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.training.export import write_card  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/separator.onnx")
    ap.add_argument("--val", default="data/val")
    ap.add_argument("--alphas", type=float, nargs="+", default=[1.0, 1.3, 1.6, 2.0])
    ap.add_argument("--card", default=None, help="card to update (default: beside the model)")
    args = ap.parse_args()
    session = ModelSession(args.model, "separator", prefer_gpu=False)
    results = {}
    for alpha in args.alphas:
        res = evaluation.evaluate_dataset(args.val, session, alpha=alpha)
        m = res["median"]
        results[alpha] = res
        print(f"alpha {alpha:4.2f}: solo {m['solo']:6.2f} dB, accompaniment {m['accompaniment']:6.2f} dB")
    best = max(results, key=lambda a: results[a]["median"]["solo"] + results[a]["median"]["accompaniment"])
    print(f"best alpha: {best}")
    proto = onnx.load(args.model)
    entries = {p.key: p.value for p in proto.metadata_props}
    entries["jazzremix.wiener_alpha"] = str(best)
    del proto.metadata_props[:]
    for k, v in entries.items():
        e = proto.metadata_props.add()
        e.key, e.value = k, v
    tmp = Path(args.model).with_suffix(".tmp.onnx")
    onnx.save(proto, str(tmp))
    tmp.replace(args.model)
    card_path = Path(args.card) if args.card else Path(args.model).with_suffix(".json")
    card = json.loads(card_path.read_text())
    card.setdefault("metadata", {})["jazzremix.wiener_alpha"] = str(best)
    res = results[best]
    card["validation"].update({"median_sdr_db": res["median"], "per_track": res["tracks"],
                               "wiener_alpha": best,
                               "wiener_alpha_sweep": {str(a): r["median"] for a, r in results.items()}})
    write_card(args.model, card, card_path)


if __name__ == "__main__":
    main()
