"""The mixing policy: deterministic labels, loudness-target gain, pan preferences, register."""

import numpy as np
import pytest

from jazzremix_gui.core import codebook
from jazzremix_gui.core.panlaw import pan_mono
from jazzremix_gui.training import mixer_policy as P

RATE = 44100


def stems(seed=0, seconds=4.0, solo_db=-6.0, freq=440.0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    solo = (10 ** (solo_db / 20) * 0.3 * np.sin(2 * np.pi * freq * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t)))
    acc = rng.normal(0, 0.05, (t.size, 2))
    return np.stack([solo, solo], axis=1).astype(np.float32) * 0.7, acc.astype(np.float32)


def test_labels_are_deterministic_per_track():
    solo, acc = stems()
    meta = {"instrument": "tenor_sax", "style": "medium_swing", "activity": [[0.0, 4.0]]}
    a = P.policy_label(solo, acc, meta, "track_00003", seed=1)
    b = P.policy_label(solo.copy(), acc.copy(), dict(meta), "track_00003", seed=1)
    assert a == b
    assert 0 <= a.cell < codebook.N_CELLS
    assert codebook.cell_to_pan_gain(a.cell) == (a.pan_deg, a.gain)
    spreads = {P.policy_label(solo, acc, meta, f"track_{i:05d}", seed=1).pan_deg for i in range(12)}
    assert len(spreads) > 1, "listeners' spread must vary between tracks"


def test_gain_reaches_the_loudness_target():
    solo, acc = stems(solo_db=-4.0)
    meta = {"instrument": "trumpet", "style": "blues", "activity": [[0.0, 4.0]]}
    lab = P.policy_label(solo, acc, meta, "t", seed=0)
    assert 0 < lab.gain_exact < 2
    mono = solo.mean(axis=1)
    got = P.loudness(pan_mono(mono, lab.pan_deg, lab.gain_exact)) - P.loudness(acc)
    assert got == pytest.approx(lab.target_lu, abs=0.05)
    assert abs(lab.gain - lab.gain_exact) <= 0.05 + 1e-9


def test_gain_is_level_invariant_and_follows_the_balance():
    solo, acc = stems(solo_db=-3.0)
    meta = {"instrument": "alto_sax", "style": "bebop", "activity": [[0.0, 4.0]]}
    base = P.policy_label(solo, acc, meta, "t")
    quieter = P.policy_label(solo * 0.25, acc * 0.25, meta, "t")
    assert quieter.gain_exact == pytest.approx(base.gain_exact, rel=1e-3)
    louder_solo = P.policy_label(solo * 2, acc, meta, "t")
    assert louder_solo.gain_exact == pytest.approx(base.gain_exact / 2, rel=1e-2)
    assert P.policy_label(solo * 0.01, acc, meta, "t").gain == 2.0  # buried solo: clipped at +6 dB


def test_pan_preferences_and_register():
    solo, acc = stems()
    pans = {}
    for inst in ("trumpet", "tenor_sax", "guitar", "vibraphone", "piano"):
        meta = {"instrument": inst, "style": "ballad", "activity": [[0.0, 4.0]]}
        pans[inst] = np.mean([P.policy_label(solo, acc, meta, f"x{i}").pan_deg for i in range(20)])
    assert pans["trumpet"] > 0 > pans["tenor_sax"]
    assert pans["guitar"] < pans["tenor_sax"] and pans["vibraphone"] > pans["trumpet"]
    assert abs(pans["piano"]) < 5
    assert P.register_of("baritone_sax", 3000.0) == "low"
    assert P.register_of("flute", 3000.0) == "high"
    assert P.register_of("trumpet", 1000.0) == "middle"
