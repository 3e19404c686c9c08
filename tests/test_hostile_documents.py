"""The validating readers against the hostile corpus of sessions, manifests and cache entries (issue #23 items 4, 9).

Named cases (tests/hostile_documents.py: every malformed case the issue lists) and generated
ones (Hypothesis): a session is refused in one line naming the file and the reason, before
anything is written; a manifest's unusable lines are skipped and counted, the good ones kept;
a bad cache entry is dropped (deleted), said once, and its result computed again.
"""

import json
import logging
import math
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hostile_documents import (BAD_ENTRIES, BAD_LINES, BAD_SESSION_BYTES, BAD_SESSIONS, VALID_SESSION, cache_arrays,
                               good_line, session_text, session_with, write_entry)
from jazzremix_gui.cli.main import main
from jazzremix_gui.services import cache, session
from jazzremix_gui.services.batch import manifest
from jazzremix_gui.services.settings_values import Refused, convert

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def render_error(path: Path, out: Path, capsys) -> str:
    """``jazzremix render PATH --out OUT``: must fail with one error line and write nothing; returns the line."""
    assert main(["render", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jazzremix: error: "), err
    assert not out.exists()
    return err[0]


@pytest.mark.parametrize("name,doc,reason", BAD_SESSIONS, ids=[c[0] for c in BAD_SESSIONS])
def test_bad_session_refused_in_one_line(tmp_path, capsys, name, doc, reason):
    path = tmp_path / "x.jrs"
    path.write_bytes(session_text(doc))
    line = render_error(path, tmp_path / "out", capsys)
    assert line.startswith(f"jazzremix: error: {path}: not a valid Jazz Remix session (")
    assert reason in line, line


@pytest.mark.parametrize("name,data,reason", BAD_SESSION_BYTES, ids=[c[0] for c in BAD_SESSION_BYTES])
def test_session_that_is_not_json_of_the_format(tmp_path, capsys, name, data, reason):
    path = tmp_path / "x.jrs"
    path.write_bytes(data)
    line = render_error(path, tmp_path / "out", capsys)
    assert f"{path}: not a valid Jazz Remix session (" in line and reason in line, line


def test_session_version_newer_and_valid_versions(tmp_path):
    path = tmp_path / "x.jrs"
    path.write_bytes(session_text(session_with(["version"], 3)))
    with pytest.raises(session.SessionError, match=r"x\.jrs: made by a newer Jazz Remix \(session version 3\)"):
        session.read_session(path)
    for version in (1, 2):
        path.write_bytes(session_text(session_with(["version"], version)))
        assert session.read_session(path)["version"] == version


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_session_that_is_not_a_regular_file_is_refused_without_reading(tmp_path, capsys, kind):
    path = tmp_path / "x.jrs"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    done = []
    worker = threading.Thread(target=lambda: done.append(render_error(path, tmp_path / "out", capsys)), daemon=True)
    worker.start()
    worker.join(20)
    assert done, "the session read hung"
    assert ("named pipe (FIFO)" if kind == "fifo" else "device" if kind == "dev-zero" else "is a folder") in done[0]


def test_valid_session_loads(tmp_path):
    (tmp_path / "song.wav").write_bytes(b"")
    path = tmp_path / "x.jrs"
    path.write_bytes(session_text(VALID_SESSION))
    data = session.load_session(path)
    assert data["input"] == str(tmp_path / "song.wav") and data["mix"]["sections"][1]["gain"] == 1.0


def test_damaged_edits_are_ignored_not_fatal(tmp_path, monkeypatch, caplog):
    from jazzremix_gui.services import edits

    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path))
    edits.edits_path("ab").parent.mkdir(parents=True)
    edits.edits_path("ab").write_bytes(session_text(session_with(["mix", "pan_deg"], math.nan)))
    with caplog.at_level(logging.WARNING):
        assert edits.load("ab") is None
    assert "mix.pan_deg is NaN" in caplog.text
    edits.edits_path("ab").write_bytes(session_text(VALID_SESSION))  # its recording need not exist
    assert edits.load("ab")["mix"]["pan_deg"] == -15.0


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)
SESSION_PATHS = [["input"], ["version"], ["format"], ["solo_level"], ["input_sha256"], ["mix"], ["mix", "pan_deg"],
                 ["mix", "gain"], ["mix", "automation"], ["mix", "sections"], ["mix", "sections", 0],
                 ["mix", "sections", 1, "pan_deg"], ["mix", "sections", 0, "gain"],
                 ["mix", "sections", 0, "start"], ["mix", "sections", 1, "suggested_gain"]]


def check_loaded(data: dict) -> None:
    """What a session that loads must hold: the types and finite ranges the app relies on."""
    mix = data.get("mix", {})
    assert isinstance(data["input"], str) and data["input"]
    assert isinstance(data.get("version", 1), int) and not isinstance(data.get("version", 1), bool)
    for sec in [mix, *mix.get("sections", [])]:
        for key, lo, hi in (("pan_deg", -45, 45), ("gain", 0, 2)):
            if key in sec or sec is not mix:
                assert isinstance(sec[key], (int, float)) and not isinstance(sec[key], bool)
                assert math.isfinite(sec[key]) and lo <= sec[key] <= hi
    assert isinstance(mix.get("automation", False), bool)


@FAST
@given(where=st.sampled_from(SESSION_PATHS), value=JSON)
def test_generated_sessions(tmp_path, where, value):
    path = tmp_path / "g.jrs"
    path.write_bytes(session_text(session_with(where, value)))
    try:
        data = session.read_session(path)
    except session.SessionError as exc:
        text = str(exc)
        assert "\n" not in text and text.startswith(f"{path}: ")
        assert "not a valid Jazz Remix session (" in text or "made by a newer Jazz Remix" in text
    else:
        check_loaded(data)


@FAST
@given(data=st.binary(max_size=300))
def test_generated_session_bytes(tmp_path, data):
    path = tmp_path / "b.jrs"
    path.write_bytes(data)
    with pytest.raises(session.SessionError, match=rf"^{path}: not a valid Jazz Remix session \("):
        session.read_session(path)


# --- manifests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,line", BAD_LINES, ids=[c[0] for c in BAD_LINES])
def test_bad_manifest_line_skipped_and_counted(tmp_path, name, line):
    path = tmp_path / manifest.NAME
    path.write_bytes(good_line("a") + line + (b"" if name == "cut-inside-utf8" else good_line("b")))
    read = manifest.read_manifest(path)
    assert read.skipped == 1, read
    assert set(read.latest) == ({"/a.wav"} if name == "cut-inside-utf8" else {"/a.wav", "/b.wav"})
    assert read.first_problem.startswith("line 2: ")


def test_batch_resumes_over_bad_lines_and_says_so(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    whole = [line for _, line in BAD_LINES if line.endswith(b"\n")]
    cut = dict(BAD_LINES)["cut-inside-utf8"]
    (out / manifest.NAME).write_bytes(good_line("a") + b"".join(whole) + cut)
    with manifest.Manifest(out) as m:
        assert m.skipped == len(whole) + 1 and set(m.records) == {"/a.wav"}
        m.append(json.loads(good_line("c")))
    # the cut last line got its own line end: the new record reads back whole
    assert set(manifest.read_records(out / manifest.NAME)) == {"/a.wav", "/c.wav"}


def test_manifest_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / manifest.NAME)
    with pytest.raises(manifest.ManifestError, match="named pipe"):
        manifest.read_manifest(tmp_path / manifest.NAME)


@FAST
@given(lines=st.lists(st.one_of(st.sampled_from([line for _, line in BAD_LINES if line.endswith(b"\n")]),
                                st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b and b.strip())
                                .map(lambda b: b + b"\n"),
                                st.integers(0, 5).map(lambda i: good_line(f"g{i}"))), max_size=12))
def test_generated_manifests(tmp_path, lines):
    path = tmp_path / "m.jsonl"
    path.write_bytes(b"".join(lines))
    read = manifest.read_manifest(path)
    goods = {json.loads(line)["input"] for line in lines if line.startswith(b'{"input": "/g')}
    assert set(read.latest) == goods
    assert read.skipped == sum(1 for line in lines if not line.startswith(b'{"input": "/g'))


# --- cache entries -----------------------------------------------------------------------------------

@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAZZREMIX_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache" / "tracks").mkdir(parents=True)
    return tmp_path / "cache" / "tracks"


def test_valid_cache_entry_loads(cache_dir):
    write_entry(cache.entry_path("k"), cache_arrays())
    stems, sug = cache.load("k", 44100, 4096)
    assert stems.rate == 44100 and len(stems) == 4096 and len(sug.sections) == 2
    np.testing.assert_array_equal(stems.solo, cache_arrays()["solo"])


@pytest.mark.parametrize("name,arrays,reason", BAD_ENTRIES, ids=[c[0] for c in BAD_ENTRIES])
def test_bad_cache_entry_dropped_and_said_once(cache_dir, caplog, name, arrays, reason):
    path = cache.entry_path("k")
    if arrays is None:
        write_entry(path, cache_arrays())
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        write_entry(path, arrays)
    with caplog.at_level(logging.WARNING, logger=cache.__name__):
        assert cache.load("k", 44100, 4096) is None
        assert cache.load("k", 44100, 4096) is None  # the second look finds nothing: said once
    said = [r.getMessage() for r in caplog.records if r.name == cache.__name__]
    assert len(said) == 1 and said[0].startswith("cached result k.npz dropped (") and reason in said[0], said
    assert not path.exists()


def test_cache_entry_of_another_length_dropped(cache_dir):
    write_entry(cache.entry_path("k"), cache_arrays())
    assert cache.load("k", 44100, 4000) is None and not cache.entry_path("k").exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10 ** 6), key=st.sampled_from(["rate", "gain", "pan_deg", "confidence", "clear",
                                                         "solo_level", "sections", "mixer_version", "others_deg",
                                                         "heard_gain_db", "dc_offset", "pitch_comb_s"]),
       value=JSON)
def test_generated_cache_entries(cache_dir, cut, key, value):
    path = cache.entry_path("g")
    arrays = cache_arrays(n=512)
    arrays["meta"] = dict(arrays["meta"], **{key: value})
    write_entry(path, arrays)
    size = path.stat().st_size
    if cut % 3 == 0:  # a third cut somewhere: truncated files
        path.write_bytes(path.read_bytes()[: cut % size])
    hit = cache.load("g", 44100, 512)
    if hit is None:
        assert not path.exists()
        return
    stems, sug = hit
    assert stems.rate == 44100 and np.isfinite(stems.solo).all()
    assert -45 <= sug.pan_deg <= 45 and 0 <= sug.gain <= 2 and isinstance(sug.clear, bool)


def test_bad_cache_entry_is_computed_again(cache_dir, tiny_models, tmp_path, caplog):
    import soundfile as sf

    from jazzremix_gui.core import pipeline
    from jazzremix_gui.services.processing import process_track

    class Job:  # what the app's worker gives process_track
        progress = partial = staticmethod(lambda *a: None)
        is_cancelled = staticmethod(lambda: False)

    def analyse_input(path, sep, mix):
        done = process_track(path, Job(), str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx"))
        return done.stems, done.suggestion, cache.file_sha256(path)

    song = tmp_path / "song.wav"
    t = np.arange(22050) / 22050
    sf.write(song, 0.3 * np.stack([np.sin(2 * np.pi * 440 * t)] * 2, 1), 22050)
    sep = pipeline.load_model(str(tiny_models / "separator.onnx"), "separator")
    mix = pipeline.load_model(str(tiny_models / "mixer.onnx"), "mixer")
    stems, _, sha = analyse_input(song, sep, mix)
    first = np.array(stems.solo)  # the app maps stems from the entry, which is rewritten below
    path = cache.entry_path(cache.cache_key(sha, sep, mix))
    good = path.read_bytes()
    with np.load(path) as z:  # the entry: rate 8000 and NaN stems
        arrays = {k: z[k] for k in z.files}
    arrays["meta"] = dict(json.loads(str(arrays["meta"])), rate=8000)
    arrays["solo"] = np.full_like(arrays["solo"], np.nan)
    write_entry(path, arrays)
    with caplog.at_level(logging.WARNING, logger=cache.__name__):
        again, _, _ = analyse_input(song, sep, mix)
    assert "rate 8000 Hz, the recording has 22050 Hz" in caplog.text
    assert again.rate == 22050 and np.isfinite(again.solo).all()
    np.testing.assert_array_equal(again.solo, first)
    assert path.read_bytes() != b"" and cache.load(path.stem, 22050, 22050) is not None  # stored afresh
    assert len(good) > 0


# --- settings ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("default,value,kw,expected", [
    (24, "16", {"choices": (16, 24, 32)}, 16), (True, "false", {}, False), (4000, 12.0, {"lo": 0}, 12),
    ("auto", "cuda", {"choices": ("auto", "cpu", "cuda")}, "cuda"), ([], ["a", "b"], {}, ["a", "b"])])
def test_settings_values_accepted(default, value, kw, expected):
    assert convert(default, value, **kw) == expected


@pytest.mark.parametrize("default,value,kw", [
    (24, "17", {"choices": (16, 24, 32)}), (24, "nan", {}), (24, float("nan"), {}), (24, True, {}),
    (4000, "-1", {"lo": 0, "hi": 10}), (4000, "1e400", {}), (True, "maybe", {}),
    ("auto", "gpu", {"choices": ("auto", "cpu", "cuda")}), ("", "a\x00b", {}), ("", ["x"], {}),
    ("", "x" * 5000, {})])
def test_settings_values_refused(default, value, kw):
    with pytest.raises(Refused):
        convert(default, value, **kw)


def test_settings_file_with_bad_values_reads_defaults(tmp_path, caplog):
    pytest.importorskip("PySide6")
    from jazzremix_gui.ui.settings import Settings

    ini = tmp_path / "s.ini"
    ini.write_text("[export]\nbits=17\nformat=exe\nbitrate=nan\n[files]\ncache_limit_mb=-5\n[models]\ndevice=gpu\n"
                   "[audio]\nmatch_loudness=perhaps\n")
    s = Settings(ini)
    with caplog.at_level(logging.WARNING):
        assert (s["bits"], s["format"], s["bitrate"], s["cache_limit_mb"], s["device"], s["match_loudness"]) == \
            (24, "wav", 320, 4000, "auto", True)
    assert "setting bits: 17 is not one of 16, 24, 32; using 24" in caplog.text


def test_batch_command_says_how_many_lines_it_skipped(tmp_path, tiny_models, capsys):
    """A re-run over a manifest with bad lines: counted and said, the done input still skipped (no cluster)."""
    pytest.importorskip("distributed")
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.services.batch import sources, task

    song = tmp_path / "in" / "a.wav"
    song.parent.mkdir()
    song.write_bytes(b"RIFF")
    out = tmp_path / "out"
    sep, mix = (str(tiny_models / f"{k}.onnx") for k in ("separator", "mixer"))
    item = sources.collect([str(song.parent)], str(out))[0]
    outputs = {stem: str(out / f"a.{stem}.wav") for stem in ("solo", "accompaniment")}
    out.mkdir()
    for p in outputs.values():
        Path(p).write_bytes(b"x")
    st_ = item.path.stat()
    rec = dict(json.loads(good_line("a")), input=str(item.path), size=st_.st_size, mtime_ns=st_.st_mtime_ns,
               outputs=outputs, options={"format": "wav", "bits": 24, "remix": False},
               models={k: task.model_identity(pipeline.load_model(p, k)) for k, p in (("separator", sep),
                                                                                    ("mixer", mix))})
    bad = dict(BAD_LINES)
    (out / manifest.NAME).write_bytes(bad["input-list"] + json.dumps(rec).encode() + b"\n" + bad["cut-inside-utf8"])
    assert main(["batch", str(song.parent), "--out", str(out), "--model", sep, "--mixer", mix]) == 0
    err = capsys.readouterr().err
    assert f"{out / manifest.NAME}: 2 unreadable lines skipped (line 1: input is a list, not text)" in err
    assert "1 input: 0 to do, 1 done earlier" in err
