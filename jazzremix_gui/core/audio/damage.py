"""Damaged inputs: the one rule for how long a file is, and the decoders' own words kept off the terminal.

The rule (:func:`check`, applied by :func:`core.audio.audio_io.info` for every command and the
app): a file is as long as what decodes from it. Its container's claim (the WAV/AIFF/AU
data size, the FLAC STREAMINFO total, the MP3 Xing count) is compared with the decoded
length; a file that falls short by more than its format's slack (:func:`slack`) is
*damaged*: it is processed to its decoded length, and one warning line
(:meth:`Damage.describe`) says how much is missing. Ogg records no total, so a last page
without the end-of-stream flag, or cut inside, is the sign of a cut Ogg file (its header, when
present, says where the stream was to end). A file of which nothing
decodes is an error. PCM in WAV and AIFF is measured from its size (libsndfile reads what
is there); everything else (FLAC, Ogg, MP3, AU, CAF, ...) is decoded once, in blocks, to count.

Decoder libraries (libsndfile, libmpg123, libFLAC, libvorbis) print warnings straight to
the process's stderr. :func:`decoder_output` captures file descriptor 2 around decoding,
so their lines are folded into the warning or the error (:func:`fold`) instead of
reaching the user raw.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from soundfile import _ffi, _snd

log = logging.getLogger(__name__)

#: Frames decoded per step while counting (small, so a decode error loses little).
COUNT_BLOCK = 16384
#: Subtypes whose length libsndfile derives from the file size without decoding.
_SIZED = ("PCM_", "FLOAT", "DOUBLE", "ULAW", "ALAW")
#: Announced lengths at or above this mean "unknown" (libsndfile's SF_COUNT_MAX for a FLAC total of 0).
UNKNOWN_LENGTH = 1 << 62
#: PAF 24-bit packs 10 frames per block; libsndfile announces whole blocks.
PAF_SLACK = 10
#: Longest decoder text kept in a message.
MAX_DETAIL = 200

_capture_lock = threading.RLock()


class Captured:
    """What a :func:`decoder_output` block caught on stderr (``text``, filled when the block ends)."""

    text: str = ""


@contextmanager
def decoder_output():
    """Redirect file descriptor 2 (C libraries' stderr) to a temporary file for the block.

    Yields a :class:`Captured` whose ``text`` holds what was printed, once the block is
    left. Python's own ``sys.stderr`` is flushed first so nothing of ours is caught.
    Nested or concurrent blocks are serialised (file descriptor 2 is one per process).
    """
    got = Captured()
    with _capture_lock:
        try:
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):
            pass
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all (a GUI started without one): nothing to capture
            yield got
            return
        try:
            sink = tempfile.TemporaryFile()
        except OSError:  # no temporary folder: let the lines through rather than fail the read
            os.close(saved)
            yield got
            return
        with sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield got
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                sink.seek(0)
                got.text = sink.read(64 * 1024).decode("utf-8", "replace")


def fold(text: str) -> str:
    """Decoder lines as one short clause: source prefixes stripped, repeats dropped, joined by ``; ``."""
    seen: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and "]" in line:  # "[src/libmpg123/parse.c:do_readahead():1083] warning: ..."
            line = line.split("]", 1)[1].strip()
        if line.lower().startswith(("warning: ", "note: ")):
            line = line.split(": ", 1)[1]
        if line and line not in seen:
            seen.append(line)
    out = "; ".join(seen)
    return out if len(out) <= MAX_DETAIL else out[: MAX_DETAIL - 3].rstrip() + "..."


@dataclass(frozen=True)
class Damage:
    """A file shorter than its container says.

    Attributes
    ----------
    claimed, decoded : int
        Frames announced by the header and frames that decoded.
    rate : int
        Sample rate in Hz.
    kind : str
        Format name for the message (``WAV``, ``MP3``, ...).
    detail : str
        The decoder's own words (:func:`fold`), or "".
    at_least : bool
        ``claimed`` is where the last page present ends (a cut Ogg file), not the stream's end.
    """

    claimed: int | None
    decoded: int
    rate: int
    kind: str
    detail: str = ""
    at_least: bool = False

    @property
    def missing(self) -> int | None:
        return None if self.claimed is None else self.claimed - self.decoded

    def short(self) -> str:
        """A few words for a track list: ``damaged: 7.55 s missing``."""
        if self.claimed is None:
            return "damaged: cut off"
        return f"damaged: {'at least ' if self.at_least else ''}{_seconds(self.missing, self.rate)} missing"

    def describe(self, path) -> str:
        """One line: ``PATH: damaged MP3 file: 0.45 s of the 8.00 s its header announces decode (7.55 s, 94 %
        missing); processed to the decoded length (decoder: ...)``."""
        if self.claimed is None:  # Ogg records no total length, nor does a FLAC whose total is 0
            how = "stops without its end-of-stream mark (cut off)" if self.kind == "OGG" else "stops early"
            text = (f"{path}: damaged {self.kind} file: the stream {how}; {_seconds(self.decoded, self.rate)} decode, "
                    "how much is missing is not recorded in the file; processed to the decoded length")
            return text + (f" (decoder: {self.detail})" if self.detail else "")
        share = self.missing / self.claimed if self.claimed else 1.0
        part = f"{share:.0%}" if share >= 0.01 else f"{share:.2%}"
        if self.at_least:
            text = (f"{path}: damaged {self.kind} file: cut off; {_seconds(self.decoded, self.rate)} decode, at least "
                    f"{_seconds(self.missing, self.rate)} missing (its last page would end at "
                    f"{_seconds(self.claimed, self.rate)}; Ogg records no total length); processed to the decoded length")
            return text + (f" (decoder: {self.detail})" if self.detail else "")
        got, said = _seconds(self.decoded, self.rate), _seconds(self.claimed, self.rate)
        if got == said:  # a few samples short: say them
            got, said = f"{self.decoded:,}", f"{self.claimed:,} samples"
        text = (f"{path}: damaged {self.kind} file: {got} of the {said} its header announces decode "
                f"({_seconds(self.missing, self.rate)}, {part} missing); processed to the decoded length")
        return text + (f" (decoder: {self.detail})" if self.detail else "")


def _seconds(frames: int, rate: int) -> str:
    s = frames / rate
    if 0 < s < 0.01:
        return f"{frames} sample{'s' if frames != 1 else ''}"
    return f"{s:.2f} s" if s < 600 else f"{s / 60:.1f} min"


def kind_of(info) -> str:
    """Short format name of a ``soundfile`` info or SoundFile (``WAV``, ``FLAC``, ``MP3``, ``OGG``, ...)."""
    if info.subtype.startswith("MPEG"):
        return "MP3"
    return "WAV" if info.format == "WAVEX" else info.format.split("_")[0]


def slack(info) -> int:
    """Frames a complete file of this format may fall short of its announced length.

    PAF 24-bit: one 10-frame block (libsndfile rounds its length up to whole blocks). Every
    other format announces its exact length: WAV/AIFF/AU sizes, the FLAC total, the MP3
    Xing/LAME count (mpg123 decodes gaplessly to it; without one, libsndfile's length is
    mpg123's own scan), the Ogg granule positions; so one lost sample is damage.
    """
    return PAF_SLACK if info.format == "PAF" else 0


def _riff_claim(f, size: int, frame_bytes: int) -> int | None:
    """Frames a RIFF/WAVE data chunk announces, or None (not RIFF, or an unbounded 0xFFFFFFFF size)."""
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= size:
        f.seek(pos)
        raw = f.read(8)
        cid, clen = raw[:4], int.from_bytes(raw[4:8], "little")
        if cid == b"data":
            return None if clen == 0xFFFFFFFF else clen // frame_bytes
        pos += 8 + clen + (clen & 1)
    return None


def _aiff_claim(f) -> int | None:
    """Frames an AIFF/AIFC COMM chunk announces (numSampleFrames), or None."""
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"FORM" or head[8:12] not in (b"AIFF", b"AIFC"):
        return None
    while True:
        raw = f.read(8)
        if len(raw) < 8:
            return None
        cid, clen = raw[:4], int.from_bytes(raw[4:8], "big")
        if cid == b"COMM":
            body = f.read(min(clen, 18))
            return int.from_bytes(body[2:6], "big") if len(body) >= 6 else None
        f.seek(clen + (clen & 1), os.SEEK_CUR)


def _au_claim(f, frame_bytes: int) -> int | None:
    """Frames a Sun/NeXT AU header's data size announces, or None (not AU, or the size is "unknown")."""
    head = f.read(24)
    if len(head) < 24 or head[:4] != b".snd":
        return None
    size = int.from_bytes(head[8:12], "big")
    return None if size == 0xFFFFFFFF else size // frame_bytes


def _w64_claim(f, frame_bytes: int) -> int | None:
    """Frames a Sony Wave64 data chunk announces (GUID chunks with 64-bit sizes that include their 24-byte head)."""
    head = f.read(40)
    if len(head) < 40 or head[:4] != b"riff":
        return None
    while True:
        raw = f.read(24)
        if len(raw) < 24:
            return None
        size = int.from_bytes(raw[16:24], "little")
        if raw[:4] == b"data":
            return max(0, size - 24) // frame_bytes
        if size < 24:
            return None
        f.seek(size - 24 + (-size % 8), os.SEEK_CUR)


def _rf64_claim(f, frame_bytes: int) -> int | None:
    """Frames an RF64 file's ds64 chunk announces (its 64-bit data size)."""
    head = f.read(12 + 8 + 16)
    if len(head) < 36 or head[:4] != b"RF64" or head[12:16] != b"ds64":
        return None
    return int.from_bytes(head[28:36], "little") // frame_bytes


_BYTES = {"PCM_S8": 1, "PCM_U8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8,
          "ULAW": 1, "ALAW": 1}


def claimed_frames(path: Path, info) -> int:
    """Frames the container announces: the WAV/WAVEX/RF64/W64/AIFF/AU header's count for PCM, else what
    libsndfile reports (the FLAC STREAMINFO total, the MP3 Xing/LAME count or scan, the last Ogg granule)."""
    width = _BYTES.get(info.subtype)
    if width is None:
        return int(info.frames)
    try:
        with open(path, "rb") as f:
            frame_bytes = width * info.channels
            riff = lambda: _riff_claim(f, path.stat().st_size, frame_bytes)  # noqa: E731
            claim = {"WAV": riff, "WAVEX": riff, "AIFF": lambda: _aiff_claim(f), "AU": lambda: _au_claim(f, frame_bytes),
                     "W64": lambda: _w64_claim(f, frame_bytes), "RF64": lambda: _rf64_claim(f, frame_bytes),
                     }.get(info.format, lambda: None)()
    except OSError:
        claim = None
    return int(info.frames) if claim is None else max(int(claim), int(info.frames))


def sized(info) -> bool:
    """True when the decoded length is known without decoding: PCM in WAV or AIFF, whose length libsndfile
    clips to the bytes present (other containers are counted by decoding: PAF, for one, announces a few frames
    more than it holds)."""
    return info.format in ("WAV", "WAVEX", "AIFF") and info.subtype.startswith(_SIZED)


def read_into(f: sf.SoundFile, out: np.ndarray) -> tuple[int, str]:
    """Decode the next ``len(out)`` frames of an open file into ``out`` (float32, ``(m, channels)``).

    Calls libsndfile directly: ``SoundFile.read`` seeks back to where it thinks it is after
    every read, and mpg123's seeking in VBR MP3s is approximate, so reading an MP3 in blocks
    through it returns wrong samples (libsndfile 1.2.2, soundfile 0.14). Returns the frames
    decoded and libsndfile's error ("" when none).
    """
    n = int(_snd.sf_readf_float(f._file, _ffi.from_buffer("float[]", out), out.shape[0]))
    code = int(_snd.sf_error(f._file))
    if code:
        return max(n, 0), short_error(sf.LibsndfileError(code)) or f"libsndfile error {code}"
    return max(n, 0), ""


def decoded_frames(path: Path, info) -> tuple[int, str]:
    """Frames that decode, and the decoder's error (folded) if decoding stopped early.

    Sized formats (PCM, float, A/u-law) are what libsndfile found in the file; others are
    decoded once in :data:`COUNT_BLOCK` steps (a decode error keeps what came before it).
    """
    if sized(info):
        return int(info.frames), ""
    n = 0
    try:
        with sf.SoundFile(os.fsencode(path)) as f:
            buf = np.empty((COUNT_BLOCK, f.channels), np.float32)
            while True:
                got, error = read_into(f, buf)
                n += got
                if error or got == 0:
                    return n, error
    except (sf.LibsndfileError, RuntimeError) as exc:
        return n, short_error(exc) or "decoding stopped"


def ogg_end(path: Path, rate: int) -> tuple[bool, int | None]:
    """Walk an Ogg file's page headers: (complete, frames its last page announces).

    Complete: the pages run exactly to the end of the file and the last carries the
    end-of-stream flag (a cut file ends inside a page, or after one without the flag).
    The last page header present gives the end's granule position: samples for Vorbis,
    48 kHz samples after the OpusHead pre-skip for Opus (scaled to ``rate``); None when no
    header says it (Ogg records no total anywhere else).
    """
    try:
        with open(path, "rb") as f:
            size, pos, first, granule, flags, whole = path.stat().st_size, 0, b"", -1, 0, True
            while pos < size:
                f.seek(pos)
                head = f.read(27)
                if len(head) < 27 or head[:4] != b"OggS":
                    whole = False
                    break
                table = f.read(head[26])
                if pos == 0:
                    first = f.read(19)
                flags, granule = head[5], int.from_bytes(head[6:14], "little", signed=True)
                pos += 27 + head[26] + sum(table)
                if len(table) < head[26] or pos > size:
                    whole = False
                    break
    except OSError:
        return True, None
    complete = whole and pos == size and bool(flags & 0x04)
    if granule < 0:
        return complete, None
    if first.startswith(b"OpusHead"):  # granules count 48 kHz samples, including the pre-skip
        return complete, round((granule - int.from_bytes(first[10:12], "little")) * rate / 48000)
    return complete, granule


def short_error(exc: Exception) -> str:
    """libsndfile's message without the "Error opening 'PATH': " or "Error : " preamble ("" when empty)."""
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
    text = text.split(": ", 1)[-1].strip() if "Error opening" in text else text
    return re.sub(r"^Error\s*:\s*", "", text)


def check(path: Path, info) -> tuple[int, Damage | None, str]:
    """Decoded length of an opened file and its damage, under :func:`decoder_output`.

    Returns
    -------
    frames : int
        Frames every command processes (the decoded length).
    damage : Damage or None
        When the file is shorter than announced by more than :func:`slack`.
    decoder : str
        The decoder's words (folded) when the file is not damaged (logged, not shown).
    """
    with decoder_output() as out:
        decoded, error = decoded_frames(path, info)
        claimed = claimed_frames(path, info)
    words = "; ".join(w for w in (error, fold(out.text)) if w)
    rate, kind = int(info.samplerate), kind_of(info)
    if info.format == "OGG":
        complete, end = ogg_end(path, rate)
        claimed = claimed if end is None else max(claimed, end)
        if not complete and not error:
            missing = end is not None and decoded < end
            return decoded, Damage(end if missing else None, decoded, rate, kind, words, at_least=missing), ""
    if claimed >= UNKNOWN_LENGTH:  # a FLAC stream whose total is 0 ("not known"): what decodes is all there is
        return decoded, (Damage(None, decoded, rate, kind, words) if error else None), "" if error else words
    if decoded < claimed - slack(info) or error:
        return decoded, Damage(claimed, decoded, rate, kind, words), ""
    return decoded, None, words


_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"), (b"\x7fELF", "a program (ELF)"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
          (b"RIFF", "a RIFF/WAV file whose header is damaged or of an unsupported kind"),
          (b"fLaC", "a FLAC stream damaged or cut off before its first audio frame"),
          (b"OggS", "an Ogg stream damaged or cut off before its first audio page (or an unsupported codec)"),
          (b"FORM", "an AIFF file whose header is damaged"), (b"ID3", "an MP3 whose tag is followed by no decodable "
                                                                      "MPEG audio frame"),
          (b"\x1aE\xdf\xa3", "a Matroska/WebM file (not supported: convert it to WAV or FLAC)"))


def sniff(path: Path) -> str:
    """What an unreadable file seems to be, from its first bytes (for the error message)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return "unreadable"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "an MP4/M4A file (not supported: convert it to WAV or FLAC)"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "an MPEG audio stream with no decodable frame (damaged MP3)"
    try:
        text = head.decode("utf-8")
        if all(c.isprintable() or c.isspace() for c in text):
            return "a text file, not audio"
    except UnicodeDecodeError:
        pass
    ext = path.suffix.lower().lstrip(".")
    said = f" (the name says .{ext}, the content is no {ext.upper()} audio)" if ext else ""
    return f"no known audio header: random or unknown data{said}"
