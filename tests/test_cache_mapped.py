"""The cache hands back its stems memory-mapped from the entry (no copy in memory), exact, and safe to write into."""

import numpy as np

from jazzremix_gui.core.pipeline import Stems
from jazzremix_gui.core.signal.mixer import Suggestion
from jazzremix_gui.services import cache


def stored(tmp_path, monkeypatch, n=50_000):
    monkeypatch.setenv("JAZZREMIX_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    stems = Stems(rng.standard_normal(n).astype(np.float32), rng.standard_normal((n, 2)).astype(np.float32), 44100,
                  "sep-test", solo_level=1.5, recorded_pan_deg=-10.0, solo_share_db=-6.0)
    post = np.full((19, 21), 1 / 399)
    sugg = Suggestion(post, 0.0, 1.0, np.zeros((3, 399), np.float32), np.arange(3.0), np.ones(3, bool),
                      model_version="mix-test")
    assert cache.save("k1", stems, sugg) is not None
    return stems


def test_stems_come_back_mapped_and_exact(tmp_path, monkeypatch):
    stems = stored(tmp_path, monkeypatch)
    got, sugg = cache.load("k1")
    assert isinstance(got.solo, np.memmap) and isinstance(got.accompaniment, np.memmap)
    np.testing.assert_array_equal(got.solo, stems.solo)
    np.testing.assert_array_equal(got.accompaniment, stems.accompaniment)
    assert got.accompaniment.shape == (50_000, 2) and got.solo_level == 1.5 and sugg.model_version == "mix-test"
    got.solo[:10] = 0.0  # copy-on-write: the caller's copy changes, the entry does not
    np.testing.assert_array_equal(cache.load("k1")[0].solo, stems.solo)


def test_an_entry_trimmed_while_open_stays_readable(tmp_path, monkeypatch):
    stems = stored(tmp_path, monkeypatch)
    got, _ = cache.load("k1")
    assert cache.clear() > 0 and cache.load("k1") is None
    np.testing.assert_array_equal(np.asarray(got.accompaniment[-100:]), stems.accompaniment[-100:])


def test_a_truncated_entry_is_a_miss(tmp_path, monkeypatch):
    stored(tmp_path, monkeypatch)
    path = cache.entry_path("k1")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert cache.load("k1") is None


def resident_kb() -> int:
    return int(next(line for line in open("/proc/self/status") if line.startswith("VmRSS")).split()[1])


def test_release_gives_the_pages_back_and_keeps_the_data(tmp_path, monkeypatch):
    stems = stored(tmp_path, monkeypatch, n=4_000_000)  # 48 MB of stems
    got, _ = cache.load("k1")
    before = resident_kb()
    assert float(got.accompaniment.max()) > 0  # every page read (no temporary array)
    grown = resident_kb() - before
    cache.release(got.accompaniment)
    assert grown > 20_000 and resident_kb() < before + grown / 4
    np.testing.assert_array_equal(got.accompaniment[-5:], stems.accompaniment[-5:])
    cache.release(stems.solo)  # an array in memory: nothing happens


def test_two_apps_share_the_cache_a_trim_passes_over_what_the_other_removed_and_spares_files_being_written(
        tmp_path, monkeypatch):
    """Two app windows on one cache (an adversarial pass, 2026-12-06): another app's temporary file (being written)
    is not a result, so a trim never removes it; a result the other app removed between the listing and the
    unlink is passed over, not an error that failed a finished track."""
    stored(tmp_path, monkeypatch)
    folder = cache.entry_path("k1").parent
    writing = folder / ".k2.npz.jazzremix-host-123-abcdefgh.npz"
    writing.write_bytes(b"x" * 1000)
    assert cache.entries() == [cache.entry_path("k1")] and cache.size_bytes() == cache.entry_path("k1").stat().st_size
    real_unlink = type(writing).unlink

    def another_app_was_first(self, *a, **k):
        real_unlink(self)
        raise FileNotFoundError(2, "No such file or directory", str(self))

    monkeypatch.setattr(type(writing), "unlink", another_app_was_first)
    assert cache.trim(0) == 0 and cache.entries() == []
    monkeypatch.undo()
    assert writing.read_bytes() == b"x" * 1000
