"""The pictures (spectrogram, envelope) are drawn piece by piece: same result as whole, straight from a memory map."""

import numpy as np

from jazzremix_gui.core.signal.analysis import envelope, log_spectrogram
from jazzremix_gui.core.signal.stft import stft


def test_envelope_in_pieces_equals_the_whole_signal_min_max():
    x = np.random.default_rng(1).standard_normal((100003, 2)).astype(np.float32)
    times, lo, hi = envelope(x, n_points=500, piece=4096)
    mono = x.mean(axis=1)
    step = int(times[1])
    padded = np.concatenate([mono, np.zeros(len(times) * step - len(mono), np.float32)]).reshape(-1, step)
    np.testing.assert_array_equal(lo, padded.min(axis=1))
    np.testing.assert_array_equal(hi, padded.max(axis=1))


def test_spectrogram_reads_a_memory_map_piece_by_piece(tmp_path):
    rng = np.random.default_rng(2)
    x = (0.3 * rng.standard_normal((300000, 2))).astype(np.float32)
    mapped = np.lib.format.open_memmap(tmp_path / "x.npy", "w+", np.float32, x.shape)
    mapped[:] = x
    mapped.flush()
    spec = log_spectrogram(np.load(tmp_path / "x.npy", mmap_mode="r"), 44100, max_columns=10_000)
    # one column per STFT frame of the mid, and the same picture as from the array in memory
    whole = np.abs(stft(x.mean(axis=1), 1024))
    assert spec.image.shape[1] == whole.shape[0]
    assert np.allclose(spec.image, log_spectrogram(x, 44100, max_columns=10_000).image)


def test_spectrogram_of_a_long_mapped_file_gives_its_pages_back(tmp_path):
    """Five minutes of stereo mapped at an offset that is not a whole page (as a cache entry's stems): drawing
    grows resident memory by less than 10 MB (its pages kept would be 106 MB; given back from each piece's own
    start only, the overlapping pieces brought back about a fifth of them)."""
    from pathlib import Path

    status = Path("/proc/self/status")
    if not status.exists():
        import pytest

        pytest.skip("needs /proc")

    def rss_mb():
        return int(next(line for line in status.read_text().splitlines() if line.startswith("VmRSS")).split()[1]) / 1024

    n = 44100 * 300
    path = tmp_path / "long.raw"
    rng = np.random.default_rng(4)
    with open(path, "wb") as fh:
        fh.write(b"\0" * 1000)
        for i in range(0, n, 1 << 18):
            fh.write((0.1 * rng.standard_normal((min(1 << 18, n - i), 2))).astype(np.float32).data)
    x = np.memmap(path, np.float32, "c", 1000, (n, 2))
    log_spectrogram(x[: 44100 * 5], 44100)  # the FFT's own buffers, before measuring
    before = rss_mb()
    log_spectrogram(x, 44100)
    assert rss_mb() - before < 10
