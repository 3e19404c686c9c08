"""PCM WAV samples handed to libsndfile as raw bytes (core.audio.audio_io.pcm_bytes): the same file, byte for byte, as
libsndfile's own conversion writes, and a write that fails is the same clear error."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.audio.audio_io import AtomicAudioWriter, pcm_bytes, quantize

ROOT = Path(__file__).resolve().parents[1]


def _signal(n=50_000, channels=2):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1.2, 1.2, (n, channels)).astype(np.float32)  # beyond full scale too: clipped by quantize
    x[:4] = [[1.0] * channels, [-1.0] * channels, [0.0] * channels, [-1e-9] * channels]
    return x


@pytest.mark.parametrize("bits", [16, 24])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_raw_pcm_is_libsndfiles_own_file(tmp_path, monkeypatch, bits, channels):
    x = _signal(channels=channels)
    files = []
    for raw in (True, False):
        path = tmp_path / f"{raw}.wav"
        with AtomicAudioWriter(path, 44100, channels, bits, tags={"title": "t"}) as w:
            assert w._raw
            w._raw = raw
            for i in range(0, len(x), 7_001):  # blocks of odd sizes
                w.write(x[i:i + 7_001])
            w.commit()
        files.append(path.read_bytes())
    assert files[0] == files[1]
    back, rate = sf.read(tmp_path / "True.wav", dtype="int32")
    rng = np.random.default_rng(audio_io.DITHER_SEED) if bits == 16 else None  # dithered block by block, as written
    want = np.concatenate([quantize(x[i:i + 7_001], bits, rng) for i in range(0, len(x), 7_001)])
    want = want.astype(np.int32) << 16 if bits == 16 else want
    assert rate == 44100 and np.array_equal(back.reshape(want.shape), want)


def test_pcm_bytes_are_the_little_endian_samples():
    q = quantize(np.array([[0.5, -0.25], [1.0, -1.0]], np.float32), 24)
    assert pcm_bytes(q, 24).tobytes() == b"".join(int(v >> 8).to_bytes(3, "little", signed=True) for v in q.ravel())
    q16 = np.array([1, -2, 300], np.int16)
    assert pcm_bytes(q16, 16).tobytes() == q16.astype("<i2").tobytes()


def test_a_raw_write_that_fails_is_said_and_leaves_nothing(tmp_path):
    """The file-size limit stops the write part-way (as a full disk would): one clear error, no file left."""
    code = (
        "import resource, signal, sys\n"
        "import numpy as np\n"
        "from jazzremix_gui.core.audio.audio_io import AtomicAudioWriter\n"
        "from jazzremix_gui.core.errors import AudioWriteError\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))\n"
        "try:\n"
        "    with AtomicAudioWriter(sys.argv[1], 44100, 2, 24) as w:\n"
        "        assert w._raw\n"
        "        for _ in range(10):\n"
        "            w.write(np.zeros((44100, 2), np.float32))\n"
        "        w.commit()\n"
        "except AudioWriteError as exc:\n"
        "    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "big.wav")], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert out.stdout.startswith(f"{tmp_path / 'big.wav'}: write failed"), out.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_block_of_another_shape_is_refused_as_before(tmp_path):
    """The raw path takes only whole frames of the file's channels; anything else goes to soundfile, which refuses it
    (a caller's mistake, not a write failure)."""
    with AtomicAudioWriter(tmp_path / "x.wav", 44100, 2, 24) as w:
        assert w._raw
        for wrong in (np.zeros(10, np.float32), np.zeros((9, 3), np.float32)):
            with pytest.raises(ValueError, match="channels"):
                w.write(wrong)
    assert list(tmp_path.iterdir()) == []
