"""One bad input is one line naming it and the cause; the other inputs complete; the exit status says so.

Permissions are tested for real: as root (who may read anything) the command runs as the
unprivileged user ``nobody``; otherwise as the user running the tests. Where ``nobody`` cannot read
the checkout or its virtual environment (a clone inside a private folder, ``mktemp -d`` or /root),
the child runs from a readable copy made of hard links (see ``child_python``).
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli import main as cli
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.files import oserrors
from jazzremix_gui.core.errors import AudioReadError, DiskFullError

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def tone(path, seconds=0.5, rate=22050):
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, np.stack([np.sin(2 * np.pi * 330 * t), np.sin(2 * np.pi * 440 * t)], 1) * 0.2, rate)
    return path


@pytest.fixture
def base():
    """A folder every user may enter (tmp_path's parents are private to the user running the tests)."""
    d = Path(tempfile.mkdtemp(prefix="jazzremix-faults-"))
    d.chmod(0o777)
    yield d
    for p in d.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(d, ignore_errors=True)


DROP = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if AS_ROOT else []


def _nobody_reads(path: Path) -> bool:
    """Whether ``nobody`` may read ``path``: every folder above it searchable by others, the path readable."""
    try:
        st = path.stat()
        if not st.st_mode & 0o004 or (path.is_dir() and not st.st_mode & 0o001):
            return False
        return all(parent.stat().st_mode & 0o001 for parent in path.parents)
    except OSError:
        return False


def _probe(cwd: Path, extra_env: dict) -> str:
    """'' when ``nobody`` can run the CLI from ``cwd`` with ``extra_env``, else what went wrong."""
    proc = subprocess.run([*DROP, sys.executable, "-m", "jazzremix_gui", "--version"], cwd=cwd,
                          env=dict(os.environ, **extra_env), capture_output=True, text=True, timeout=120)
    return "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["exit %d" % proc.returncode])[-1]


@pytest.fixture(scope="module")
def child_python(tmp_path_factory):
    """(cwd, extra environment) for running the CLI as ``nobody``.

    As the user running the tests, or where ``nobody`` reads the checkout and every folder on
    ``sys.path``: the checkout itself. Otherwise a readable copy: the package, its models and
    resources, and each unreadable ``sys.path`` folder (the virtual environment's site-packages) are
    hard-linked (``cp -al``: seconds, no data copied) into a folder everyone may enter, and the child
    finds them through ``PYTHONPATH``. Skipped, with the reason, where neither works.
    """
    if not AS_ROOT:
        yield ROOT, {}
        return
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv (util-linux): cannot test permissions as another user")
    why = _probe(ROOT, {})
    if not why:
        yield ROOT, {}
        return
    copy = Path(tempfile.mkdtemp(prefix="jazzremix-readable-"))
    try:
        copy.chmod(0o755)
        root = copy / "root"
        root.mkdir(mode=0o755)
        stdlib = Path(sys.base_prefix) / "lib"
        entries = []
        for i, entry in enumerate(p for p in sys.path if p and Path(p).is_dir()):
            entry = Path(entry).resolve()
            if entry == ROOT or (entry.is_relative_to(stdlib) and "site-packages" not in entry.parts):
                continue  # the checkout is copied below; the interpreter brings its own standard library
            if not _nobody_reads(entry):
                subprocess.run(["cp", "-al", str(entry), str(copy / str(i))], check=True, capture_output=True)
                entry = copy / str(i)
            entries.append(str(entry))
        for name in ("jazzremix_gui", "models", "resources", "pyproject.toml"):
            subprocess.run(["cp", "-al", str(ROOT / name), str(root / name)], check=True, capture_output=True)
        for d in [copy, *copy.rglob("*")]:  # folders made by cp keep the originals' modes: let nobody in
            if d.is_dir() and not d.is_symlink():
                d.chmod(d.stat().st_mode | 0o555)
    except (OSError, subprocess.CalledProcessError) as exc:  # another file system (no hard links), no cp
        shutil.rmtree(copy, ignore_errors=True)
        pytest.skip(f"nobody cannot run the CLI from this checkout ({why}) and no readable copy could be made: {exc}")
    extra = {"PYTHONPATH": os.pathsep.join([str(root), *entries])}
    still = _probe(root, extra)
    if still:
        shutil.rmtree(copy, ignore_errors=True)
        pytest.skip(f"nobody cannot run the CLI from this checkout ({why}), nor from a readable copy ({still})")
    yield root, extra
    shutil.rmtree(copy, ignore_errors=True)


def run_cli(args, base: Path, child, env=None):
    """The CLI in a fresh process, as ``nobody`` when the tests run as root (``child``: ``child_python``)."""
    cwd, extra = child
    env = dict(os.environ, JAZZREMIX_DATA_DIR=str(base / "data"), JAZZREMIX_CACHE_DIR=str(base / "cache"),
               HOME=str(base), **extra, **(env or {}))  # nobody's home does not exist
    return subprocess.run([*DROP, sys.executable, "-m", "jazzremix_gui", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_specific_messages_for_what_is_not_a_readable_file(tmp_path):
    tone(tmp_path / "real.wav")
    os.mkfifo(tmp_path / "fifo.wav")
    (tmp_path / "dangling.wav").symlink_to(tmp_path / "gone.wav")
    (tmp_path / "loop1.wav").symlink_to(tmp_path / "loop2.wav")
    (tmp_path / "loop2.wav").symlink_to(tmp_path / "loop1.wav")
    (tmp_path / "folder.wav").mkdir()
    cases = {
        "fifo.wav": "is a named pipe (FIFO), not a regular file",
        "dangling.wav": f"dangling symbolic link (it points to {tmp_path / 'gone.wav'}, which does not exist)",
        "loop1.wav": "symbolic link loop",
        "folder.wav": "is a folder, not an audio file",
        "missing.wav": "no such file",
        "real.wav/x.wav": "a part of the path is not a folder",
    }
    for name, sentence in cases.items():
        with pytest.raises(AudioReadError) as info:
            oserrors.check_input_file(tmp_path / name)
        assert str(info.value).startswith(f"{tmp_path / name}: {sentence}"), str(info.value)
    with pytest.raises(AudioReadError, match="/dev/zero: is a device, not a regular file"):
        oserrors.check_input_file("/dev/zero")
    assert oserrors.check_input_file(tmp_path / "real.wav") == tmp_path / "real.wav"


def test_disk_full_says_how_much_was_needed_and_is_free(tmp_path, monkeypatch):
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 1_200_000)
    with pytest.raises(DiskFullError, match=r"^no space left on the device in .+ \(needs about 3\.5 MB, 1\.2 MB free\)"):
        oserrors.check_free_space(tmp_path, 3_500_000)
    oserrors.check_free_space(tmp_path, 1_000_000)  # fits: nothing said
    system_error = RuntimeError("Error : System error.")  # libsndfile's words for any failed write: no errno
    assert not isinstance(oserrors.write_failure(tmp_path / "x.wav", system_error), DiskFullError)
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 0)
    err = oserrors.write_failure(tmp_path / "x.wav", system_error, needed=2_000_000)
    assert isinstance(err, DiskFullError) and "needs about 2.0 MB, 0 bytes free" in str(err)  # the free space tells
    assert "0 bytes free" in str(oserrors.write_failure(tmp_path / "x.wav", OSError(28, "No space left")))


def test_one_bad_input_does_not_stop_the_others(base, child_python):
    good = [tone(base / "good1.wav"), tone(base / "good2.wav")]
    locked = base / "locked"
    locked.mkdir()
    tone(locked / "inside.wav")
    unreadable = tone(base / "unreadable.wav")
    shut = base / "shut"  # a folder given as input that cannot be listed
    shut.mkdir()
    tree = base / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "closed").mkdir()
    tone(tree / "sub" / "ok.wav")
    tone(tree / "closed" / "hidden.wav")
    os.mkfifo(base / "fifo.wav")
    (base / "dangling.wav").symlink_to(base / "gone.wav")
    out = base / "out"
    out.mkdir()
    out.chmod(0o777)
    for p in (base / "good1.wav", base / "good2.wav", tree / "sub" / "ok.wav"):
        p.chmod(0o644)
    (tree / "sub").chmod(0o755)
    tree.chmod(0o755)
    locked.chmod(0o700 if AS_ROOT else 0o000)  # root owns it: nobody cannot enter
    unreadable.chmod(0o600 if AS_ROOT else 0o000)
    shut.chmod(0o311 if AS_ROOT else 0o300)
    (tree / "closed").chmod(0o311 if AS_ROOT else 0o300)
    inputs = [good[0], locked / "inside.wav", unreadable, shut, base / "fifo.wav", base / "dangling.wav",
              base / "missing.wav", tree, good[1]]
    proc = run_cli(["separate", *inputs, "--out", out], base, child_python)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("jazzremix: error:")]
    expect = {
        locked / "inside.wav": f"permission denied: cannot enter the folder {locked}",
        unreadable: "cannot read it (permission denied)",
        shut: "cannot read this folder (permission denied)",
        tree / "closed": "cannot read this folder (permission denied)",
        base / "fifo.wav": "is a named pipe (FIFO)",
        base / "dangling.wav": "dangling symbolic link",
        base / "missing.wav": "no such file",
    }
    assert len(errors) == len(expect), proc.stderr
    for path, sentence in expect.items():
        assert any(f"{path}: " in line and sentence in line for line in errors), (path, proc.stderr)
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{n}.{s}.wav" for n in ("good1", "good2", "ok") for s in ("solo", "accompaniment"))


def test_an_unexpected_exception_is_one_line_and_the_others_complete(tmp_path, monkeypatch, capsys, tiny_models):
    a, b, c = (tone(tmp_path / f"{n}.wav") for n in "abc")
    real = pipeline.separate_file

    def flaky(path, *args, **kwargs):
        if Path(path).name == "b.wav":
            raise ValueError("operands could not be broadcast")
        if Path(path).name == "c.wav":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "separate_file", flaky)
    rc = cli.main(["separate", str(a), str(b), str(c), "--out", str(tmp_path / "out"),
                   "--model", str(tiny_models / "separator.onnx")])
    err = capsys.readouterr().err
    assert rc == 1
    lines = [line for line in err.splitlines() if line.startswith("jazzremix: error:")]
    assert lines == [f"jazzremix: error: file 2 of 3: {b}: unexpected ValueError: operands could not be broadcast",
                     f"jazzremix: error: file 3 of 3: {c}: permission denied"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.accompaniment.wav", "a.solo.wav"]


def test_single_input_commands_say_os_errors_in_words(base, child_python):
    os.mkfifo(base / "pipe.wav")
    for command in (["suggest", base / "pipe.wav"], ["remix", base / "pipe.wav", "--out", base / "r.wav"]):
        proc = run_cli(command, base, child_python)
        assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
            f"jazzremix: error: {base / 'pipe.wav'}: is a named pipe (FIFO), not a regular file"], proc.stderr
    closed = base / "closed"
    closed.mkdir(mode=0o755 if AS_ROOT else 0o555)  # root's: nobody may not write there
    proc = run_cli(["separate", tone(base / "take.wav"), "--out", closed], base, child_python)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
        f"jazzremix: error: {closed}: cannot write in this folder (permission denied)"], proc.stderr


def test_names_at_the_limits_and_odd_folders_give_one_line(tmp_path, capsys, tiny_models):
    model = ["--model", str(tiny_models / "separator.onnx")]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("liner notes")
    assert cli.main(["separate", str(empty), "--out", str(tmp_path / "o1")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"jazzremix: error: {empty}: no audio files inside (skipped 1 non-audio file)"]

    longest = tone(tmp_path / ("x" * 236 + ".wav"))  # outputs of 254 bytes: legal, so their temporary names must fit
    assert cli.main(["separate", str(longest), "--out", str(tmp_path / "o2"), *model]) == 0
    assert sorted(p.name for p in (tmp_path / "o2").iterdir()) == ["x" * 236 + ".accompaniment.wav",
                                                                   "x" * 236 + ".solo.wav"]
    capsys.readouterr()

    too_long = tone(tmp_path / ("é" * 125 + ".wav"))  # 254 bytes; its outputs would need 264
    newline = tmp_path / "new\nline.wav"
    newline.write_bytes(os.urandom(3000))
    assert cli.main(["separate", str(too_long), str(newline), "--out", str(tmp_path / "o3"), *model]) == 1
    said, *lines, removed = capsys.readouterr().err.splitlines()
    assert said == f"created the output folder {tmp_path / 'o3'}"
    assert len(lines) == 2 and all(line.startswith("jazzremix: error: file ") for line in lines), lines
    assert f"output name {'é' * 125}.accompaniment.wav is too long (268 bytes; the limit here is 255)" in lines[0] \
        or f"output name {'é' * 125}.solo.wav is too long (259 bytes; the limit here is 255)" in lines[0]
    assert "new\\nline.wav" in lines[1]
    assert removed == f"removed the output folder {tmp_path / 'o3'} again: nothing was written in it"
    assert not (tmp_path / "o3").exists()
