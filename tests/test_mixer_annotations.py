"""Annotation files: round trip, compact features, and bad files (never fatal)."""

import json
import warnings

import numpy as np
import pytest

from jazzremix_gui.core import annotations as A

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
    feats = A.annotation_features(*stems, RATE, SECTIONS, hop=1024, clip_frames=16, clips_per_section=2)
    for _ in range(2):
        A.record_annotation(tmp_path / "in.wav", "ab" * 32, SECTIONS, -45, 1.5, feats, "sep-1", "mix-1", path=path)
    items, warned = read(path)
    assert len(items) == 2 and not warned
    a = items[0]
    assert (a.pan_deg, a.gain, a.input_sha256, a.mixer_version) == (-45.0, 1.5, "ab" * 32, "mix-1")
    assert [s["pan_deg"] for s in a.sections] == [-45.0, 10.0]
    clips = A.decode_clips(a.features)
    assert len(clips) == 4 and {k for k, _ in clips} == {0, 1}
    assert clips[0][1].shape == (16, 2, 2049) and clips[0][1].dtype == np.float32
    # quantised to 0.6 dB: the loudest bins survive within 0.3 dB
    from jazzremix_gui.core.stft import stft
    k, clip = clips[-1]
    start = next(c["start_frame"] for c in a.features["clips"][::-1])
    ref = np.abs(stft(stems[0], 1024, start, start + 16))
    big = ref > ref.max() * 0.1
    assert np.allclose(20 * np.log10(clip[:, 0][big]), 20 * np.log10(ref[big]), atol=0.31)


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


def test_corrupt_feature_clip_is_skipped(tmp_path, stems):
    feats = A.annotation_features(*stems, RATE, SECTIONS[:1], hop=1024, clip_frames=8, clips_per_section=2)
    feats["clips"][0]["data"] = "not base64 at all!"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clips = A.decode_clips(feats)
    assert len(clips) == 1 and caught


@pytest.mark.parametrize("input_kind,hop", [("solo_acc_magnitude", 1024), ("solo_acc_magnitude", 512),
                                            ("solo_magnitude", 512)])
def test_annotation_features_are_what_the_mixer_reads(tmp_path, input_kind, hop):
    """Fine-tuning data = the mixer's input in use: same hop, same frames, same features (to the 0.6 dB step)."""
    from tiny_models import tiny_mixer

    from jazzremix_gui.core import features, pipeline
    from jazzremix_gui.core.suggestion import run_mixer

    rate = 48000  # not the model rate: both paths resample
    rng = np.random.default_rng(5)
    t = np.arange(rate * 5) / rate
    solo = (0.2 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 0.7 * t))).astype(np.float32)
    acc = rng.normal(0, 0.05, (t.size, 2)).astype(np.float32)
    mixer = pipeline.load_model(tiny_mixer(tmp_path / "m.onnx", input_kind=input_kind, hop=hop), "mixer")
    seen = []
    run = mixer.run
    mixer.run = lambda x: (seen.append(np.array(x)), run(x))[1]
    suggestion = run_mixer(mixer, solo, acc, rate)
    model_input = np.concatenate(seen)  # one block: every frame the mixer read, in order
    secs = [{"start": 0.5, "end": 2.5}, {"start": 2.5, "end": 5.0}]
    stored = A.annotation_features(solo, acc, rate, secs, mixer.meta.hop, clip_frames=8, clips_per_section=2)
    assert stored["hop"] == hop
    clips = A.decode_clips(stored)
    assert len(clips) == 4
    for (k, clip), item in zip(clips, stored["clips"]):
        lo = item["start_frame"]
        # the clip lies in its section, by the frame times the suggestion reports
        assert secs[k]["start"] - hop / 44100 <= features.frame_times(lo + 1, hop)[lo] <= secs[k]["end"]
        mine = features.mixer_input(clip[:, 0], clip[:, 1], input_kind)
        ref = model_input[lo : lo + 8]
        assert mine.shape == ref.shape
        big = ref > ref.max() * 1e-3
        assert np.allclose(20 * np.log10(mine[big]), 20 * np.log10(ref[big]), atol=0.31)
