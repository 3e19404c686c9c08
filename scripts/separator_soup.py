"""Average the weights of separators fine-tuned from one start (a "model soup", Wortsman et al. 2022).

    python scripts/separator_soup.py OUT.pt A.pt B.pt ...

The ingredients must share the mask architecture (a training-only pitch head is dropped); the
first one's architecture and history are kept. Evaluate the soup without training it:

    jazzremix train-separator --init OUT.pt --lr 0 --minutes 0.01 --val data/val-unseen,data/val-v2 ...

(one step at learning rate 0: the export, both evaluations and the card). Experiment "v3 (k)" on
``models/separator.json`` used it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.training import separator_weights as weights  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out, paths = argv[0], argv[1:]
    loaded = [weights.load_init(p) for p in paths]
    models = [m for m, _, _ in loaded]
    base, _, history = loaded[0]
    state = base.state_dict()
    for p, m in zip(paths, models):
        theirs = m.state_dict()
        missing = [k for k in state if k not in theirs or theirs[k].shape != state[k].shape]
        if missing:
            print(f"{p}: not the same architecture ({', '.join(missing[:3])})", file=sys.stderr)
            return 1
    base.load_state_dict(weights.average_states([m.state_dict() for m in models]))
    torch.save({"model": base.state_dict(), "arch": weights.arch_config(base), "history": list(history)}, out)
    print(f"{out}: the average of {len(paths)} separators")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
