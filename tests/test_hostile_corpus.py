"""Every file of the hostile corpus (tests/hostile_corpus.py) through ``separate``, ``suggest`` and ``remix``.

The CLI runs in this process (``cli.main.main``) with the shipped models; stdout and stderr are
captured at the file-descriptor level, so a decoder library writing to stderr is seen. Each
command must end in one of two ways:

- finite output, aligned: the stems (``separate``) or the remix as long as libsndfile's decoding
  of the input, at its rate; the suggestion's pan, gain and posterior finite; nothing else in the
  output folder; stderr only Jazz Remix's own lines (a damaged file: one of them names it);
- or exactly one line on stderr, ``jazzremix: error: ...`` naming the file, nothing on stdout,
  and nothing at all in the output folder (no temp files either).

Either way the corpus folder is left as it was (nothing written beside the inputs).
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hostile_corpus import ACCEPTED_RATES, CLASSES, DECODABLE, ERROR, OK, Case, build, cases

CASES = cases()
#: Known failures: (case id regex, reason), each marked xfail(strict=True) so a fix fails the suite until its entry
#: goes. None today: every file of the corpus passes (docs/RELIABILITY.md's table claims so, and a test checks it).
KNOWN: list[tuple[str, str]] = []
#: Seconds one command may take: a FIFO or a device that blocks must fail the test, not hang the suite.
COMMAND_LIMIT_S = 20


def _param(case: Case):
    reasons = [reason for pattern, reason in KNOWN if re.fullmatch(pattern, case.id)]
    marks = [pytest.mark.xfail(strict=True, reason=reasons[0])] if reasons else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    made = build(CASES, root)
    return root, made


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.is_dir() else []


def _snapshot(root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        out += [os.path.join(dirpath, n) for n in dirnames + filenames]
    return sorted(out)


def _names(path: Path) -> tuple[str, ...]:
    """Ways an error line may spell the file's name (as is, or escaped)."""
    name = path.name
    return name, name.encode("unicode_escape", "backslashreplace").decode("ascii"), repr(name)[1:-1], \
        os.fsencode(name).decode("utf-8", "backslashreplace"), name.encode("utf-8", "replace").decode("utf-8")


def _expire(signum, frame):
    raise TimeoutError("the command did not finish in time")


def _run(capfd, argv, limit: int = COMMAND_LIMIT_S):
    """Run the CLI in this process; ``(exit status, stdout, stderr + any Python warnings)``."""
    from jazzremix_gui.cli.main import main

    capfd.readouterr()
    old = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(limit)
    with warnings.catch_warnings(record=True) as caught:  # outside pytest, Python prints them on stderr
        warnings.simplefilter("always")
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse
            rc = exc.code
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    out, err = capfd.readouterr()
    err += "".join(f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}\n" for w in caught)
    return rc, out, err


def _error_problems(case: Case, path: Path, rc, out: str, err: str, folder: Path) -> list[str]:
    """What is wrong with a failed command (empty when it failed cleanly)."""
    lines, bad = err.splitlines(), []
    if rc in (0, None):
        bad.append("exit 0 on a file it cannot process")
    if len(lines) != 1:
        return bad + [f"{len(lines)} stderr lines, not one: {err!r}"]
    line = lines[0]
    if not line.startswith("jazzremix: error: ") or "unexpected" in line:
        bad.append(f"not a clean error line: {line!r}")
    if not any(n in line for n in _names(path)):
        bad.append(f"the error does not name the file: {line!r}")
    said = line.replace(str(path), "")
    for n in _names(path):
        said = said.replace(n, "")  # the cause, not the file's own name ("fifo.wav"), must match
    if case.message and not re.search(case.message, said, re.I):
        bad.append(f"the error does not say /{case.message}/: {line!r}")
    if os.path.exists(path) and re.search(r"no such file|does not exist", line, re.I):
        bad.append(f"says the file does not exist: {line!r}")
    if out:
        bad.append(f"stdout on failure: {out!r}")
    if _listing(folder):
        bad.append(f"debris after a failure: {_listing(folder)}")
    return bad


def _stderr_problems(path: Path, err: str, outputs: list[Path], promised: int | None, frames: int) -> list[str]:
    """stderr of a success: Jazz Remix's own lines only; a damaged file named in exactly one warning line."""
    allowed = ("jazzremix: ", "  ", *(os.path.join(path.parent, n) for n in _names(path)), *map(str, outputs))
    bad = [f"not Jazz Remix's line on stderr: {ln!r}" for ln in err.splitlines()
           if not (ln.startswith(allowed) or re.match(r"file \d+ of \d+: ", ln))]
    if promised is not None and frames < promised:
        warned = [ln for ln in err.splitlines() if ln.startswith("jazzremix: ")
                  and not ln.startswith("jazzremix: error") and any(n in ln for n in _names(path))]
        if len(warned) != 1:
            bad.append(f"damaged ({frames} of {promised} frames decode): {len(warned)} warning lines naming it")
    return bad


def _audio_problems(f: Path, channels: int, rate: int, frames: int) -> tuple[list[str], int]:
    data, r = sf.read(os.fsencode(f), dtype="float32", always_2d=True)
    bad = []
    if r != rate:
        bad.append(f"{f.name} at {r} Hz, the input is at {rate} Hz")
    if data.shape[1] != channels:
        bad.append(f"{f.name} has {data.shape[1]} channels, not {channels}")
    if data.shape[0] != frames:
        bad.append(f"{f.name} has {data.shape[0]} frames; the input decodes to {frames}")
    if not np.isfinite(data).all():
        bad.append(f"{f.name} holds NaN or Inf")
    return bad, data.shape[0]


def _output_problems(cmd: str, path: Path, out: str, folder: Path, ref):
    """What is wrong with a successful command's output; returns (problems, output files, length)."""
    if cmd == "suggest":
        try:
            data = json.loads(out)
            post = np.asarray(data["posterior"], float)
        except (ValueError, KeyError, TypeError) as exc:
            return [f"stdout is not the JSON suggestion ({exc}): {out[:200]!r}"], [], None
        finite = all(isinstance(data.get(k), (int, float)) and math.isfinite(data[k]) for k in ("pan_deg", "gain"))
        bad = [] if finite else [f"pan/gain not finite numbers: {out[:200]}"]
        if post.shape != (19, 21) or not np.isfinite(post).all() or abs(post.sum() - 1) > 1e-3:
            bad.append(f"posterior shape {post.shape}, sum {post.sum()}")
        if _listing(folder):
            bad.append(f"suggest wrote {_listing(folder)}")
        return bad, [], None
    if cmd == "separate":
        files = [(folder / f"{path.stem}.solo.wav", 1), (folder / f"{path.stem}.accompaniment.wav", 2)]
    else:
        files = [(folder / "remix.wav", 2)]
    if _listing(folder) != sorted(f.name for f, _ in files):
        return [f"output folder holds {_listing(folder)}"], [f for f, _ in files], None
    bad, lengths = [], set()
    for f, ch in files:
        b, n = _audio_problems(f, ch, ref.rate, ref.frames)
        bad += b
        lengths.add(n)
    if len(lengths) > 1:
        bad.append(f"stems of different lengths {sorted(lengths)}")
    return bad, [f for f, _ in files], lengths.pop()


def _expectation(case: Case, cmd: str, ref) -> str:
    expect = case.expect[cmd] if isinstance(case.expect, dict) else case.expect
    if expect == DECODABLE:  # a header that claims a rate outside those read is refused like any such file
        return OK if ref is not None and ref.frames > 0 and ref.rate in ACCEPTED_RATES else ERROR
    return expect


COMMANDS = ("separate", "suggest", "remix")


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_file(case, corpus, tmp_path, capfd, monkeypatch):
    root, made = corpus
    path, ref = made[case.id]
    before = _snapshot(root)
    problems, lengths = [], {}
    for cmd in COMMANDS:
        folder = tmp_path / cmd
        folder.mkdir()
        monkeypatch.chdir(folder)  # anything written to the working folder shows as debris
        argv = {"separate": ["separate", path, "--out", folder], "suggest": ["suggest", path, "--json"],
                "remix": ["remix", path, "--out", folder / "remix.wav"]}[cmd]
        rc, out, err = _run(capfd, argv)
        expect = _expectation(case, cmd, ref)
        if rc != 0 or expect == ERROR:
            bad = _error_problems(case, path, rc, out, err, folder)
            if expect == OK:
                bad = [f"failed (exit {rc}) on a file it must process: {err.strip()!r}"]
        elif ref is None:
            bad = [f"exit 0, but libsndfile does not read this file: {err.strip()!r}"]
        else:
            bad, outputs, n = _output_problems(cmd, path, out, folder, ref)
            bad += _stderr_problems(path, err, outputs, case.promised, ref.frames)
            if n is not None:
                lengths[cmd] = n
        problems += [f"{cmd}: {b}" for b in bad]
    if len(set(lengths.values())) > 1:
        problems.append(f"separate and remix disagree on the length: {lengths}")
    if _snapshot(root) != before:
        problems.append("something was written beside the inputs")
    assert not problems, f"{case.id}:\n" + "\n".join(problems)


def test_reliability_doc_table():
    """docs/RELIABILITY.md's table lists every class with the files tried; it claims that all pass, so nothing is known
    to fail."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    section = text.split("\n## Reliability\n", 1)[1].split("\n## ", 1)[0]
    rows = {m[1]: int(m[2]) for m in re.finditer(r"^\| `([\w-]+)` \| (\d+) \|", section, re.M)}
    want = {k: sum(c.klass == k for c in CASES) for k in CLASSES}
    assert rows == want, f"docs/RELIABILITY.md table: write these files-tried counts: {want}"
    assert f"{len(CASES)} short files" in section and f"{3 * len(CASES):,} runs" in section
    assert not KNOWN, "docs/RELIABILITY.md says every file passes: state the known failures there before adding them to KNOWN"


def test_corpus_size_and_classes():
    """At least 200 files, every class of the issue present, every id unique."""
    assert len(CASES) >= 200
    assert {c.klass for c in CASES} == set(CLASSES)
    assert len({c.id for c in CASES}) == len(CASES)
