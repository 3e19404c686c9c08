"""The README's table of the nine real-jazz segments: the paper system's choice beside ours.

Paper columns: pan and gain fitted by ``scripts/paper_pan_estimates.py`` (gain relative to its
own mono solo, bare pan law) and the same choice on our scale, *gain relative to the
recording*: ``sqrt(E(remixed - acc) / E(mixture - acc))`` with the paper's own accompaniment
(``segN_acc.mp3``), i.e. how loud its remixed solo is next to the solo as it sits in the record.

Our columns: ``core.pipeline.analyse`` on ``segN.mp3`` with the installed separator and mixer
(what ``jazzremix suggest`` prints): pan / gain (relative to the recording) or "kept as
recorded", confidence, sections (distinct firm cells among the active ones), and the
suggested remix's peak and hard-clipped samples when written as 24-bit WAV.

Usage: ``python scripts/real_jazz_table.py [--dir ../shared/real-jazz] [--mixer PATH] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from paper_pan_estimates import best_offset, estimate, shift  # noqa: E402
from jazzremix_gui.services.remix_writer import render_remix


def paper_gain_vs_recording(folder: Path, n: int) -> float:
    """The paper's remixed solo level relative to the solo as recorded (linear, energy ratio)."""
    mix, _ = audio_io.read_audio(folder / f"seg{n}.mp3")
    acc, _ = audio_io.read_audio(folder / f"seg{n}_acc.mp3")
    remix, _ = audio_io.read_audio(folder / f"seg{n}_remixed.mp3")
    m = min(len(mix), len(acc), len(remix))
    mix, acc, remix = (np.asarray(x[:m], np.float64) for x in (_stereo(mix), _stereo(acc), _stereo(remix)))
    lag_mix = best_offset(acc.mean(axis=1), mix.mean(axis=1))
    lag_rem = best_offset(acc.mean(axis=1), remix.mean(axis=1))
    mix = np.stack([shift(mix[:, c], lag_mix) for c in range(2)], 1)
    remix = np.stack([shift(remix[:, c], lag_rem) for c in range(2)], 1)
    edge = 8192  # ignore the ends the shifts zero-filled
    recorded = ((mix - acc)[edge:-edge] ** 2).sum()
    remixed = ((remix - acc)[edge:-edge] ** 2).sum()
    return float(np.sqrt(remixed / max(recorded, 1e-20)))


def deg(pan: float) -> str:
    """``+10 deg``, ``-25 deg``, ``0 deg`` (no signed zero)."""
    p = int(round(pan))
    return f"{p:+d} deg" if p else "0 deg"


def _stereo(x: np.ndarray) -> np.ndarray:
    return np.repeat(x, 2, axis=1) if x.shape[1] == 1 else x


def ours(path: Path, separator, mixer) -> dict:
    result = pipeline.analyse(path, separator=separator, mixer=mixer)
    stems, sugg = result.stems, result.suggestion
    remix = render_remix(stems, sugg.pan_deg, sugg.gain)
    active = [s for s in sugg.sections if s.active]
    cells = {(s.pan_deg, s.gain) for s in active if s.clear}
    return {"pan_deg": sugg.pan_deg, "gain": sugg.gain, "clear": sugg.clear, "confidence": sugg.confidence,
            "recorded_pan_deg": stems.recorded_pan_deg, "solo_level": stems.solo_level,
            "solo_share_db": stems.solo_share_db, "sections": len(sugg.sections), "active_sections": len(active),
            "distinct_cells": len(cells), "peak_dbfs": float(20 * np.log10(np.abs(remix).max() + 1e-12)),
            "clipped_24bit": int((np.abs(remix) >= 1.0).sum()), "mixer": sugg.model_version,
            "separator": stems.model_version}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=str(ROOT.parent / "shared" / "real-jazz"))
    ap.add_argument("--separator", help="separator ONNX (default: the installed one)")
    ap.add_argument("--mixer", help="mixer ONNX (default: as the app chooses)")
    ap.add_argument("--json", metavar="OUT", help="also write all rows as JSON")
    args = ap.parse_args()
    folder = Path(args.dir)
    sep = pipeline.load_model(args.separator, "separator")
    mix = pipeline.load_model(args.mixer, "mixer")
    rows = []
    print(f"separator {sep.meta.version}, mixer {mix.meta.version}; gains relative to the recording\n")
    print("| segment | paper: pan / gain (own solo) | paper: gain vs recording | fit | ours: pan / gain "
          "| confidence | sections (firm cells) | suggested remix: peak, clipped 24-bit samples |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in range(1, 10):
        paper = estimate(folder, n)
        paper["gain_vs_recording"] = paper_gain_vs_recording(folder, n)
        row = {"segment": f"seg{n}", "paper": paper, "ours": ours(folder / f"seg{n}.mp3", sep, mix)}
        rows.append(row)
        o = row["ours"]
        g = paper["gain_vs_recording"]
        choice = (f"{deg(o['pan_deg'])} / {o['gain']:.1f} ({20 * np.log10(max(o['gain'], 1e-6)):+.1f} dB)"
                  if o["clear"] else f"kept as recorded ({deg(o['pan_deg'])} / 1.0)")
        print(f"| seg{n} | {deg(paper['pan_deg_fit'])} / {paper['gain_fit']:.2f} | {g:.2f} "
              f"({20 * np.log10(max(g, 1e-6)):+.1f} dB) | {paper['fit_explained']:.2f} | {choice} "
              f"| {100 * o['confidence']:.0f} % | {o['active_sections']} ({o['distinct_cells']}) "
              f"| {o['peak_dbfs']:+.1f} dBFS, {o['clipped_24bit']} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
