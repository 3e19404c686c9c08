"""Histogram of the policy's labels on the mixer's training and validation sets (issue #10 item 2).

Reads the labels through the training recipe's own loader (its cache when the sets were
already used for training, with the same seeds as ``jazzremix train-mixer --seed K``) and
draws, per set, the pan and gain label histograms, the recorded balance of the tracks and
the gain change in dB, with the shares of labels on the codebook's edges in the titles.

``python scripts/plot_mixer_labels.py --train data/mixer-train --val data/mixer-val --seed 7 --out docs/mixer_labels.png``
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from jazzremix_gui.core.signal import codebook
from jazzremix_gui.training.mixer_policy import BOOST_MAX_DB, CUT_FLOOR_DB, POLICY_VERSION, edge_rates
from jazzremix_gui.training.train_mixer import MixerConfig, load_tracks


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True)
    p.add_argument("--val", required=True)
    p.add_argument("--seed", type=int, default=0, help="the --seed of train-mixer (labels' listener spread)")
    p.add_argument("--cache", default="checkpoints/mixer/cache")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = MixerConfig()  # the recipe's cache keys: the same raw-magnitude tracks kept as train-mixer keeps
    sets = {"train": load_tracks(a.train, a.cache, a.seed, keep_solo=cfg.seed_tracks),
            "validation": load_tracks(a.val, a.cache, a.seed + 500, keep_solo=10**6)}
    fig, axes = plt.subplots(2, 3, figsize=(11, 5.6), dpi=100)
    summary = {}
    for row, (name, tracks) in enumerate(sets.items()):
        cells = np.array([t.cell for t in tracks])
        pans, gains = codebook.cell_classes(cells)
        rates = edge_rates(cells)
        summary[name] = rates
        bal = np.array([t.label["recorded_balance_lu"] for t in tracks])
        change = 20 * np.log10(np.maximum([t.label["gain_exact"] for t in tracks], 1e-3))
        requested = np.array([t.label["requested_db"] for t in tracks])
        ax = axes[row, 0]
        ax.hist(codebook.PANS_DEG[pans], bins=np.arange(-47.5, 50, 5), color="tab:blue")
        ax.set_title(f"{name}: pan labels ({len(tracks)} tracks), {100 * rates['pan_edge']:.1f} % on +-45", fontsize=9)
        ax.set_xlabel("pan (deg)")
        ax = axes[row, 1]
        ax.hist(codebook.GAINS[gains], bins=np.arange(-0.05, 2.1, 0.1), color="tab:orange")
        ax.set_title(f"gain labels, {100 * rates['gain_edge']:.1f} % on 0.0 or 2.0", fontsize=9)
        ax.set_xlabel("gain (1.0 = as recorded)")
        ax = axes[row, 2]
        bins = np.arange(-16, 16.5, 1.0)
        ax.hist(bal, bins=bins, alpha=0.5, label="recorded balance (LU)")
        ax.hist(requested, bins=bins, histtype="step", color="k", label="change asked (dB)")
        ax.hist(change, bins=bins, alpha=0.5, label="change made, knees (dB)")
        for x in (20 * np.log10(1.95), BOOST_MAX_DB, CUT_FLOOR_DB):
            ax.axvline(x, color="k", ls=":", lw=0.8)
        ax.set_title("recorded balance, the change asked and made", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"Mixer labels ({POLICY_VERSION}) on the synthesised sets (level profile 'real')", fontsize=10)
    fig.tight_layout()
    fig.savefig(a.out)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
