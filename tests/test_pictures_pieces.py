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
