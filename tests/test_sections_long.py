"""Per-section suggestions stay readable on a long recording, and unclear input is kept as recorded."""

import numpy as np
import pytest

from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.signal.sections import MIN_SECTION_S, find_sections
from jazzremix_gui.core.signal.mixer import MixerStream

DT = 1024 / 44100


def _medley(seed=0):
    """15 minutes: solos of 40-120 s (some with the same choice back to back) with breaths and band-only gaps."""
    rng = np.random.default_rng(seed)
    cells, active = [], []
    choices = [(2, 12), (2, 12), (6, 8), (9, 15), (9, 15), (12, 10), (4, 18), (7, 11), (7, 11), (10, 5)]
    for p, g in choices:
        n = int(rng.uniform(40, 120) / DT)
        act = np.ones(n, bool)
        for start in range(int(6 / DT), n, int(8 / DT)):  # a breath every 8 s, 0.3-1.5 s long
            act[start : start + int(rng.uniform(0.3, 1.5) / DT)] = False
        cells.append(np.full(n, codebook.cell_index(p, g)))
        active.append(act)
        gap = int(rng.uniform(5, 20) / DT)  # the band alone between solos
        cells.append(rng.integers(0, codebook.N_CELLS, gap))
        active.append(np.zeros(gap, bool))
    cells, active = np.concatenate(cells), np.concatenate(active)
    n = min(cells.size, int(15 * 60 / DT))
    cells, active = cells[:n], active[:n]
    jitter = rng.integers(-1, 2, (n, 2))  # frame noise: neighbouring cells, and 25 % random frames
    p_idx = np.clip(cells // codebook.N_GAINS + jitter[:, 0], 0, codebook.N_PANS - 1)
    g_idx = np.clip(cells % codebook.N_GAINS + jitter[:, 1], 0, codebook.N_GAINS - 1)
    noisy = codebook.cell_index(p_idx, g_idx)
    wild = rng.random(n) < 0.25
    noisy[wild] = rng.integers(0, codebook.N_CELLS, wild.sum())
    posts = np.full((n, codebook.N_CELLS), 0.2 / codebook.N_CELLS, np.float32)
    posts[np.arange(n), noisy] += 0.8
    return posts.astype(np.float16), active, np.arange(n) * DT


def test_long_medley_sections_are_few_long_and_distinct():
    posts, active, times = _medley()
    sections = find_sections(posts, active, times)
    assert sections[0].start == 0 and sections[-1].end == pytest.approx(times[-1] + DT / 2)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(sections, sections[1:]))
    active_sections = [s for s in sections if s.active]
    assert 5 <= len(active_sections) <= 10, [(round(s.start), round(s.end), s.pan_deg, s.gain) for s in sections]
    assert len(sections) <= 20
    for i, s in enumerate(sections):
        if s.end - s.start < MIN_SECTION_S - 1e-6:  # short only where the solo truly enters or leaves
            neighbours = sections[max(0, i - 1): i] + sections[i + 1: i + 2]
            assert not s.active or all(not n.active for n in neighbours)
    for a, b in zip(sections, sections[1:]):
        assert (a.active, a.pan_deg, a.gain) != (b.active, b.pan_deg, b.gain)
    for s in active_sections:
        assert s.clear and s.confidence > 0.2  # well above a flat posterior (0.023)


def test_flat_posterior_is_kept_as_recorded():
    n = int(20 / DT)
    posts = np.full((n, codebook.N_CELLS), 1 / codebook.N_CELLS, np.float16)
    sections = find_sections(posts, np.ones(n, bool), np.arange(n) * DT, recorded_pan_deg=-12.0)
    assert len(sections) == 1 and not sections[0].clear
    assert (sections[0].pan_deg, sections[0].gain) == (-12.0, 1.0)


class _Flat:
    """A mixer session stand-in whose posterior is flat (uniform) whatever it hears."""

    class meta:
        hop, context_frames, input_kind, version = 1024, 0, "solo_magnitude", "flat"

    def run(self, feats):
        return np.full((feats.shape[0], codebook.N_CELLS), 1 / codebook.N_CELLS, np.float32)


@pytest.mark.parametrize("seconds, solo", [(10.0, 0.0), (1.0, 0.1), (10.0, 0.1)])
def test_silence_short_files_and_flat_posteriors_give_no_clear_suggestion(seconds, solo):
    n = int(seconds * 44100)
    rng = np.random.default_rng(0)
    stream = MixerStream(_Flat(), n)
    x = (solo * rng.standard_normal(n)).astype(np.float32)
    for i in range(0, n, 30000):
        stream.push(x[i: i + 30000], np.zeros((min(30000, n - i), 2), np.float32))
    sugg = stream.finish(recorded_pan_deg=7.0)
    assert not sugg.clear and (sugg.pan_deg, sugg.gain) == (7.0, 1.0)
    data = sugg.to_json()
    assert data["kept_as_recorded"] and data["status"] == "no clear suggestion: kept as recorded"
    assert np.array(data["posterior"]).shape == (19, 21) and data["reason"]


def test_absent_solo_gives_no_clear_suggestion():
    n = int(30 / DT)
    stream = MixerStream(_Flat(), n * 1024)
    x = np.random.default_rng(1).standard_normal(n * 1024).astype(np.float32)
    for i in range(0, x.size, 65536):
        stream.push(x[i: i + 65536], np.zeros((min(65536, x.size - i), 2), np.float32))
    assert not stream.finish(0.0, solo_share_db=-30.0).clear


def test_mixer_stream_equals_whatever_the_block_sizes(tmp_path):
    from jazzremix_gui.core.models import ModelSession
    from jazzremix_gui.core.signal.mixer import run_mixer
    from tiny_models import tiny_mixer

    mixer = ModelSession(tiny_mixer(tmp_path / "m.onnx", input_kind="solo_acc_magnitude"), "mixer")
    rng = np.random.default_rng(3)
    n = 44100 * 20 + 321
    solo = (0.1 * rng.standard_normal(n) * (np.arange(n) > n // 3)).astype(np.float32)
    acc = (0.05 * rng.standard_normal((n, 2))).astype(np.float32)
    whole = run_mixer(mixer, solo, acc, 44100)
    for block in (1000, 44100 * 7):
        stream = MixerStream(mixer, n)
        for i in range(0, n, block):
            stream.push(solo[i: i + block], acc[i: i + block])
        got = stream.finish()
        np.testing.assert_allclose(got.posterior, whole.posterior, atol=1e-9)
        np.testing.assert_allclose(got.frame_posteriors, whole.frame_posteriors, atol=1e-6)
        assert [(s.start, s.pan_deg, s.gain) for s in got.sections] == \
            [(s.start, s.pan_deg, s.gain) for s in whole.sections]


class _Sure(_Flat):
    """A mixer stand-in sure of one cell whatever it hears."""

    def run(self, feats):
        out = np.full((feats.shape[0], codebook.N_CELLS), 0.1 / codebook.N_CELLS, np.float32)
        out[:, codebook.cell_index(12, 8)] += 0.9
        return out


@pytest.mark.parametrize("seconds, clear", [(2.0, False), (3.0, True), (2.9, False), (2.97, False)])
def test_a_short_recording_hears_no_more_solo_than_it_lasts(seconds, clear):
    """The frames reach past the ends: a 3.0 s file read 3.16 s of solo, a 2 s file whose solo plays throughout
    was "solo silent" with "no solo heard". Now the solo heard is at most the length, the sections end at it, and
    a short solo is too little to judge."""
    n = int(seconds * 44100)
    stream = MixerStream(_Sure(), n)
    x = (0.3 * np.random.default_rng(2).standard_normal(n)).astype(np.float32)
    stream.push(x, np.zeros((n, 2), np.float32))
    sugg = stream.finish(recorded_pan_deg=0.0)
    assert sugg.active_seconds <= n / 44100 + 1e-9 and sugg.active_seconds > seconds - 0.2
    assert sugg.sections[-1].end == pytest.approx(n / 44100) and all(s.active for s in sugg.sections)
    assert sugg.clear == clear
    if not clear:  # rounded down (2.97 s once said "3.0 s heard, a suggestion needs 3 s"); no section judged either
        heard = int(sugg.active_seconds * 10) / 10
        assert sugg.reason == f"too little solo to judge: {heard:.1f} s heard, a suggestion needs 3 s"
        assert not any(s.clear for s in sugg.sections) and all(
            (s.pan_deg, s.gain) == (sugg.pan_deg, sugg.gain) for s in sugg.sections)
    assert sugg.to_json()["solo_active_s"] <= round(n / 44100, 2)
