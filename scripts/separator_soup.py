"""Average the weights of separators fine-tuned from one start (a "model soup", Wortsman et al. 2022).

    python scripts/separator_soup.py OUT.pt A.pt B.pt ...

The ingredients must share the mask architecture (a training-only pitch head is dropped); one without the
input gate (``train-separator --gate``) joins gated ones with its gate at zero, the same function, and one without
the harmonic comb (``--comb``) joins combed ones with the comb's scale at zero (the pitch head is then the mean of
the heads the ingredients trained). The first one's history is kept. Evaluate the soup without training it:

    jazzremix train-separator --init OUT.pt --lr 0 --minutes 0.01 --val data/val-unseen,data/val-v2 ...

(one step at learning rate 0: the export, both evaluations and the card). Experiment "v3 (k)" on
``models/separator.json`` used it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.training import architectures, separator_weights as weights  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out, paths = argv[0], argv[1:]
    loaded = [weights.load_init(p) for p in paths]
    # a separator without the input gate is the same function as with its gate at zero (architectures.with_gate),
    # and one without the harmonic comb the same as with the comb's scale at zero (architectures.with_comb)
    gated = any(getattr(m, "gate", False) for m, _, _ in loaded)
    combed = any(getattr(m, "comb", False) for m, _, _ in loaded)
    headed = [bool(getattr(m, "pitch_classes", 0)) for m, _, _ in loaded]
    models = [architectures.with_gate(m) if gated and not getattr(m, "gate", True) else m for m, _, _ in loaded]
    models = [architectures.with_comb(m) if combed and not getattr(m, "comb", True) else m for m in models]
    base, history = models[0], loaded[0][2]
    state = base.state_dict()
    for p, m in zip(paths, models):
        theirs = m.state_dict()
        missing = [k for k in state if k not in theirs or theirs[k].shape != state[k].shape]
        if missing:
            print(f"{p}: not the same architecture ({', '.join(missing[:3])})", file=sys.stderr)
            return 1
    mean = weights.average_states([m.state_dict() for m in models])
    if combed:  # the comb's pitch head: the mean of the heads the ingredients trained (a fresh one counts for none)
        mean |= {k: v for k, v in weights.average_states([m.state_dict() for m, h in zip(models, headed) if h]).items()
                 if k.startswith("pitch.")}
    base.load_state_dict(mean)
    written = weights.save_weights(base, out, soup_history([h for _, _, h in loaded], paths, argv))  # atomically
    print(f"{written}: the average of {len(paths)} separators")
    return 0


def soup_history(histories: list[list[dict]], paths: list[str], argv: list[str]) -> list[dict]:
    """The soup's training history: the stages its ingredients share, then each ingredient's own stages (every
    CPU-second spent counts; ``branch`` names the ingredient), then the averaging itself (no steps)."""
    shared = 0
    while all(len(h) > shared and h[shared].get("command") == histories[0][shared].get("command") for h in histories):
        shared += 1
    stages = [dict(h) for h in histories[0][:shared]]
    for path, h in zip(paths, histories):
        for own in h[shared:]:
            stages.append(dict(own) | {"stage": len(stages) + 1, "branch": path, "branch_from_stage": shared})
    stages.append({"stage": len(stages) + 1, "version": "soup", "command": "python scripts/separator_soup.py "
                   + " ".join(argv), "init": None, "soup_of": list(paths), "steps": 0, "wall_s": 0, "cpu_s": 0,
                   "note": f"the weights of the {len(paths)} branches averaged; they share stages 1-{shared}"})
    return stages


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
