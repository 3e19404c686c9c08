"""core.audio.columns: the same arrays as numpy's slicing and concatenation, contiguous."""

import numpy as np

from jazzremix_gui.core.audio.columns import join_columns, take_columns


def test_take_columns_equals_the_slice_and_is_contiguous():
    block = np.random.default_rng(0).standard_normal((1000, 3)).astype(np.float32)
    for start, stop in ((0, 1), (1, 3), (0, 3), (2, 3)):
        part = take_columns(block, start, stop)
        assert part.flags.c_contiguous and part.dtype == np.float32
        np.testing.assert_array_equal(part, block[:, start:stop])
    assert take_columns(block, 0, 3) is block  # all of a contiguous block: itself, no copy
    strided = block[::2]
    whole = take_columns(strided, 0, 3)
    assert whole is not strided and whole.flags.c_contiguous
    np.testing.assert_array_equal(whole, strided)


def test_join_columns_equals_concatenate():
    rng = np.random.default_rng(1)
    parts = [rng.standard_normal((500, 1)), rng.standard_normal((500, 2)).astype(np.float32)[:, ::-1]]
    joined = join_columns(parts)
    assert joined.dtype == np.float32 and joined.flags.c_contiguous
    np.testing.assert_array_equal(joined, np.concatenate(parts, axis=1).astype(np.float32))
    assert join_columns(parts, np.float64).dtype == np.float64


def test_the_apps_pictures_average_pieces_as_numpy_did():
    """core.signal.analysis draws from pieces averaged to mono with features.mid: numpy's mean's values."""
    from jazzremix_gui.core.signal import analysis

    x = np.random.default_rng(2).standard_normal((100_000, 2)).astype(np.float32)
    x[5] = [-0.0, -0.0]
    piece = analysis._mid(x, 10, 90_000)
    assert np.array_equal(piece, x[10:90_000].mean(axis=1)) and not np.signbit(analysis._mid(x, 5, 6)).any()
