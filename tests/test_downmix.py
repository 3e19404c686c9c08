"""Multi-channel input folded to stereo: BS.775 coefficients, the layout assumed or read, one warning."""

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.core.audio import audio_io, downmix
from tiny_models import tiny_separator

G = np.sqrt(0.5)


def _tones(channels: int, n: int = 4410, rate: int = 44100) -> np.ndarray:
    """A different tone on every channel, so each channel's share of L and R can be measured."""
    t = np.arange(n) / rate
    return np.stack([0.1 * np.sin(2 * np.pi * (200 + 100 * c) * t) for c in range(channels)], 1).astype(np.float32)


@pytest.mark.parametrize("channels, left, right", [
    (3, [1, 0, G], [0, 1, G]),
    (4, [1, 0, G, 0], [0, 1, 0, G]),
    (5, [1, 0, G, G, 0], [0, 1, G, 0, G]),
    (6, [1, 0, G, 0, G, 0], [0, 1, G, 0, 0, G]),  # L R C LFE Ls Rs: LFE dropped
    (7, [1, 0, G, 0, 0.5, G, 0], [0, 1, G, 0, 0.5, 0, G]),
    (8, [1, 0, G, 0, G, 0, G, 0], [0, 1, G, 0, 0, G, 0, G]),
])
def test_default_layouts_use_bs775_coefficients(tmp_path, channels, left, right):
    x = _tones(channels)
    path = tmp_path / f"in{channels}.wav"
    sf.write(path, x, 44100, subtype="FLOAT")  # plain WAVE: no channel mask, the default order is assumed
    meta = audio_io.info(path)
    assert meta.layout == downmix.DEFAULT_LAYOUTS[channels] and meta.out_channels == 2
    y, _ = audio_io.read_audio(path)
    np.testing.assert_allclose(y, x @ np.array([left, right], np.float32).T, atol=1e-6)
    (line,) = meta.warnings()
    assert f"{channels} channels ({downmix.LAYOUT_NAMES[channels]}, assumed order" in line and "BS.775" in line
    assert ("LFE dropped" in line) == (channels >= 6) and str(path) in line


def test_a_channel_mask_in_the_file_wins(tmp_path):
    """libsndfile writes WAVEX 4-channel files with the quad mask FL FR BL BR; a 6-channel one FL FR FC LFE BL BR."""
    for channels, layout in ((4, ("L", "R", "Lb", "Rb")), (6, ("L", "R", "C", "LFE", "Lb", "Rb"))):
        x = _tones(channels)
        path = tmp_path / f"x{channels}.wav"
        sf.write(path, x, 44100, format="WAVEX", subtype="FLOAT")
        meta = audio_io.info(path)
        assert meta.layout == layout
        assert "read order" in meta.warnings()[0]
        y, _ = audio_io.read_audio(path)
        np.testing.assert_allclose(y, downmix.to_stereo(x, downmix.matrix(layout)), atol=1e-6)


def test_a_broken_map_falls_back_to_the_default():
    assert downmix.layout_for(4, [4, 4, 11, 8]) == downmix.DEFAULT_LAYOUTS[4]
    assert downmix.layout_for(4, [0, 0, 0, 0]) == downmix.DEFAULT_LAYOUTS[4]
    assert downmix.layout_for(4, [2, 3, 14, 15]) == ("L", "R", "Ls", "Rs")


def test_separate_takes_a_51_file(tmp_path, capfd):
    model = tiny_separator(tmp_path / "sep.onnx")
    x = _tones(6, 44100)
    sf.write(tmp_path / "surround.flac", x, 44100, subtype="PCM_24")
    assert main(["separate", str(tmp_path / "surround.flac"), "--out", str(tmp_path / "o"), "--model", str(model)]) == 0
    acc, rate = sf.read(tmp_path / "o" / "surround.accompaniment.wav")
    assert rate == 44100 and acc.shape == (44100, 2)
    err = capfd.readouterr().err
    assert sum("downmixed to stereo" in ln for ln in err.splitlines()) == 1
