"""Annotation files: round trip, compact features, and bad files (never fatal)."""

import json
import warnings

import numpy as np
import pytest

from jazzremix_gui.core import annotations as A
from jazzremix_gui.core.signal import features

RATE = 44100


@pytest.fixture
def stems():
    rng = np.random.default_rng(3)
    t = np.arange(RATE * 6) / RATE
    solo = (0.2 * np.sin(2 * np.pi * 330 * t) * (t > 1)).astype(np.float32)
    acc = rng.normal(0, 0.02, (t.size, 2)).astype(np.float32)
    return solo, acc


SECTIONS = [{"start": 0.0, "end": 3.0, "pan_deg": -45.0, "gain": 1.5},
            {"start": 3.0, "end": 6.0, "pan_deg": 10.0, "gain": 0.8, "active": True}]


def read(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        items = A.read_annotations(path)
    return items, [w for w in caught if issubclass(w.category, A.AnnotationWarning)]


def test_round_trip_with_features(tmp_path, stems):
    path = tmp_path / "sub" / "annotations.jsonl"
    feats = A.annotation_features(*stems, RATE, SECTIONS, solo_level=1.6)
    for _ in range(2):
        A.record_annotation(tmp_path / "in.wav", "ab" * 32, SECTIONS, -45, 1.5, feats, "sep-1", "mix-1", path=path)
    items, warned = read(path)
    assert len(items) == 2 and not warned
    a = items[0]
    assert (a.pan_deg, a.gain, a.input_sha256, a.mixer_version) == (-45.0, 1.5, "ab" * 32, "mix-1")
    assert [s["pan_deg"] for s in a.sections] == [-45.0, 10.0]
    secs, x = A.decode_frames(a.features)
    assert x.shape == (len(secs), features.MIXER_N_FEATURES) and set(secs.tolist()) == {0, 1}
    assert len(secs) <= A.MAX_FRAMES
    # the stored frames are the mixer's input there (to float16 precision); the solo starts at 1 s
    from jazzremix_gui.core.signal.stft import frame_count
    solo, acc = stems
    n = frame_count(solo.size, 1024)
    ref = features.band_features(features.mixer_band_powers(features.mid_magnitude(solo, 1024),
                                                            features.channel_power(acc, 1024), 1.6))
    frames = np.asarray(a.features["frames"])
    assert frames.min() * 1024 / RATE > 0.9 and frames.max() < n
    assert np.allclose(x, ref[frames], atol=0.02)


def test_an_annotation_is_small_whatever_the_length(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(RATE * 90) / RATE  # 90 s
    solo = (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    acc = rng.normal(0, 0.02, (t.size, 2)).astype(np.float32)
    secs = [{"start": 30.0 * k, "end": 30.0 * (k + 1), "pan_deg": 0.0, "gain": 1.0} for k in range(3)]
    path = tmp_path / "a.jsonl"
    A.record_annotation("x", "h", secs, 0.0, 1.0, A.annotation_features(solo, acc, RATE, secs), path=path)
    assert path.stat().st_size <= 50_000


def test_old_convention_lines_are_refused_with_a_clear_warning(tmp_path):
    path = tmp_path / "a.jsonl"
    old = {"schema": 1, "input_path": "x", "input_sha256": "h", "pan_deg": 0, "gain": 1.2, "sections": [],
           "features": {"hop": 1024, "clip_frames": 16, "clips": []}}
    path.write_text(json.dumps(old) + "\n")
    A.record_annotation("y", "h", [], 5.0, 0.9, path=path)
    items, warned = read(path)
    assert [a.input_path for a in items] == ["y"]
    assert len(warned) == 1 and "old gain convention" in str(warned[0].message) and ":1:" in str(warned[0].message)


def test_sha_is_computed_when_not_given(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"jazz")
    A.record_annotation(f, None, [], 0, 1.0, path=tmp_path / "a.jsonl")
    (item,), _ = read(tmp_path / "a.jsonl")
    assert item.input_sha256 == A.file_sha256(f) and len(item.input_sha256) == 64


def test_record_rejects_out_of_range(tmp_path):
    with pytest.raises(ValueError):
        A.record_annotation("x", "h", [], 60, 1.0, path=tmp_path / "a.jsonl")
    with pytest.raises(ValueError):
        A.record_annotation("x", "h", [{"start": 0, "end": 1, "pan_deg": 0, "gain": 3}], 0, 1.0,
                            path=tmp_path / "a.jsonl")
    assert not (tmp_path / "a.jsonl").exists()


def test_bad_lines_are_skipped_with_a_warning(tmp_path):
    path = tmp_path / "a.jsonl"
    A.record_annotation("x", "h", SECTIONS, 0, 1.0, path=path)
    good = path.read_text()
    path.write_bytes(good.encode() + b"\xff\xfe garbage\n" + b"[1, 2]\n" + json.dumps({"pan_deg": 99, "gain": 1}).encode()
                     + b"\n" + json.dumps({"pan_deg": 0, "gain": "loud"}).encode() + b"\n\n"
                     + json.dumps({"pan_deg": 0, "gain": 1, "sections": [{"start": 0}]}).encode() + b"\n"
                     + good.encode() + good.encode()[: len(good) // 2])  # partial last line (crash mid-write)
    items, warned = read(path)
    assert len(items) == 2
    assert len(warned) == 6 and all("annotation skipped" in str(w.message) for w in warned)


def test_missing_empty_and_binary_files(tmp_path):
    assert read(tmp_path / "none.jsonl") == ([], [])
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert read(tmp_path / "empty.jsonl") == ([], [])
    (tmp_path / "bin.jsonl").write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    items, warned = read(tmp_path / "bin.jsonl")
    assert items == [] and warned


def test_corrupt_or_foreign_features_are_skipped(tmp_path, stems):
    feats = A.annotation_features(*stems, RATE, SECTIONS[:1])
    broken = dict(feats, data="not base64 at all!")
    foreign = dict(feats, n_features=50)
    for bad in (broken, foreign):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            secs, x = A.decode_frames(bad)
        assert secs.size == 0 and x.shape == (0, features.MIXER_N_FEATURES) and caught


def test_annotation_features_are_what_the_mixer_reads(tmp_path):
    """Fine-tuning data = the mixer's input in use: the same features for the same frames."""
    from jazzremix_gui.core.signal.stft import frame_count

    rate = 48000  # not the model rate: both paths resample
    rng = np.random.default_rng(5)
    t = np.arange(rate * 32) / rate
    solo = (0.2 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 0.7 * t)) * (np.sin(2 * np.pi * 0.1 * t) > -0.5)
            ).astype(np.float32)  # with pauses: the gate of the pooled features is exercised
    acc = rng.normal(0, 0.05, (t.size, 2)).astype(np.float32)
    from jazzremix_gui.core.audio import audio_io

    s44, a44 = audio_io.resample(solo, rate, 44100), audio_io.resample(acc, rate, 44100)
    n = frame_count(s44.shape[0], 1024)
    whole, _ = features.mixer_features(s44, a44, 1024, "mixer_features", 0, n, solo_level=1.5)
    lo, hi = 440, 900  # a block with the context on both sides, as run_mixer reads it
    block, _ = features.mixer_features(s44, a44, 1024, "mixer_features", lo - features.MIXER_CONTEXT,
                                       hi + features.MIXER_CONTEXT, solo_level=1.5)
    assert np.allclose(block[features.MIXER_CONTEXT:-features.MIXER_CONTEXT], whole[lo:hi], atol=2e-3)
    secs = [{"start": 0.5, "end": 16.0}, {"start": 16.0, "end": 32.0}]
    stored = A.annotation_features(solo, acc, rate, secs, solo_level=1.5)
    k, x = A.decode_frames(stored)
    assert np.allclose(x, whole[np.asarray(stored["frames"])], atol=0.02)
    twice, _ = features.mixer_features(s44 * 3, a44 * 3, 1024, "mixer_features", 0, n, solo_level=1.5)
    assert np.allclose(twice, whole, atol=0.02)  # level-invariant (but for the floor of empty bands)
