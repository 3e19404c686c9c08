"""Regression: the whole pipeline on a fixed input with fixed tiny models equals a stored reference.

The reference (``tests/data/pipeline_reference.npz``, a few kB) holds every 3001st sample of
the solo, the accompaniment and the remix, the 19 x 21 posterior, the suggestion and the
sections. It was made by running this file: ``python tests/test_regression.py``; rerun it
only when a change of the output is intended, and say why in the commit.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.models import ModelSession  # noqa: E402
from tiny_models import tiny_mixer, tiny_separator  # noqa: E402
from jazzremix_gui.services.remix_writer import render_remix

REFERENCE = Path(__file__).resolve().parent / "data" / "pipeline_reference.npz"
#: Keep every STEP-th sample (a prime: a shift by one sample changes every kept value).
STEP = 3001


def _input() -> tuple[np.ndarray, int]:
    """12 s of stereo at 48 kHz (so both resampling directions run); the band and the solo enter at 5 s."""
    rate = 48000
    t = np.arange(12 * rate) / rate
    rng = np.random.default_rng(2026)
    solo = 0.3 * np.sin(2 * np.pi * 440 * t + 2 * np.sin(2 * np.pi * 5 * t)) * (t > 5)
    acc = 0.1 * np.sin(2 * np.pi * 110 * t)[:, None] * [1.0, 0.7] + 0.02 * rng.standard_normal((t.size, 2))
    acc *= np.where(t > 5, 1.0, 1e-3)[:, None]  # 60 dB down before: a silent section
    return (acc + solo[:, None] * [0.6, 0.8]).astype(np.float32), rate


def compute(model_dir: Path) -> dict:
    """The pipeline's output on :func:`_input`, reduced to what is stored."""
    sep = ModelSession(tiny_separator(model_dir / "sep.onnx", context=2, hop=512), "separator", prefer_gpu=False)
    mix = ModelSession(tiny_mixer(model_dir / "mix.onnx", input_kind="solo_acc_magnitude"), "mixer",
                       prefer_gpu=False)
    x, rate = _input()
    result = pipeline.analyse(x, rate, sep, mix)
    stems, sugg = result.stems, result.suggestion
    remix = render_remix(stems, sugg.pan_deg, sugg.gain)
    return {"solo": stems.solo[::STEP], "accompaniment": stems.accompaniment[::STEP], "remix": remix[::STEP],
            "posterior": sugg.posterior.astype(np.float32), "pan_gain": np.array([sugg.pan_deg, sugg.gain]),
            "sections": np.array([[s.start, s.end, s.active, s.pan_deg, s.gain] for s in sugg.sections])}


def test_pipeline_matches_stored_reference(tmp_path):
    got = compute(tmp_path)
    ref = np.load(REFERENCE)
    assert set(ref.files) == set(got)
    for key in ("solo", "accompaniment", "remix"):
        assert got[key].shape == ref[key].shape, key
        np.testing.assert_allclose(got[key], ref[key], atol=2e-5, err_msg=key)
    np.testing.assert_allclose(got["posterior"], ref["posterior"], atol=1e-5)
    assert np.array_equal(got["pan_gain"], ref["pan_gain"])
    np.testing.assert_allclose(got["sections"], ref["sections"], atol=1e-9)
    assert len(ref["sections"]) >= 2  # the reference holds a silent and an active section


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        data = compute(Path(d))
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(REFERENCE, **data)
    print(f"{REFERENCE}: {REFERENCE.stat().st_size} bytes; suggestion {data['pan_gain']}, "
          f"{len(data['sections'])} sections")
