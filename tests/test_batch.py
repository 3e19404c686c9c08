"""``jazzremix batch`` on real Dask clusters: a local one, and a scheduler and worker started as processes."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tiny_models import tiny_mixer, tiny_separator

pytest.importorskip("distributed")

from jazzremix_gui.cli import batch_cmd  # noqa: E402
from jazzremix_gui.cli.main import main  # noqa: E402
from jazzremix_gui.services.batch import manifest as mf  # noqa: E402
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.services.batch import runner, task  # noqa: E402
from jazzremix_gui.services.batch import sources  # noqa: E402
from jazzremix_gui.services.remix_writer import render_remix

ROOT = Path(__file__).resolve().parents[1]
N_GOOD, BAD = 9, {"bad/notaudio.wav": "not a readable audio file", "bad/empty.flac": "empty file",
                   "bad/truncated.wav": "cut off after the header"}
ALL = N_GOOD + len(BAD)  # inputs of make_corpus: 3 of each rate, mono and stereo, WAV and FLAC, in 3 folders


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch_models")
    return tiny_separator(d / "sep.onnx", context=2), tiny_mixer(d / "mix.onnx")


def make_corpus(root: Path, n_good: int = N_GOOD, seconds: float = 1.0, bad: bool = True) -> list:
    """``n_good`` short recordings (mono/stereo, 22.05-48 kHz, WAV/FLAC, in sub-folders) and three bad files."""
    rng = np.random.default_rng(0)
    good = []
    for i in range(n_good):
        rate, ch = (44100, 48000, 22050)[i % 3], 1 + i % 2
        t = np.arange(int(rate * (seconds + 0.05 * i))) / rate
        x = 0.2 * np.sin(2 * np.pi * (220 + 30 * i) * t)[:, None] + 0.02 * rng.standard_normal((t.size, ch))
        path = root / ("", "a", "b/c")[i % 3] / f"take{i:02d}.{('wav', 'flac')[i % 2]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, x.astype(np.float32), rate, subtype="PCM_24")
        good.append(path)
    (root / "notes.txt").write_text("not an input")
    if bad:
        (root / "bad").mkdir()
        (root / "bad/notaudio.wav").write_text("this is not audio")
        (root / "bad/empty.flac").write_bytes(b"")
        sf.write(root / "bad/truncated.wav", np.zeros((44100, 2), np.float32), 44100, subtype="PCM_16")
        data = (root / "bad/truncated.wav").read_bytes()
        (root / "bad/truncated.wav").write_bytes(data[:44])  # header only: nothing decodes (a shorter cut is processed with a warning)
    return good


def batch(*args, models):
    return main(["batch", *map(str, args), "--model", str(models[0]), "--mixer", str(models[1])])


def records(out: Path) -> list:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines() if line.strip()]


def check_outputs(record: dict, remix: bool) -> None:
    """The outputs exist, have the input's rate and length, and the stems add up to the input's mid."""
    x, rate = sf.read(record["input"], always_2d=True, dtype="float32")
    solo, r1 = sf.read(record["outputs"]["solo"], dtype="float32")
    acc, r2 = sf.read(record["outputs"]["accompaniment"], dtype="float32")
    assert r1 == r2 == rate and solo.shape == (x.shape[0],) and acc.shape == (x.shape[0], 2)
    residual = solo + acc.mean(axis=1) - x.mean(axis=1)
    if rate == 44100:  # exact at the model's rate; elsewhere the resampling round trip drops the top octave
        np.testing.assert_allclose(residual, 0, atol=1e-4)
    assert np.mean(residual ** 2) < 0.01 * np.mean(x.mean(axis=1) ** 2)
    if remix:
        mix, r3 = sf.read(record["outputs"]["remix"], dtype="float32")
        assert r3 == rate and mix.shape == (x.shape[0], 2) and np.abs(mix).max() > 0.01
    assert record["sha256"] == hashlib.sha256(Path(record["input"]).read_bytes()).hexdigest()
    s = record["suggestion"]
    assert -45 <= s["pan_deg"] <= 45 and 0 <= s["gain"] <= 2 and 0 < s["confidence"] <= 1
    assert record["duration_s"] == pytest.approx(x.shape[0] / rate)


def test_local_cluster_done_failed_rerun_and_redo(tmp_path, models, capsys):
    src, out = tmp_path / "src", tmp_path / "out"
    make_corpus(src)
    # the remix as computed (--loudness keep), to compare it with the single-file pipeline's
    assert batch(src, "--out", out, "--workers", "2", "--remix", "--loudness", "keep", models=models) == 1  # 3 failed
    recs = records(out)
    assert len(recs) == ALL and len({r["input"] for r in recs}) == ALL
    done = [r for r in recs if r["status"] == "done"]
    failed = {Path(r["input"]).relative_to(src).as_posix(): r for r in recs if r["status"] == "failed"}
    assert len(done) == N_GOOD and set(failed) == set(BAD)
    for name, reason in BAD.items():
        assert reason in failed[name]["error"] and failed[name]["attempts"] == 1  # unreadable: not tried again
    for r in done:
        check_outputs(r, remix=True)
        assert r["warnings"] == []  # whole stereo files, a mixer without a paired separator
    for r in done[:3]:  # the streamed outputs equal the single-file pipeline's (24-bit quantisation apart)
        ref = pipeline.analyse(r["input"], separator=pipeline.load_model(models[0], "separator"),
                               mixer=pipeline.load_model(models[1], "mixer"))
        assert (ref.suggestion.pan_deg, ref.suggestion.gain) == (r["suggestion"]["pan_deg"], r["suggestion"]["gain"])
        want = render_remix(ref.stems, ref.suggestion.pan_deg, ref.suggestion.gain)
        np.testing.assert_allclose(sf.read(r["outputs"]["remix"], dtype="float32")[0], np.clip(want, -1, 1), atol=2e-6)
        np.testing.assert_allclose(sf.read(r["outputs"]["solo"], dtype="float32")[0], ref.stems.solo, atol=2e-7)
    assert (out / "b" / "c" / "take02.remix.wav").is_file()  # sub-folders mirrored
    assert not list(out.rglob("*.part")) and not list(out.rglob("notes*"))
    assert len({r["worker"] for r in done}) == 2  # both workers took files
    assert {r["model_threads"] for r in done} == {max(1, task.available_cores() // 2)}  # the cores shared out

    capsys.readouterr()
    start = time.monotonic()
    assert batch(src, "--out", out, "--remix", "--loudness", "keep", models=models) == 1  # nothing to do: no cluster
    assert time.monotonic() - start < 5 and len(records(out)) == ALL
    assert f"0 to do, {N_GOOD} done earlier, {len(BAD)} failed earlier" in capsys.readouterr().err

    victim, touched = done[5], done[6]
    Path(victim["outputs"]["accompaniment"]).unlink()
    os.utime(touched["input"])  # same bytes, new modification time: hashed again, outputs kept
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.wav")} | {p: p.stat().st_mtime_ns for p in out.rglob("*.flac")}
    assert batch(src, "--out", out, "--remix", "--loudness", "keep", "--workers", "1", models=models) == 1
    recs2 = {r["input"]: r for r in records(out)[ALL:]}
    assert set(recs2) == {victim["input"], touched["input"]}
    assert recs2[touched["input"]]["unchanged"] and not recs2[victim["input"]]["unchanged"]
    check_outputs(recs2[victim["input"]], remix=True)
    changed = {p for p in out.rglob("*.*") if p.suffix != ".jsonl" and before.get(p) != p.stat().st_mtime_ns}
    assert changed == {Path(p) for p in victim["outputs"].values()}

    # other options redo everything; the earlier failures are tried again on request
    assert batch(src, "--out", out, "--retry-failed", "--format", "flac", "--bits", "16", "--workers", "1",
                 models=models) == 1
    last = records(out)[ALL + 2:]
    assert len(last) == ALL and sum(r["status"] == "done" for r in last) == N_GOOD
    assert all(r["outputs"]["solo"].endswith(".solo.flac") and "remix" not in r["outputs"]
               for r in last if r["status"] == "done")


def test_interrupt_then_resume(tmp_path, models):
    src, out = tmp_path / "src", tmp_path / "out"
    good = make_corpus(src, n_good=10, seconds=2.0, bad=False)
    cmd = [sys.executable, "-m", "jazzremix_gui", "batch", str(src), "--out", str(out), "--workers", "1",
           "--model", str(models[0]), "--mixer", str(models[1]), "--json"]
    # Ctrl+C as in a terminal: a suite started in the background (SIGINT ignored, which children inherit and
    # the CLI keeps, like nohup) must not turn this into a run the signal cannot stop
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not (manifest.exists() and manifest.read_text().count("\n") >= 2):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)  # what Ctrl+C does (to the client; the workers ignore it)
    stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "run the same command again to resume" in err
    recs = records(out)
    assert 2 <= len(recs) < len(good)
    summary = json.loads(stdout)  # --json: what was done before the stop, alone on stdout
    assert summary["interrupted"] and summary["written"] == len(recs) == len(summary["files"])
    assert not list(out.rglob("*.part"))
    recorded = {p for r in recs for p in r["outputs"].values()}
    assert {str(p) for p in out.rglob("*.wav")} | {str(p) for p in out.rglob("*.flac")} <= recorded

    assert batch(src, "--out", out, "--workers", "1", models=models) == 0  # two workers: the first test
    recs = records(out)
    assert sorted(r["input"] for r in recs) == sorted(str(p) for p in good)  # each input once
    for r in recs:
        check_outputs(r, remix=False)


def test_existing_scheduler_and_worker_processes(tmp_path, models):
    src, out = tmp_path / "src", tmp_path / "out"
    good = make_corpus(src, n_good=4)
    sched_file = tmp_path / "scheduler.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sched_file)], env=env, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 30
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        procs.append(subprocess.Popen([*dask, "worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
                                       "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                      env=env, stderr=subprocess.DEVNULL))
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        assert batch(src, "--out", out, "--scheduler", address, "--remix", models=models) == 1
        recs = records(out)
        assert sorted(r["input"] for r in recs if r["status"] == "done") == sorted(str(p) for p in good)
        assert sum(r["status"] == "failed" for r in recs) == 3
        for r in recs:
            if r["status"] == "done":
                check_outputs(r, remix=True)
                assert r["model_threads"] == task.available_cores()  # the one worker on this machine
                assert not r["worker"].startswith(("tcp://127.0.0.1:" + address.rsplit(":", 1)[1]))
    finally:  # the worker first: one stopped beside its scheduler waits 8 s trying to say goodbye to it
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_unreachable_scheduler_and_missing_extra(tmp_path, models, capsys, monkeypatch):
    src = tmp_path / "src"
    make_corpus(src, n_good=1, bad=False)
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 2.0)
    assert batch(src, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", models=models) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("jazzremix: error: tcp://127.0.0.1:9: cannot reach the Dask scheduler")
    real = batch_cmd.importlib.util.find_spec
    monkeypatch.setattr(batch_cmd.importlib.util, "find_spec", lambda n: None if n == "distributed" else real(n))
    assert batch(src, "--out", tmp_path / "out", models=models) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'jazzremix-gui[batch]'" in err[0]


def test_worker_refuses_other_models(tmp_path, models):
    """A worker whose model differs from the client's (by SHA-256) fails the input, naming both."""
    src = tmp_path / "src"
    song = make_corpus(src, n_good=1, bad=False)[0]
    ident = {k: {"path": str(p), **task.model_identity(pipeline.load_model(p, k))}
             for k, p in (("separator", models[0]), ("mixer", models[1]))}
    ok = task.process(task.TaskSpec(str(song), str(tmp_path / "out"), models=ident))
    assert ok["status"] == "done" and Path(ok["outputs"]["solo"]).is_file()
    other = dict(ident, mixer=dict(ident["mixer"], sha256="0" * 64))
    res = task.process(task.TaskSpec(str(song), str(tmp_path / "out2"), models=other))
    assert res["status"] == "failed" and "another mixer model" in res["error"] and not (tmp_path / "out2").exists()
    res = task.process(task.TaskSpec(str(song), str(tmp_path / "out2"), models=ident, version="0.0.1"))
    assert res["status"] == "failed" and "runs jazzremix" in res["error"] and not (tmp_path / "out2").exists()


def test_sources_and_manifest(tmp_path):
    (tmp_path / "x").mkdir()
    for name in ("x/a.wav", "x/a.flac"):
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(sources.BatchSourceError, match="would write the same outputs"):
        sources.collect([tmp_path / "x"], tmp_path / "out")
    with pytest.raises(sources.BatchSourceError, match="no such file or folder"):
        sources.collect([tmp_path / "nope"], tmp_path / "out")
    # the output folder inside a source is not searched (a re-run must not take its own outputs)
    (tmp_path / "x/a.flac").unlink()
    (tmp_path / "x/out").mkdir()
    (tmp_path / "x/out/a.solo.wav").write_bytes(b"")
    assert [i.path.name for i in sources.collect([tmp_path / "x"], tmp_path / "x/out")] == ["a.wav"]

    out = tmp_path / "m"
    with mf.Manifest(out) as m:
        m.append({"input": "/a", "status": "failed"})
        with pytest.raises(mf.ManifestError, match="another jazzremix batch"):
            mf.Manifest(out)
    with open(out / mf.NAME, "a") as f:
        f.write('{"input": "/b", "sta')  # a line cut short by a crash
    with mf.Manifest(out) as m:
        assert set(m.records) == {"/a"}
        m.append({"input": "/c", "status": "done"})
    assert set(mf.read_records(out / mf.NAME)) == {"/a", "/c"}


def test_warnings_reach_the_terminal_line():
    from jazzremix_gui.cli.batch_cmd import _describe

    rec = {"input": "a.mp3", "status": "done", "warnings": ["a.mp3: damaged MP3 file: 1.00 s missing"]}
    assert _describe(rec) == "a.mp3: done\n  warning: a.mp3: damaged MP3 file: 1.00 s missing"
    assert _describe({"input": "b.wav", "status": "done"}) == "b.wav: done"  # manifests of earlier versions


def test_a_dc_offset_is_recorded_and_said_on_lines_of_their_own(tmp_path, models, capsys):
    """The level and DC offset the separator heard a recording with reach the manifest and the terminal, each line a
    line (they were once joined and escaped into one: a literal \\n)."""
    from jazzremix_gui.cli.batch_cmd import _reporter

    song = tmp_path / "offset.wav"
    t = np.arange(44100 * 3) / 44100
    sf.write(song, (0.2 * np.sin(2 * np.pi * 330 * t)[:, None] + [0.03, 0.01]).astype(np.float32), 44100,
             subtype="FLOAT")
    ident = {k: {"path": str(p), **task.model_identity(pipeline.load_model(p, k))}
             for k, p in (("separator", models[0]), ("mixer", models[1]))}
    spec = task.TaskSpec(str(song), str(tmp_path / "out"), models=ident)
    done = task.process(spec)
    assert done["status"] == "done" and done["dc_offset"] == pytest.approx([0.03, 0.01], abs=1e-4)
    record = runner._record(done, spec, 1)
    assert record["dc_offset"] == done["dc_offset"] and record["heard_gain_db"] == done["heard_gain_db"]
    acc, _ = sf.read(done["outputs"]["accompaniment"])
    assert acc.mean(axis=0) == pytest.approx([0.03, 0.01], abs=1e-3)  # the offset stays in the accompaniment
    capsys.readouterr()
    _reporter(1)[0]({**record, "warnings": ["offset.wav: a warning"]}, runner.Tally(done=1), None)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"[1/1] {song}: done" and lines[1] == "  warning: offset.wav: a warning"
    assert lines[2].startswith("  a DC offset (+0.0300 left, +0.0100 right of full scale, -30 dBFS)")


def test_an_output_folder_that_is_the_source_folder_resumes(tmp_path, models, capsys):
    """Run twice into the folder it reads: the stems the first run wrote there are not inputs the second time, so
    the recording is done earlier (it was refused, and its stems separated again as new inputs)."""
    src = tmp_path / "src"
    make_corpus(src, n_good=2, bad=False)
    assert batch(src, "--out", src, "--workers", "1", models=models) == 0
    before = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    capsys.readouterr()
    assert batch(src, "--out", src, "--workers", "1", models=models) == 0
    err = capsys.readouterr().err
    assert "skipped 4 files found in the input folders that this command writes" in err
    assert "0 to do, 2 done earlier" in err
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == before


def test_sigterm_while_the_cluster_starts_is_one_line(tmp_path, models):
    """SIGTERM at any moment of the local cluster's start: one line and 143 (or 0 when the short job was done
    first). One that landed while the cluster was half made left Dask's exit handler a traceback
    (``AssertionError: Status.init``); now it waits for the cluster, which is then closed."""
    src = tmp_path / "src"
    make_corpus(src, n_good=2, bad=False)
    for i, delay in enumerate((0.6, 1.0, 1.4, 1.8, 2.4)):
        p = subprocess.Popen([sys.executable, "-m", "jazzremix_gui", "batch", str(src), "--out",
                              str(tmp_path / f"o{i}"), "--workers", "1", "--model", str(models[0]), "--mixer",
                              str(models[1])],
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGTERM)
        err = p.communicate(timeout=120)[1]
        assert "Traceback" not in err and "AssertionError" not in err, err
        assert p.returncode in (0, 143), (delay, p.returncode, err)


def test_a_file_that_cannot_be_read_is_not_tried_again(tmp_path, models, capsys):
    """Its failure is its own (the same on any worker): recorded at once, no retry counted."""
    src = tmp_path / "src"
    make_corpus(src, n_good=1, bad=True)
    assert batch(src, "--out", tmp_path / "out", "--workers", "1", models=models) == 1
    err = capsys.readouterr().err
    assert "1 done, 3 failed (0 retries)" in err, err
    assert sum(r["status"] == "failed" for r in records(tmp_path / "out")) == 3


def test_other_failures_are_tried_once_more(tmp_path, models, capsys):
    """A failure that is not the file's own (here its output folder cannot be made) gets a second try."""
    src, out = tmp_path / "src", tmp_path / "out"
    make_corpus(src, n_good=2, bad=False)  # take00.wav at the top, take01.flac in a/
    out.mkdir()
    (out / "a").write_text("a file where the sub-folder a/ would go")
    assert batch(src, "--out", out, "--workers", "1", models=models) == 1
    assert "1 done, 1 failed (1 retries)" in capsys.readouterr().err
    [failed] = [r for r in records(out) if r["status"] == "failed"]
    assert failed["attempts"] == 2 and Path(failed["input"]).parent.name == "a"
