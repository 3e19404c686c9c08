"""The mixing policy: deterministic labels, gain relative to the recorded balance, edges, pan preferences."""

import numpy as np
import pytest

from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.signal.panlaw import pan_mono
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


def test_gain_is_the_change_to_the_recorded_balance():
    solo, acc = stems(solo_db=-4.0)
    meta = {"instrument": "trumpet", "style": "blues", "activity": [[0.0, 4.0]]}
    lab = P.policy_label(solo, acc, meta, "t", seed=0)
    assert 0 < lab.gain_exact < 2
    assert lab.recorded_balance_lu == pytest.approx(P.loudness(solo) - P.loudness(acc), abs=0.01)
    got = P.loudness(solo * lab.gain_exact) - P.loudness(acc)  # the recorded solo scaled by the gain
    assert got == pytest.approx(lab.target_lu, abs=0.05)
    assert abs(lab.gain - lab.gain_exact) <= 0.05 + 1e-9


def test_gain_is_level_and_pan_invariant_and_follows_the_balance():
    solo, acc = stems(solo_db=-3.0)
    meta = {"instrument": "alto_sax", "style": "bebop", "activity": [[0.0, 4.0]]}
    base = P.policy_label(solo, acc, meta, "t")
    quieter = P.policy_label(solo * 0.25, acc * 0.25, meta, "t")
    assert quieter.gain_exact == pytest.approx(base.gain_exact, rel=1e-3)
    louder_solo = P.policy_label(solo * 2, acc, meta, "t")
    assert louder_solo.requested_db == pytest.approx(base.requested_db - 6.02, abs=0.05)  # asked: 6 dB less
    assert louder_solo.gain_exact == pytest.approx(10 ** (P.limit_change_db(louder_solo.requested_db) / 20), rel=1e-3)
    mono = solo.mean(axis=1) / 0.7 * np.sqrt(0.98)  # the same channel energy, recorded hard left
    left = P.policy_label(pan_mono(mono, -45.0, 1.0), acc, meta, "t")
    assert left.gain_exact == pytest.approx(base.gain_exact, rel=0.02)
    assert P.policy_label(solo * 0.3, acc, meta, "t").gain_exact > base.gain_exact  # quieter solo: more boost


def test_knees_keep_a_buried_or_dominant_solo_off_the_edges():
    """A solo buried 40 dB (or 12 dB, as the separator reads seg7) under the band is not pushed to +6 dB;
    one 30 dB over it is cut, not muted. The knees are continuous, monotonic, linear in between."""
    solo, acc = stems(solo_db=-3.0)
    styles = ("ballad", "bebop", "dixieland", "blues")
    for k, inst in enumerate(P.TARGET_LU):
        for style in (styles[k % 4], styles[(k + 1) % 4]):
            meta = {"instrument": inst, "style": style, "activity": [[0.0, 4.0]]}
            for scale in (0.01, 0.25, 30.0):
                for i in range(2):
                    lab = P.policy_label(solo * scale, acc, meta, f"track_{i:05d}")
                    pan_i, gain_i = codebook.cell_classes(np.array([lab.cell, lab.noiseless_cell]))
                    assert np.all((gain_i > 0) & (gain_i < codebook.N_GAINS - 1)), (inst, style, scale, lab)
                    assert np.all((pan_i > 0) & (pan_i < codebook.N_PANS - 1))
                    if scale == 0.01:
                        assert lab.requested_db > 30 and 1.5 <= lab.gain <= 1.7  # brought forward, by < +4.5 dB
                    if scale == 30.0:
                        assert lab.requested_db < -25 and 0.2 <= lab.gain <= 0.3  # brought back, not muted
    c = np.linspace(-40, 30, 1401)
    out = P.limit_change_db(c)
    assert np.all(np.diff(out) > 0) and np.all(np.diff(out) <= 0.05 + 1e-9)  # increasing, slope <= 1
    assert out.max() < P.BOOST_MAX_DB and out.min() > P.CUT_FLOOR_DB
    mid = (c >= P.CUT_KNEE_DB) & (c <= P.BOOST_KNEE_DB)
    assert np.array_equal(out[mid], c[mid])
    assert P.limit_change_db(4.0) == pytest.approx(3.66, abs=0.01)  # the docstring's figures
    assert P.limit_change_db(6.0) == pytest.approx(4.30, abs=0.01)


def test_label_edge_rates_on_a_generated_set():
    """Solo levels drawn from the synth's real profile: few labels on the codebook's edges."""
    from jazzremix_gui.training.synth.mixdown import solo_level_db

    rng = np.random.default_rng(5)
    cells = []
    insts = list(P.TARGET_LU)
    for i in range(60):
        level = solo_level_db(rng, "real") - 1.0  # the synth's level -> balance offset (calibration)
        solo, acc = stems(seed=i, seconds=2.0, solo_db=0.0, freq=300 + 40 * i)
        solo *= 10 ** ((level - (P.loudness(solo) - P.loudness(acc))) / 20)
        meta = {"instrument": insts[i % len(insts)], "style": ("ballad", "bebop", "dixieland", "blues")[i % 4],
                "activity": [[0.0, 2.0]]}
        cells.append(P.policy_label(solo, acc, meta, f"track_{i:05d}").cell)
    rates = P.edge_rates(cells)
    assert rates["n"] == 60 and rates["gain_edge"] <= 0.05 and rates["pan_edge"] <= 0.02
    assert P.edge_rates([0, 20, 398, 200])["gain_edge"] == 0.75  # gain 0.0, 2.0, 2.0 and 1.0


def test_level_profiles():
    from jazzremix_gui.training.synth import mixdown

    a, b = np.random.default_rng(3), np.random.default_rng(3)
    assert [mixdown.solo_level_db(a, "wide") for _ in range(50)] == [round(float(b.uniform(-8, 8)), 3)
                                                                     for _ in range(50)]
    r = np.random.default_rng(0)
    real = np.array([mixdown.solo_level_db(r, "real") for _ in range(4000)])
    lim = mixdown.REAL_LEVEL_TRUNC * mixdown.REAL_LEVEL_SD_DB
    assert abs(real.mean() - mixdown.REAL_LEVEL_MEAN_DB) < 0.15 and 1.8 < real.std() < 2.2
    assert real.min() >= mixdown.REAL_LEVEL_MEAN_DB - lim - 1e-3 and real.max() <= mixdown.REAL_LEVEL_MEAN_DB + lim + 1e-3
    c, d = np.random.default_rng(9), np.random.default_rng(9)  # one draw each: the rest of a track is unchanged
    mixdown.solo_level_db(c, "real"), mixdown.solo_level_db(d, "wide")
    assert c.random() == d.random()
    with pytest.raises(ValueError):
        mixdown.solo_level_db(c, "loud")


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
