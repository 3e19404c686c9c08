"""Diagnostic r22: the engineer names the solo's instrument; nothing below its lowest note is the solo's.

An engineer knows which instrument takes the solo. Every instrument has a lowest note (a trumpet's concert E3, a
tenor saxophone's A flat 2): below its fundamental the solo has (almost) nothing, so whatever the separator gave
the solo there (the bass, the kick, the piano's left hand) belongs to the accompaniment. The edit: a complementary
zero-phase split of each stem at ``f_low * 2**(-margin / 12)`` (Butterworth, order 8, run forward and back); the
solo keeps its high part, the accompaniment gets the recording's low part (the two still add up to the recording).

The lowest notes are the written ranges of the instruments (orchestration tables, concert pitch), not the
generators' tables; ``gen`` is the generator's own lowest note (an upper bound of what a truthful hint can know).

    python checkpoints/r22/lowest_note.py data/SET OUT.jsonl [--every 2 --offset 0|1] [--margins 2,5]

Per track: ``base`` (the shipped product), ``m<K>`` (the written range, K semitones of margin), ``gen<K>``.
"""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfiltfilt

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.training.adapt import teacher_session
from jazzremix_gui.training.synth.instruments import SOLO_INSTRUMENTS
from jazzremix_gui.training.synth.val_arrangement import VAL_SOLOISTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

#: The lowest sounding note (MIDI) of each solo instrument, from its written range in concert pitch.
WRITTEN_LOWEST = {
    "trumpet": 52, "cornet": 52, "muted_trumpet": 52, "clarinet": 50, "soprano_sax": 56, "alto_sax": 49,
    "tenor_sax": 44, "baritone_sax": 36, "trombone": 40, "flute": 60, "vibraphone": 53, "guitar": 40,
    "jazz_guitar": 40, "harmonica": 48, "violin": 55, "piano": 21,
}
GENERATOR_LOWEST = {**{i.name: i.low for i in SOLO_INSTRUMENTS.values()}, **{v[0]: v[2] for v in VAL_SOLOISTS}}


def hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def split_low(x: np.ndarray, cutoff_hz: float, rate: int) -> np.ndarray:
    """The part of ``x`` [shape=(n,) or (n, c)] below ``cutoff_hz`` (zero phase; ``x`` minus it is the rest)."""
    sos = butter(8, cutoff_hz / (rate / 2), output="sos")
    return sosfiltfilt(sos, x, axis=0).astype(np.float32)


def main():
    a = diagnostic_runs.arguments(margins="2,5")
    margins = [float(m) for m in a.margins.split(",")]
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        instrument = json.loads((Path(a.set) / name / "meta.json").read_text())["instrument"]
        stems = pipeline.separate(mix, rate, base)
        n = len(stems.solo)
        ref, acc_ref = solo.mean(axis=1)[:n], acc[:n]
        rec["instrument"] = instrument
        diagnostic_runs.score(rec, "base", ref, acc_ref, stems)
        mix_low_cache = {}
        for label, lowest in (("m", WRITTEN_LOWEST[instrument]), ("gen", GENERATOR_LOWEST[instrument])):
            for m in margins:
                cut = hz(lowest - m)
                if cut < 30:
                    rec[f"{label}{m:g}"] = rec["base"]
                    continue
                if cut not in mix_low_cache:
                    mix_low_cache[cut] = split_low(mix[:n].astype(np.float64), cut, rate)
                solo_e = stems.solo - split_low(stems.solo.astype(np.float64), cut, rate)
                acc_e = stems.accompaniment - split_low(stems.accompaniment.astype(np.float64), cut, rate) \
                    + mix_low_cache[cut]
                edited = dataclasses.replace(stems, solo=solo_e.astype(np.float32), accompaniment=acc_e.astype(np.float32))
                rec[f"{label}{m:g}"] = [global_sdr(ref, edited.solo), global_sdr(acc_ref, edited.accompaniment)]
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
