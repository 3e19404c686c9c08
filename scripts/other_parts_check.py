"""What naming another part gives the engineer (docs/SEPARATOR_V3.md, "Another part that holds its place"): for
each set, `jazzremix evaluate`'s per-track readings with the true pan of each track (meta.json), and, on every track
where another part is named, the solo's SDR when the track is separated again with the solo there (the link the app
shows, `--solo-side`). "By ear" takes the other part exactly where it is the solo's side (within 8 deg of the true
pan): what an engineer gets who hears which part is the solo; "always" takes the first other part on every track
where one is named: what an engineer gets who clicks blindly.

    python scripts/other_parts_check.py data/val-unseen-3 data/val-v2-20s [--model models/separator.onnx]
        [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from jazzremix_gui.core import evaluation
from jazzremix_gui.core.models import with_solo_side
from jazzremix_gui.core.pipeline import load_model


def check(dataset: Path, model) -> dict:
    result = evaluation.evaluate_dataset(dataset, model)
    rows, gains_ear, gains_always = [], [], []
    for row in result["tracks"]:
        meta = json.loads((dataset / row["track"] / "meta.json").read_text())
        pan = meta.get("pan_deg")
        entry = {"track": row["track"], "true_pan_deg": pan, "found_pan_deg": row["found_pan_deg"],
                 "others_deg": list(row["others_deg"]), "solo": round(row["solo"], 2)}
        if row["others_deg"] and pan is not None:
            scores = []
            for other in row["others_deg"]:
                sc = evaluation.score_track(dataset / row["track"], with_solo_side(model, other))
                scores.append(round(sc.solo, 2))
            entry["solo_with_other"] = scores
            gains_always.append(scores[0] - row["solo"])
            right = [s for o, s in zip(row["others_deg"], scores) if abs(o - pan) <= evaluation.SIDE_NEAR_DEG]
            gains_ear.append((right[0] - row["solo"]) if right else 0.0)
        rows.append(entry)
    n = len(result["tracks"])
    return {"set": str(dataset), "n_tracks": n, "median": result["median"], "sides": result["sides"],
            "mean_gain_by_ear_db": round(float(np.sum(gains_ear)) / n, 3),
            "mean_gain_always_db": round(float(np.sum(gains_always)) / n, 3), "tracks": rows}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="+", type=Path)
    ap.add_argument("--model", default="models/separator.onnx")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    model = load_model(args.model, "separator")
    out = []
    for s in args.sets:
        r = check(s, model)
        out.append(r)
        sd = r["sides"]
        print(f"{s}: {sd['stereo']} stereo, read right {sd['read_right']}, another part named on {sd['with_others']} "
              f"(the solo's side on {sd['others_right']} of {sd['stereo'] - sd['read_right']} read wrong, beside a "
              f"right reading on {sd['others_beside_right']}); mean solo gain per track: by ear "
              f"{r['mean_gain_by_ear_db']:+.2f} dB, always {r['mean_gain_always_db']:+.2f} dB", flush=True)
        for t in r["tracks"]:
            if t["others_deg"]:
                print(f"   {t['track']}: true {t['true_pan_deg']:+.1f}, found {t['found_pan_deg']:+.1f} "
                      f"({t['solo']:.2f} dB), other {t['others_deg']} -> {t['solo_with_other']} dB")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
