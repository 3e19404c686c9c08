"""``DIR/manifest.jsonl``: one JSON line per input, appended (and synced) as each result arrives.

A line holds the input's path, size, modification time and SHA-256, the models' versions
and hashes, the output options, the outputs written, the suggestion (pan, gain,
confidence), the warnings (the input's damage or downmix, the models' pairing), the audio duration, the processing time, the worker, the status (``done``
or ``failed``), the error text and the number of attempts. The latest line of an input
is its state. Only one batch writes a manifest at a time (an exclusive lock). Every line is
checked on reading (:func:`check_record`); one that cannot be used (cut short or cut inside
a UTF-8 character by a crash, or not a record) is skipped and counted, and the batch says so.

What a re-run skips: an input whose latest line has the same models and options (as
:func:`comparable` reads them: a line of an earlier version, without the newer options, was
written with :data:`OPTION_DEFAULTS`) and whose file has the same size and modification time (as rsync trusts them) is skipped when it
is done and all its outputs exist, or when it failed (``retry_failed`` tries it again).
An input that was done but whose file was touched is hashed again on a worker, which
keeps the earlier outputs when the content did not change (:func:`Manifest.plan`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from jazzremix_gui.core.audio.formats import DEFAULT_MP3_BITRATE, LOSSY
from jazzremix_gui.core.audio.headroom import DEFAULT_CLIP_MODE
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files.oserrors import describe_os_error, kind_problem
from jazzremix_gui.services import naming, validation as v

try:
    import fcntl
except ImportError:  # Windows: no advisory lock
    fcntl = None

NAME = "manifest.jsonl"
#: The output options of a record (``options``) and what each one was before it was recorded: a line written by
#: an earlier version, which recorded only ``format``, ``bits`` and ``remix``, had these values (its remix was
#: written as computed: ``loudness`` ``keep``).
OPTION_DEFAULTS = {"format": "wav", "bits": 24, "bitrate": DEFAULT_MP3_BITRATE, "clip": DEFAULT_CLIP_MODE,
                   "filename": naming.BATCH_TEMPLATE, "solo": "mono", "keep_mono": False, "remix": False, "loudness": "keep"}


def comparable(options: dict | None) -> dict:
    """The options that decide the bytes an input's outputs hold, for comparing two runs.

    Missing fields take :data:`OPTION_DEFAULTS` (records of earlier versions); the ones that
    change nothing are left out: ``bitrate`` but for MP3, ``bits`` for a lossy format,
    ``loudness`` without a remix.

    Parameters
    ----------
    options : dict or None
        A record's ``options`` (None: a record without any, which matches no run).
    """
    if options is None:
        return {}
    full = OPTION_DEFAULTS | options
    fmt = full["format"] if isinstance(full["format"], str) else None  # a hand-edited line: compared as it is
    drop = {"bitrate"} if fmt != "mp3" else set()
    drop |= {"bits"} if fmt in LOSSY else set()
    drop |= {"loudness"} if full["remix"] is False else set()
    return {k: v for k, v in full.items() if k not in drop}


class ManifestError(JazzRemixError):
    """The manifest cannot be opened, locked or written."""


@dataclass
class Plan:
    """What a batch does: ``todo`` inputs (each with its earlier record, or None), and the skipped ones.

    ``skipped`` holds ``(input, its latest record)`` of each input skipped, in order.
    """

    todo: list
    skipped: list = field(default_factory=list)

    @property
    def skipped_done(self) -> int:
        return sum(rec["status"] == "done" for _, rec in self.skipped)

    @property
    def skipped_failed(self) -> int:
        return sum(rec["status"] == "failed" for _, rec in self.skipped)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


#: Statuses a record may have.
STATUSES = ("done", "failed")
#: Longest manifest line read (a record is about 1 kB); a longer one is skipped like any unreadable line.
MAX_LINE = 1 << 20


def check_record(rec) -> dict:
    """Check one decoded manifest line; returns it, or raises with the reason.

    The fields a re-run relies on must have their types: ``input`` (text), ``status``
    (``done`` or ``failed``), ``size`` and ``mtime_ns`` (whole numbers), ``sha256``, ``error``
    (text or null), ``models``, ``options`` (objects), ``outputs`` (an object of text paths),
    ``warnings`` (a list of text), ``duration_s`` (a finite number or null).

    Raises
    ------
    services.validation.Invalid
    """
    if not isinstance(rec, dict):
        raise v.Invalid(f"the line holds {v.describe(rec)}, not an object")
    v.text(rec, "input", nonempty=True)
    status = v.text(rec, "status")
    if status not in STATUSES:
        raise v.Invalid(f"status is {v.describe(status)}, not done or failed")
    for key in ("size", "mtime_ns"):
        if rec.get(key) is not None:
            v.integer(rec, key, 0, 1 << 63)
    for key in ("sha256", "error"):
        if rec.get(key) is not None:
            v.text(rec, key, max_len=1 << 16)
    for key in ("models", "options", "suggestion"):
        if rec.get(key) is not None:
            v.mapping(rec, key)
    for name, out in (v.mapping(rec, "outputs", required=False) or {}).items():
        if not isinstance(out, str) or not out:
            raise v.Invalid(f"outputs.{name} is {v.describe(out)}, not a path")
    for i, line in enumerate(v.sequence(rec, "warnings", 1000, required=False) or []):
        if not isinstance(line, str):
            raise v.Invalid(f"warnings[{i}] is {v.describe(line)}, not text")
    if rec.get("duration_s") is not None:
        v.number(rec, "duration_s", 0.0, 1e9)
    return rec


@dataclass
class Records:
    """A manifest as read: the latest record of each input, and the lines that could not be used."""

    latest: dict
    skipped: int = 0
    first_problem: str = ""


def read_manifest(path) -> Records:
    """Read a manifest, skipping (and counting) every line that cannot be used.

    A line is skipped when it is not UTF-8 (cut inside a character by a crash), not JSON
    (cut short), nested too deep, over 1 MB, or not a record (:func:`check_record`); the
    first such line's reason is kept for the message. A missing file has no records.

    Raises
    ------
    ManifestError
        The file cannot be read, or is not a regular file.
    """
    records = Records({})
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return records
    except OSError as exc:
        raise ManifestError(describe_os_error(exc, "cannot read the manifest", path)) from None
    try:
        with os.fdopen(fd, "rb") as f:
            problem = kind_problem(os.fstat(f.fileno()).st_mode, "a manifest")
            if problem:
                raise ManifestError(f"{path}: {problem}")
            number = 0
            while line := f.readline(MAX_LINE + 1):  # never more than MAX_LINE bytes in memory
                number += 1
                if not line.strip():
                    continue
                try:
                    if len(line) > MAX_LINE:
                        while line and not line.endswith(b"\n"):  # the rest of the long line
                            line = f.readline(MAX_LINE + 1)
                        raise v.Invalid(f"longer than {MAX_LINE:,} bytes")
                    rec = check_record(v.parse_json(line))
                except v.Invalid as exc:
                    records.skipped += 1
                    records.first_problem = records.first_problem or f"line {number}: {exc}"
                    continue
                records.latest[rec["input"]] = rec
    except OSError as exc:
        raise ManifestError(describe_os_error(exc, "cannot read the manifest", path)) from None
    return records


def read_records(path) -> dict[str, dict]:
    """The latest record of each input in a manifest file (missing file: none); unusable lines skipped.

    Returns
    -------
    dict
        Input path (str) -> its latest record.
    """
    return read_manifest(path).latest


class Manifest:
    """The manifest of an output folder, locked for this batch while open.

    Parameters
    ----------
    out_dir : Path
        The batch's output folder (created if missing).
    """

    def __init__(self, out_dir):
        self.path = Path(out_dir) / NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a+b")  # bytes: a last line cut inside a character is no error
        except OSError as exc:
            raise ManifestError(describe_os_error(exc, "cannot open the manifest", self.path)) from None
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._file.close()
                raise ManifestError(f"{self.path}: another jazzremix batch is writing to this folder") from None
        try:
            read = read_manifest(self.path)
        except ManifestError:
            self._file.close()
            raise
        self.records = read.latest
        #: Lines of the manifest that could not be used (skipped), and the first one's reason.
        self.skipped, self.first_problem = read.skipped, read.first_problem
        self._file.seek(0, os.SEEK_END)
        if self._file.tell() > 0:
            self._file.seek(self._file.tell() - 1)
            if self._file.read(1) != b"\n":  # a line cut short: start the next one on its own line
                self._append_text("\n")

    def _append_text(self, text: str) -> None:
        try:
            self._file.write(text.encode("utf-8"))
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise ManifestError(describe_os_error(exc, "cannot write the manifest", self.path)) from None

    def append(self, record: dict) -> None:
        """Add one input's record (one line, flushed and synced to disk)."""
        self._append_text(json.dumps(record, ensure_ascii=False) + "\n")
        self.records[record["input"]] = record

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()  # closing releases the lock

    def __enter__(self) -> "Manifest":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def plan(self, inputs, models: dict, options: dict, retry_failed: bool = False) -> Plan:
        """Split inputs into those to process and those a re-run skips.

        Parameters
        ----------
        inputs : list of services.naming.InputFile
        models : dict
            ``{"separator": {"version", "sha256"}, "mixer": {...}}`` of this batch.
        options : dict
            Output options of this batch (the keys of :data:`OPTION_DEFAULTS`), compared with a
            record's by :func:`comparable`.

        Returns
        -------
        Plan
            ``todo`` holds ``(input, earlier record or None)``; an earlier *done* record is
            passed on only when models and options match, so a worker may keep its outputs
            if the content is unchanged.
        """
        plan, wanted = Plan([]), comparable(options)
        for item in inputs:
            rec = self.records.get(str(item.path))
            same = rec is not None and rec.get("models") == models and comparable(rec.get("options")) == wanted
            unchanged = same and _stat(item.path) == (rec.get("size"), rec.get("mtime_ns"))
            status = rec.get("status") if rec else None
            if unchanged and (status == "done" and outputs_exist(rec) or status == "failed" and not retry_failed):
                plan.skipped.append((item, rec))
            else:
                plan.todo.append((item, rec if same and status == "done" else None))
        return plan


def outputs_exist(record: dict) -> bool:
    """Whether every output a record lists is still on disk."""
    outs = record.get("outputs") or {}
    return bool(outs) and all(Path(p).is_file() for p in outs.values())
