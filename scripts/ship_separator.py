"""Ship separator weights as the app's separator (issue #21.4): ONNX, torch weights with every stage, the card.

    python scripts/ship_separator.py models/wip/separator-v3.pt models/separator.onnx --version sep-mask-3.0 \\
        --pan-aware 15,0.1,1 --wiener-alpha 1 --val data/val-unseen,data/val-unseen-2,data/val-v2-20s \\
        --previous PREVIOUS.onnx

The weights are exported as they are (no training step: the history in the ``.pt`` is the card's, every stage
with its command, steps and CPU time). The card evaluates each validation set with the new file and, beside it,
the previous shipped separator (``--previous``, with its own step and with the new one: the medians and, track by
track, the new minus the previous, as ``jazzremix evaluate --against`` reads it), and records the quality
guard's figures. Nothing is overwritten: the output path (and its ``.pt`` and ``.json``) must not exist.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Why mono separations keep the solo to the partials of its own pitch (core/signal/pitch_comb.py).
MONO_RULE = (
    "Rule r28 (checkpoints/r28/rule.txt, written before its test sets were rendered; verdict.txt): on the tracks of "
    "data/val-unseen-44 ... -47 read in mono (144, the channels averaged, scored against the references' mids) the "
    "comb at floor 0.3 gains +0.136 dB of solo a track (SE 0.015), +0.136 of accompaniment, 119 better, the worst "
    "-0.70; data/val-v2-20s in mono +0.001. On stereo tracks the same edit lost (diagnostic r24): mono only. "
    "Rule r32 (checkpoints/r32/rule.txt, likewise; verdict.txt): the frames YIN calls unvoiced weighted by 0.5 as "
    "well, on data/val-unseen-53 ... -56 read in mono (144) +0.217 dB of solo a track over r28's comb (SE 0.032), "
    "+0.217 of accompaniment, 91 better, the worst -0.40; data/val-v2-20s in mono -0.029 (bound -0.05). "
    "Rule r35 (checkpoints/r35/rule.txt, likewise; verdict.txt): blocks whose channels' decorrelation lies under "
    "-40 dB separated as mono (a mono record transferred in stereo), on data/val-unseen-57 ... -60 made such "
    "transfers (144 each): +0.330 dB of solo a track (SE 0.037; one channel 0.5 dB louder, hiss 50 dB under) and "
    "+0.211 (SE 0.036; 1 dB louder and 2 samples late, hiss 35 dB under), the worst -0.83; no block of a stereo "
    "recording taken as mono (the sets' 127 stereo tracks, val-v2-20s, the real segments: -29.1 dB at the lowest).")

#: Why the separation's level range (core/signal/input_level.py: DEFAULT_RANGE) is what it is.
INPUT_LEVEL_RULE = (
    "Rules p3 and p4 (checkpoints/r7/rule-p3.txt, rule-p4.txt, each written before its six test sets were rendered;"
    " rule p2's verdict and why p3 in checkpoints/r7/report.txt and rule-p3.txt; why p4 in rule-p4.txt: with the "
    "level measured over 10 s a quiet opening set the whole recording's gain, -0.76 dB a track after a -30 dB "
    "opening). Rule p4, the level measured over 30 s, paired against the network hearing each recording as it is "
    "over the 216 tracks of data/val-unseen-30 ... -35 pooled: as rendered solo +0.008 dB a track (18 of 216 "
    "touched, worst -0.06), 20 dB quieter +1.434 (SE 0.143; 162 / 51 better), 10 dB louder +0.133 (SE 0.022); "
    "data/val-v2-20s +0.056 / +0.056. Rule p3 (10 s) on data/val-unseen-24 ... -29: +0.002, +1.340, +0.139. "
    "Measured before on data/val-unseen (diagnostic r7): 20 / 25 / 30 dB below the training level cost 1.9 / 3.4 / "
    "4.6 dB a track heard as it is.")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", metavar="WEIGHTS.pt")
    ap.add_argument("out", metavar="OUT.onnx")
    ap.add_argument("--version", required=True, help="version name of the shipped file")
    ap.add_argument("--pan-aware", default="", metavar="SIGMA,FLOOR[,STEER]", help="its Wiener step ('': plain)")
    ap.add_argument("--wiener-alpha", type=float, default=1.0, metavar="A")
    ap.add_argument("--val", required=True, metavar="DIR,DIR", help="validation sets (the first: the card's own)")
    ap.add_argument("--previous", default=None, metavar="PREVIOUS.onnx", help="the separator it replaces")
    ap.add_argument("--notes", default="", help="why it ships (the card's shipping.decision)")
    ap.add_argument("--mono-rule", default=MONO_RULE,
                    help="the decision behind the mono separations' pitch comb (the card's mono)")
    ap.add_argument("--input-level-rule", default=INPUT_LEVEL_RULE,
                    help="the decision behind the level range the network hears (the card's input_level.rule)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    for p in (out, out.with_suffix(".pt"), out.with_suffix(".json")):
        if p.exists():
            ap.error(f"{p} exists: move the previous files away first (nothing is overwritten)")

    import torch

    from jazzremix_gui.core.evaluation import evaluate_dataset, paired_comparison
    from jazzremix_gui.core.models import ModelSession, with_wiener_step
    from jazzremix_gui.core.signal import input_level, pitch_comb
    from jazzremix_gui.core.signal.spatial import PanAware
    from jazzremix_gui.training import architectures, cards
    from jazzremix_gui.training import separator_weights as weights
    from jazzremix_gui.training.export import export_onnx, sha256, write_card
    from jazzremix_gui.training.remix_sampler import split_folders
    from jazzremix_gui.training.separator_card import (REPRODUCE, guard_entry, model_meta, totals,
                                                       validation_entry)

    pan_aware = PanAware.parse(args.pan_aware).to_text() if args.pan_aware else ""
    model, _, history = weights.load_init(args.weights)
    model.eval()
    meta = model_meta(SimpleNamespace(hop=1024, version=args.version, arch="mask", wiener_alpha=args.wiener_alpha,
                                      pan_aware=pan_aware), model, out)
    props = cards.metadata_props(meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out, props, torch.rand(40, architectures.N_BINS) * 0.05, "mix_mag", "solo_mag")
    pt = weights.save_weights(model, out, history)
    session = ModelSession(out, "separator", prefer_gpu=False)
    vals = [validation_entry(d, session) for d in split_folders(args.val)]
    comparison = {}
    if args.previous:
        prev = ModelSession(args.previous, "separator", prefer_gpu=False)
        steps = {f"{prev.meta.version} (its own step)": prev}
        if pan_aware and prev.meta.pan_aware != pan_aware:
            wrapped = with_wiener_step(prev, PanAware.parse(pan_aware))
            steps[wrapped.meta.version] = wrapped
        ours = {v["dataset"]: {"tracks": v["per_track"]} for v in vals}
        for name, s in steps.items():
            comparison[name] = {}
            for d in split_folders(args.val):
                theirs = evaluate_dataset(d, s)
                # the medians, and track by track (this minus that; `jazzremix evaluate --against`)
                comparison[name][d] = {**_medians(theirs), "paired": paired_comparison(ours[d], theirs)}
    card = cards.card_head(out, props, meta.architecture, architectures.parameter_count(model))
    card |= {
        "torch_weights": pt.name,
        "shipping": {"from": f"{args.weights} (sha256 {sha256(args.weights)})",
                     "command": "python scripts/ship_separator.py " + " ".join(argv or sys.argv[1:]),
                     "wiener_step": pan_aware or "plain", "decision": args.notes},
        "training": history[-1] if history else None,
        "history": history,
        "total": totals(history),
        "reproduce": REPRODUCE,
        "data": {"train": history[-1].get("train") if history else None,
                 "validation": [v["dataset"] for v in vals]},
        "validation": vals[0],
        "validation_other": vals[1:],
        "comparison": comparison,
        "quality_guard": guard_entry(session),
        "input_level": input_level.card_entry(args.input_level_rule),
        "mono": pitch_comb.card_entry(args.mono_rule),
    }
    write_card(out, card)
    for v in vals:
        m = v["median_sdr_db"]
        print(f"{v['dataset']}: median solo {m['solo']:.2f} dB (oracle {m['oracle_solo']:.2f}), "
              f"accompaniment {m['accompaniment']:.2f} dB (oracle {m['oracle_accompaniment']:.2f})")
    print(json.dumps(comparison, indent=1))
    return 0


def _medians(result: dict) -> dict:
    m = result["median"]
    return {k: round(float(v), 3) for k, v in m.items()}


if __name__ == "__main__":
    sys.exit(main())
