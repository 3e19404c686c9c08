"""``separate --solo mono|stereo|residual`` and ``--stems``: what is written, and that residual stems add up."""

import json

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import pipeline
from jazzremix_gui.services import remix_writer
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP
from jazzremix_gui.core.signal.panlaw import place_solo
from test_cli import jazzremix, models  # noqa: F401 (models is a fixture)

RATE = 44100


def _song(path, seconds=2.0, hot=False, channels=2):
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    x = np.stack([0.35 * np.sin(2 * np.pi * 440 * t) + 0.08 * rng.standard_normal(t.size),
                  0.15 * np.sin(2 * np.pi * 440 * t + 0.4) + 0.08 * rng.standard_normal(t.size)], 1)
    if hot:  # a loud passage: the accompaniment's true peak goes above the ceiling
        x[t.size // 2: t.size // 2 + 3000] *= 3.0
    x = x[:, :1] if channels == 1 else x
    sf.write(path, x.astype(np.float32), RATE, subtype="FLOAT")
    return sf.read(path, dtype="float32", always_2d=True)[0]


def _folder(path):
    path.mkdir()
    return path


def _read(path):
    return sf.read(path, dtype="float32", always_2d=True)[0]


@pytest.mark.parametrize("bits, clip, tol", [(32, "none", 1e-6), (24, "limit", 2.0 ** -23 * 2.5),
                                             (16, "limit", 2.0 ** -15 * 4)])
def test_residual_stems_add_up_to_the_input(tmp_path, tiny_models, bits, clip, tol):
    x = _song(tmp_path / "x.wav")
    reports = pipeline.separate_file(tmp_path / "x.wav", _folder(tmp_path / "o"), spec=OutputSpec("wav", bits),
                                     model=pipeline.load_model(tiny_models / "separator.onnx"), clip=clip,
                                     solo="residual")
    solo, acc = _read(reports[0].path), _read(reports[1].path)
    assert solo.shape == acc.shape == x.shape
    assert np.abs(solo + acc - x).max() <= tol  # 16 bits: two dithered quantisations (TPDF: 2 LSB each at most)
    assert np.abs(solo).max() > 0.05 and np.abs(acc).max() > 0.05  # both stems hold signal
    assert all(r.limited == 0 and r.gain_db == 0 for r in reports)


def test_one_limiter_curve_for_both_stems(tmp_path, tiny_models):
    x = _song(tmp_path / "x.wav", hot=True)
    reports = pipeline.separate_file(tmp_path / "x.wav", _folder(tmp_path / "o"), spec=OutputSpec("wav", 32), solo="residual",
                                     model=pipeline.load_model(tiny_models / "separator.onnx"))
    solo, acc = _read(reports[0].path), _read(reports[1].path)
    assert reports[0].limited == reports[1].limited > 0
    assert reports[0].reduction_db == reports[1].reduction_db > 0
    assert reports[1].peak_dbtp > CEILING_DBTP > reports[0].peak_dbtp  # only the accompaniment needed it
    loud = np.abs(x) > 0.05
    ratio = (solo + acc)[loud] / x[loud]  # the sum is the input under one gain curve g(t) <= 1
    assert ratio.max() < 1 + 1e-5 and ratio.min() < 0.97
    per_sample = (solo + acc) / np.where(loud, x, 1)
    both = loud.all(axis=1)
    assert np.allclose(per_sample[both, 0], per_sample[both, 1], atol=1e-4)  # one curve for both channels
    quiet = slice(0, x.shape[0] // 2 - 3000)  # far from the loud passage: untouched
    assert np.abs((solo + acc)[quiet] - x[quiet]).max() < 1e-6
    assert "one gain for both" in reports[0].describe()


def test_rescale_gives_both_stems_one_factor(tmp_path, tiny_models):
    x = _song(tmp_path / "x.wav", hot=True)
    reports = pipeline.separate_file(tmp_path / "x.wav", _folder(tmp_path / "o"), spec=OutputSpec("wav", 32), solo="residual",
                                     clip="rescale", model=pipeline.load_model(tiny_models / "separator.onnx"))
    solo, acc = _read(reports[0].path), _read(reports[1].path)
    assert reports[0].gain_db == reports[1].gain_db < -0.1
    factor = 10 ** (reports[0].gain_db / 20)
    assert np.abs(solo + acc - factor * x).max() < 1e-5
    assert "rescaled by" in sf.info(reports[0].path).extra_info or "rescaled" in \
        sf.SoundFile(reports[0].path).copy_metadata().get("comment", "")


def _true_peak_db(x):
    """The written file's true peak by scipy's 4x reference (``resample_poly``, as the limiter's tests)."""
    from scipy.signal import resample_poly

    return 20 * np.log10(max(np.abs(resample_poly(x[:, c].astype(np.float64), 4, 1)).max() for c in range(x.shape[1])))


@pytest.mark.parametrize("clip", ["rescale", "limit"])
def test_the_peaks_said_are_the_written_files(tmp_path, tiny_models, clip):
    """The report names the peak before the clip mode, and says what the file holds: ``rescale`` moves each file's
    peak by exactly the shared gain (the solo did not end at the ceiling: the accompaniment did); a stem only turned
    down with the other says its peak was before the limiter."""
    _song(tmp_path / "x.wav", hot=True)
    reports = pipeline.separate_file(tmp_path / "x.wav", _folder(tmp_path / "o"), spec=OutputSpec("wav", 24), clip=clip,
                                     model=pipeline.load_model(tiny_models / "separator.onnx"))
    for r in reports:
        written = _true_peak_db(_read(r.path))
        if clip == "rescale":
            assert abs(r.written_peak_dbtp - written) < 0.1
            assert f"to {r.written_peak_dbtp:+.1f} dBTP" in r.describe() or \
                f"{r.written_peak_dbtp:+.1f} dBTP once scaled" in r.describe()
        else:
            assert r.written_peak_dbtp is None and written < CEILING_DBTP + 0.1
            if r.peak_dbtp <= CEILING_DBTP:
                assert "before the limiter" in r.describe() and written <= r.peak_dbtp + 0.05
    if clip == "rescale":
        assert max(r.written_peak_dbtp for r in reports) == pytest.approx(CEILING_DBTP, abs=0.05)


def test_stereo_solo_is_placed_at_the_recorded_pan_and_level(tmp_path, tiny_models):
    _song(tmp_path / "x.wav")
    model = pipeline.load_model(tiny_models / "separator.onnx")
    mono = pipeline.separate_file(tmp_path / "x.wav", _folder(tmp_path / "m"), spec=OutputSpec("wav", 32), model=model,
                                  clip="none")
    placed = remix_writer.separate_stems(tmp_path / "x.wav", dict(zip(pipeline.STEMS, pipeline.stem_paths(
        tmp_path / "x.wav", _folder(tmp_path / "s")))), OutputSpec("wav", 32), "none", solo="stereo", separator=model)
    stems = pipeline.separate(_read(tmp_path / "x.wav"), RATE, model)
    solo_mono, solo_stereo = _read(mono[0].path)[:, 0], _read(placed[0].path)
    assert solo_stereo.shape == (solo_mono.size, 2)
    assert abs(stems.recorded_pan_deg) > 1 and stems.solo_level != pytest.approx(2 ** 0.5)  # not the defaults
    expected = place_solo(solo_mono, stems.recorded_pan_deg, 1.0, stems.solo_level)
    assert np.abs(solo_stereo - expected).max() < 1e-5
    assert np.array_equal(_read(mono[1].path), _read(placed[1].path))  # the accompaniment is the same
    assert not list((tmp_path / "s").glob(".*"))  # the spool is gone


def test_mono_input_keep_mono_residual(tmp_path, tiny_models):
    x = _song(tmp_path / "x.wav", channels=1)
    reports = pipeline.separate_file(tmp_path / "x.wav", _folder(tmp_path / "o"), spec=OutputSpec("wav", 32), clip="none",
                                     model=pipeline.load_model(tiny_models / "separator.onnx"), solo="residual",
                                     keep_mono=True)
    solo, acc = _read(reports[0].path), _read(reports[1].path)
    assert solo.shape == acc.shape == x.shape == (x.shape[0], 1)
    assert np.abs(solo + acc - x).max() < 1e-6


def test_cli_solo_and_stems(tmp_path, models):  # noqa: F811
    x = _song(tmp_path / "x.wav")
    out = tmp_path / "new" / "stems"
    proc = jazzremix("separate", tmp_path / "x.wav", "-o", out, "--model", models[0], "--solo", "residual",
                     "--bits", "32", "--clip", "none", "--json")
    assert proc.returncode == 0, proc.stderr
    assert f"created the output folder {out}" in proc.stderr
    entry = json.loads(proc.stdout)["files"][0]
    assert [o["stem"] for o in entry["outputs"]] == ["solo", "accompaniment"]
    assert entry["outputs"][0]["solo_mode"] == "residual"
    solo, acc = _read(out / "x.solo.wav"), _read(out / "x.accompaniment.wav")
    assert np.abs(solo + acc - x).max() < 1e-6

    only = tmp_path / "only"
    proc = jazzremix("separate", tmp_path / "x.wav", "--out", only, "--model", models[0], "--stems", "accompaniment",
                     "--clip", "rescale", "--json")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in only.iterdir()) == ["x.accompaniment.wav"]
    assert json.loads(proc.stdout)["files"][0]["shared_gain_db"] == 0.0
    assert np.abs(_read(only / "x.accompaniment.wav") - acc).max() < 2 ** -22  # the same stem, 24-bit

    proc = jazzremix("separate", tmp_path / "x.wav", "--out", only, "--model", models[0], "--solo", "sideways")
    assert proc.returncode == 2 and "invalid choice: 'sideways'" in proc.stderr
