"""A hostile corpus (issue #13 item 6): a few hundred damaged, odd and extreme inputs, made at test time.

Nothing here is committed as audio: :func:`cases` describes every file and :meth:`Case.build`
writes it (all short, so the whole corpus goes through ``separate``, ``suggest`` and ``remix``
in well under two minutes). Each case says what a user must get:

- ``OK``: finite stems (or remix) as long as the decoded input, at its rate;
- ``ERROR``: exactly one clean error line naming the file, and no output;
- ``DECODABLE``: ``OK`` when libsndfile decodes at least one frame of it (:func:`reference`),
  else ``ERROR`` (damaged files are processed to their decoded length, issue #13 item 3);
- a dict ``{command: expectation}`` where the commands must differ (``separate`` cannot write
  ``<name>.accompaniment.wav`` for a 254-byte name; ``suggest`` writes nothing).

``promised`` is the number of frames a file's header (or the file before it was cut) promises:
a file that decodes to fewer is damaged, and when it is processed a warning line must say so.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile as sf
from soundfile import _ffi, _snd

from hostile_files import (au_size, aiff_frames, audio_bytes, deep_path, empty_folder, fifo, file_of, flac_rate,
                           flac_total, link, loop, midi_bytes, pcm16, png_bytes, random_bytes, sound, tone, wav_bytes,
                           wav_named, zip_bytes)

OK, ERROR, DECODABLE = "ok", "error", "decodable"
#: The sample rates Jazz Remix reads (core.audio.audio_io.MIN_RATE .. MAX_RATE); others are refused.
ACCEPTED_RATES = range(8000, 768001)

#: The classes of docs/RELIABILITY.md's table, in its order: key -> what the files are.
CLASSES = {
    "empty": "empty files (0 bytes) under every audio extension",
    "header-only": "a valid header and no audio (0 frames), every container",
    "truncated": "WAV, FLAC, OGG Vorbis, Opus, MP3, AIFF cut at 11 points (inside the header to the last byte)",
    "not-audio": "random bytes, PNG, text, ZIP, gzip, ELF, PDF, MIDI, raw PCM and fake magic numbers "
                 "under audio extensions; audio under the wrong extension",
    "lying-header": "WAV data size larger/smaller/0/odd, RIFF size, rate 0 and 2^32-1, byte rate, block align, "
                    "bits, channels, fmt size; FLAC/AIFF/AU lengths that lie",
    "length": "1 to 4097 samples",
    "content": "silence, DC, full-scale square, Nyquist, impulse, NaN, +-Inf, 1e30, 1e300 (double), denormals, "
               "float beyond full scale, full-scale noise",
    "encoding": "every encoding soundfile writes in WAV, WAVEX, RF64, AIFF, AU, CAF, W64, FLAC, OGG, MP3, "
                "IRCAM, NIST, VOC, PAF, SVX, MAT4/5, PVF, XI, HTK, SDS, AVR, WVE, MPC2K",
    "rate": "1 Hz to 800 kHz: 8 kHz to 768 kHz processed, the rest refused in one line",
    "channels": "1 to 8 channels (WAV, FLAC, CAF), 16 channels",
    "odd-path": "folders, FIFO, /dev/zero, /dev/null, /dev/urandom, symlink loops, dangling and good links, "
                "unicode, quotes, newline, non-UTF-8, 240-character names, a path longer than PATH_MAX",
}


@dataclass(frozen=True)
class Case:
    """One hostile input: its class, its file name, how to make it and what a user must get."""

    klass: str
    name: str
    make: Callable[[Path], Path]
    expect: str | dict = OK  #: OK, ERROR, DECODABLE, or {command: one of them}
    promised: int | None = None  #: frames the header promises (None: as many as it decodes)
    message: str | None = None  #: a regex the error line must match (odd paths: the OS-level cause)

    @property
    def id(self) -> str:
        return f"{self.klass}/{self.name}"

    def build(self, root: Path) -> Path:
        """Write the input in ``root/<class>/`` and return the path to give the commands."""
        folder = root / self.klass
        folder.mkdir(parents=True, exist_ok=True)
        return self.make(folder)


@dataclass(frozen=True)
class Reference:
    """What libsndfile itself makes of a file, read independently of Jazz Remix."""

    frames: int  #: frames decoded, reading until the decoder stops or fails
    claimed: int  #: frames the header claims
    rate: int
    channels: int


def _decoded(path: Path) -> int:
    """Frames libsndfile decodes, reading until it returns short or reports an error.

    Counted with libsndfile's own ``sf_readf_float``, which returns the frames decoded before
    an error (soundfile's ``read`` raises and drops them, so its count depends on the block size).
    """
    n = 0
    with sf.SoundFile(os.fsencode(path)) as f:
        buf = np.empty((4096, f.channels), np.float32)
        while True:
            got = int(_snd.sf_readf_float(f._file, _ffi.from_buffer("float[]", buf), buf.shape[0]))
            n += got
            if got < buf.shape[0] or _snd.sf_error(f._file):
                return n


def reference(path: Path) -> Reference | None:
    """libsndfile's reading of ``path`` (None when it is not a regular file or does not open)."""
    try:
        if not path.resolve(strict=True).is_file():
            return None
        with sf.SoundFile(os.fsencode(path)) as f:  # bytes: a name that is not UTF-8 opens too
            claimed, rate, channels = f.frames, f.samplerate, f.channels
    except (OSError, RuntimeError, sf.LibsndfileError, TypeError, ValueError):
        return None
    return Reference(_decoded(path), claimed, rate, channels)


# --- the cases -----------------------------------------------------------------------------------

EXTENSIONS = ("wav", "flac", "ogg", "opus", "mp3", "aiff", "au", "caf", "w64")
#: Containers of the encoding class: soundfile format -> file extension (RAW has no header to read; SD2
#: does not write on Linux).
CONTAINERS = {"WAV": "wav", "WAVEX": "wav", "RF64": "rf64", "AIFF": "aiff", "AU": "au", "CAF": "caf", "W64": "w64",
              "FLAC": "flac", "OGG": "ogg", "MP3": "mp3", "IRCAM": "sf", "NIST": "nist", "VOC": "voc",
              "PAF": "paf", "SVX": "8svx", "MAT4": "mat", "MAT5": "mat", "PVF": "pvf", "XI": "xi", "HTK": "htk",
              "SDS": "sds", "AVR": "avr", "WVE": "wve", "MPC2K": "mpc"}
#: (rate, channels) tried in turn until an encoding writes (some take only mono or only some rates).
LAYOUTS = ((44100, 2), (48000, 2), (8000, 1), (48000, 1))


def _writable(fmt: str, subtype: str) -> tuple[int, int] | None:
    for rate, ch in LAYOUTS:
        try:
            data = audio_bytes(tone(1024, rate, ch), rate, fmt, subtype)
            sf.read(io.BytesIO(data))  # libsndfile writes AIFF DWVW_16/24 that it cannot read back: not taken
            return rate, ch
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
            continue
    return None


def encoding_cases() -> list[Case]:
    out = []
    for fmt, ext in CONTAINERS.items():
        for subtype in sf.available_subtypes(fmt):
            layout = _writable(fmt, subtype)
            if layout is None:
                continue
            rate, ch = layout
            ext_ = "opus" if subtype == "OPUS" else ext
            n = 2048 if rate > 8000 else 1024  # several codec blocks, a short file
            out.append(Case("encoding", f"{fmt.lower()}-{subtype.lower()}.{ext_}",
                            sound(f"{fmt.lower()}-{subtype.lower()}.{ext_}", lambda r=rate, c=ch, n=n: tone(n, r, c),
                                  rate, fmt, subtype)))
    return out


#: The files cut at many points: name -> (rate, format, subtype); 16384 stereo frames each.
TRUNCATED = {"wav": (44100, "WAV", "PCM_16"), "flac": (44100, "FLAC", "PCM_16"), "ogg": (44100, "OGG", "VORBIS"),
             "opus": (48000, "OGG", "OPUS"), "mp3": (44100, "MP3", "MPEG_LAYER_III"),
             "aiff": (44100, "AIFF", "PCM_24")}
#: Cut points: bytes kept (ints) or a fraction of the file (floats).
CUTS = (4, 12, 36, 44, 45, 100, 1000, 0.25, 0.5, 0.75, -1)


def _cut(ext: str, cut) -> Callable[[], bytes]:
    rate, fmt, subtype = TRUNCATED[ext]

    def data() -> bytes:
        full = audio_bytes(tone(16384, rate), rate, fmt, subtype)
        keep = len(full) - 1 if cut == -1 else int(len(full) * cut) if isinstance(cut, float) else cut
        return full[:keep]
    return data


def _float_wav(name: str, fill: Callable[[np.ndarray], None], subtype: str = "FLOAT") -> Case:
    def x():
        a = tone(4096)
        fill(a)
        return a
    return Case("content", name, sound(name, x, 44100, "WAV", subtype))


def _named_bytes(folder: Path, name: bytes) -> Path:
    """Random bytes under a name that is not UTF-8."""
    p = Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))
    p.write_bytes(random_bytes(4096, 12))
    return p


def _square(n=4096, period=44):
    return np.where((np.arange(n) // (period // 2)) % 2 == 0, 1.0, -1.0)[:, None].repeat(2, 1)


def cases() -> list[Case]:
    """Every case of the corpus, in class order."""
    c: list[Case] = []
    c += [Case("empty", f"empty-{e}.{e}", file_of(f"empty-{e}.{e}", bytes), ERROR) for e in EXTENSIONS]

    zero = lambda: np.zeros((0, 2))  # noqa: E731
    for fmt, sub, ext in (("WAV", "PCM_16", "wav"), ("AIFF", "PCM_16", "aiff"), ("AU", "PCM_16", "au"),
                          ("CAF", "PCM_16", "caf"), ("W64", "PCM_16", "w64"), ("OGG", "VORBIS", "ogg"),
                          ("OGG", "OPUS", "opus"), ("WAV", "FLOAT", "wav"), ("RF64", "PCM_24", "rf64")):
        name = f"{fmt.lower()}-{sub.lower()}.{ext}"
        c.append(Case("header-only", name, sound(name, zero, 48000, fmt, sub), ERROR))
    c += [Case("header-only", "flac-streaminfo-only.flac",
               file_of("flac-streaminfo-only.flac", lambda: audio_bytes(tone(4096), 44100, "FLAC", "PCM_16")[:42]),
               ERROR),
          Case("header-only", "id3-tag-only.mp3", file_of("id3-tag-only.mp3", lambda: b"ID3\x04\0\0\0\0\0\x0a"
                                                            + b"\0" * 10), ERROR),
          Case("header-only", "wav-header-promising-audio.wav",
               file_of("wav-header-promising-audio.wav", lambda: wav_bytes(b"", data_size=16384)), ERROR, 4096)]

    for ext in TRUNCATED:
        for cut in CUTS:
            label = "last-byte-missing" if cut == -1 else f"{int(cut * 100)}pct" if isinstance(cut, float) \
                else f"{cut}-bytes"
            name = f"{ext}-{label}.{ext}"
            c.append(Case("truncated", name, file_of(name, _cut(ext, cut)), DECODABLE, promised=16384))

    wav = lambda: audio_bytes(tone(4096), 44100, "WAV", "PCM_16")  # noqa: E731
    c += [Case("not-audio", f"random-{n}-{e}.{e}", file_of(f"random-{n}-{e}.{e}", lambda n=n, s=i: random_bytes(n, s)),
               ERROR)
          for i, (n, e) in enumerate([(1, "wav"), (100, "wav"), (65536, "wav"), (100, "flac"), (65536, "flac"),
                                      (100, "mp3"), (65536, "mp3"), (65536, "ogg"), (4096, "aiff"), (4096, "opus")])]
    c += [Case("not-audio", "image.wav", file_of("image.wav", png_bytes), ERROR),
          Case("not-audio", "text.flac", file_of("text.flac", lambda: b"Kind of Blue, track 1: So What\n" * 40),
               ERROR),
          Case("not-audio", "archive.mp3", file_of("archive.mp3", zip_bytes), ERROR),
          Case("not-audio", "gzipped.wav", file_of("gzipped.wav", lambda: gzip.compress(wav())), ERROR),
          Case("not-audio", "program.ogg", file_of("program.ogg", lambda: Path(sys.executable).read_bytes()[:65536]),
               ERROR),
          Case("not-audio", "document.aiff", file_of("document.aiff", lambda: b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\n"
                                                     b"endobj\ntrailer\n<<>>\n%%EOF\n"), ERROR),
          Case("not-audio", "page.mp3", file_of("page.mp3", lambda: b"<!DOCTYPE html><html><body>404</body></html>"),
               ERROR),
          Case("not-audio", "score.wav", file_of("score.wav", midi_bytes), ERROR),
          Case("not-audio", "headerless.wav", file_of("headerless.wav", lambda: pcm16()), ERROR),
          Case("not-audio", "riff-then-noise.wav", file_of("riff-then-noise.wav",
                                                          lambda: b"RIFF\0\x10\0\0WAVE" + random_bytes(4096, 7)),
               ERROR),
          Case("not-audio", "flac-magic-then-noise.flac", file_of("flac-magic-then-noise.flac",
                                                                  lambda: b"fLaC" + random_bytes(4096, 8)), ERROR),
          Case("not-audio", "ogg-magic-then-noise.ogg", file_of("ogg-magic-then-noise.ogg",
                                                                lambda: b"OggS" + random_bytes(4096, 9)), ERROR),
          Case("not-audio", "id3-then-noise.mp3", file_of("id3-then-noise.mp3",
                                                          lambda: b"ID3\x03\0\0\0\0\0\0" + random_bytes(4096, 10)),
               ERROR),
          Case("not-audio", "flac-named.wav", file_of("flac-named.wav",
                                                      lambda: audio_bytes(tone(4096), 44100, "FLAC", "PCM_16"))),
          Case("not-audio", "wav-named.mp3", file_of("wav-named.mp3", wav)),
          Case("not-audio", "mp3-named.flac", sound("mp3-named.flac", lambda: tone(4096), 44100, "MP3",
                                                    "MPEG_LAYER_III")),
          Case("not-audio", "ogg-named.aiff", sound("ogg-named.aiff", lambda: tone(4096), 44100, "OGG", "VORBIS"))]

    full = pcm16()
    lies = [("data-size-2-bytes-more", dict(data_size=len(full) + 2), DECODABLE, None),  # half a frame: none lost
            ("data-size-4x", dict(data_size=4 * len(full)), DECODABLE, 16384),
            ("data-size-2gb", dict(data_size=0x7FFFFFF0), DECODABLE, 0x7FFFFFF0 // 4),
            ("data-size-unknown-ffffffff", dict(data_size=0xFFFFFFFF), OK, None),
            ("data-size-half-then-junk", dict(data_size=len(full) // 2), OK, None),
            ("data-size-0", dict(data_size=0), DECODABLE, None),
            ("data-size-odd", dict(data_size=len(full) - 3), OK, None),
            ("riff-size-huge", dict(riff_size=0x7FFFFFF0), OK, None),
            ("riff-size-0", dict(riff_size=0), OK, None),
            ("riff-size-small", dict(riff_size=100), OK, None),
            ("byte-rate-0", dict(byte_rate=0), OK, None),
            ("byte-rate-wrong", dict(byte_rate=12345), OK, None),
            ("block-align-0", dict(block_align=0), DECODABLE, None),
            ("block-align-wrong", dict(block_align=3), DECODABLE, None),
            ("fmt-chunk-long", dict(fmt_tail=b"\0" * 6), OK, None)]
    for name, kw, expect, promised in lies:
        c.append(Case("lying-header", f"{name}.wav", file_of(f"{name}.wav", lambda kw=kw: wav_bytes(full, **kw)),
                      expect, promised))
    c += [Case("lying-header", "rate-0.wav", file_of("rate-0.wav", lambda: wav_bytes(full, rate=0)), ERROR),
          Case("lying-header", "rate-4294967295.wav",
               file_of("rate-4294967295.wav", lambda: wav_bytes(full, rate=0xFFFFFFFF)), DECODABLE),
          Case("lying-header", "bits-0.wav", file_of("bits-0.wav", lambda: wav_bytes(full, bits=0, block_align=4)),
               DECODABLE),
          Case("lying-header", "bits-13.wav", file_of("bits-13.wav", lambda: wav_bytes(full, bits=13, block_align=4)),
               DECODABLE),
          Case("lying-header", "channels-0.wav",
               file_of("channels-0.wav", lambda: wav_bytes(full, channels=0, block_align=4)), ERROR),
          Case("lying-header", "channels-3-for-stereo-data.wav",
               file_of("channels-3-for-stereo-data.wav", lambda: wav_bytes(full, channels=3)), DECODABLE),
          Case("lying-header", "flac-length-doubled.flac", file_of("flac-length-doubled.flac", lambda: flac_total(
              audio_bytes(tone(4096), 44100, "FLAC", "PCM_16"), 8192)), DECODABLE, 8192),
          Case("lying-header", "flac-length-unknown.flac", file_of("flac-length-unknown.flac", lambda: flac_total(
              audio_bytes(tone(4096), 44100, "FLAC", "PCM_16"), 0)), DECODABLE),
          Case("lying-header", "flac-rate-0.flac", file_of("flac-rate-0.flac", lambda: flac_rate(
              audio_bytes(tone(4096), 44100, "FLAC", "PCM_16"), 0)), DECODABLE),
          Case("lying-header", "aiff-length-doubled.aiff", file_of("aiff-length-doubled.aiff", lambda: aiff_frames(
              audio_bytes(tone(4096), 44100, "AIFF", "PCM_16"), 8192)), DECODABLE, 8192),
          Case("lying-header", "au-size-larger.au", file_of("au-size-larger.au", lambda: au_size(
              audio_bytes(tone(4096), 44100, "AU", "PCM_16"), 4 * 4096 * 4)), DECODABLE, 16384),
          Case("lying-header", "au-size-unknown.au", file_of("au-size-unknown.au", lambda: au_size(
              audio_bytes(tone(4096), 44100, "AU", "PCM_16"), 0xFFFFFFFF)), OK)]

    for n in (1, 2, 3, 5, 64, 511, 512, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097):
        c.append(Case("length", f"{n}-samples.wav", sound(f"{n}-samples.wav", lambda n=n: tone(n), 44100, "WAV",
                                                          "PCM_16")))
    c.append(Case("length", "1-sample-mono.flac", sound("1-sample-mono.flac", lambda: tone(1, channels=1), 44100,
                                                        "FLAC", "PCM_24")))

    def put(value, where=slice(None)):
        def fill(a):
            a[where] = value
        return fill
    c += [Case("content", "silence-pcm16.wav", sound("silence-pcm16.wav", lambda: np.zeros((4096, 2)), 44100, "WAV",
                                                     "PCM_16")),
          _float_wav("silence-float.wav", put(0.0)),
          _float_wav("dc-half.wav", put(0.5)),
          Case("content", "dc-negative-full-scale.wav", sound("dc-negative-full-scale.wav",
                                                              lambda: -np.ones((4096, 2)), 44100, "WAV", "PCM_16")),
          Case("content", "square-full-scale-pcm16.wav", sound("square-full-scale-pcm16.wav", _square, 44100, "WAV",
                                                               "PCM_16")),
          _float_wav("square-full-scale-float.wav", lambda a: a.__setitem__(slice(None), _square())),
          _float_wav("nyquist-full-scale.wav", lambda a: a.__setitem__(slice(None), _square(period=2))),
          _float_wav("impulse.wav", lambda a: (a.__setitem__(slice(None), 0.0), a.__setitem__(2000, 1.0))),
          _float_wav("some-nan.wav", put(np.nan, slice(1000, 1100))),
          _float_wav("all-nan.wav", put(np.nan)),
          _float_wav("some-inf.wav", lambda a: (a.__setitem__(500, np.inf), a.__setitem__(900, -np.inf))),
          _float_wav("all-inf.wav", put(np.inf)),
          _float_wav("some-1e30.wav", put(1e30, slice(2000, 2010))),
          _float_wav("square-1e30.wav", lambda a: a.__setitem__(slice(None), 1e30 * _square())),
          _float_wav("some-1e300-double.wav", put(1e300, slice(2000, 2010)), "DOUBLE"),
          _float_wav("denormals.wav", lambda a: a.__setitem__(slice(None), 1e-40 * _square())),
          _float_wav("sine-at-plus-12-dbfs.wav", lambda a: a.__setitem__(slice(None), 4.0 * a / np.abs(a).max())),
          _float_wav("noise-full-scale.wav",
                     lambda a: a.__setitem__(slice(None), np.random.default_rng(3).uniform(-1, 1, a.shape)))]

    c += encoding_cases()

    for rate in (1, 7, 100, 4000, 7999, 8000, 11025, 16000, 22050, 32000, 44100, 47999, 48000, 88200, 96000,
                 176400, 192000, 384000, 768000, 768001, 800000):
        n = max(2, min(4096, rate // 10))
        make = sound(f"{rate}-hz.wav", lambda n=n, r=rate: tone(n, r), rate, "WAV", "PCM_16")
        c.append(Case("rate", f"{rate}-hz.wav", make) if rate in ACCEPTED_RATES else
                 Case("rate", f"{rate}-hz.wav", make, ERROR, message=rf"{rate:,} Hz is outside the rates"))
    c.append(Case("rate", "384000-hz-flac.flac", sound("384000-hz-flac.flac", lambda: tone(4096, 384000), 384000,
                                                       "FLAC", "PCM_24")))

    for fmt, sub, ext, counts in (("WAV", "PCM_16", "wav", range(1, 9)), ("FLAC", "PCM_24", "flac", range(1, 9)),
                                  ("CAF", "FLOAT", "caf", (6,)), ("WAV", "PCM_16", "wav", (16,))):
        for ch in counts:
            name = f"{ext}-{ch}-channels.{ext}"  # stems unique in the folder (one `separate` over it all)
            make = sound(name, lambda ch=ch: tone(4096, channels=ch), 44100, fmt, sub)
            # 3 to 8: surround or multi-track transfers, folded to stereo; 16: no fold knows a multitrack's balance
            c.append(Case("channels", name, make) if ch <= 8 else Case("channels", name, make, ERROR,
                                                                       message=rf"\b{ch} channels"))

    c += [Case("odd-path", "folder.wav", empty_folder("folder.wav"), ERROR, message=r"folder|director|no audio"),
          Case("odd-path", "folder-with-text.wav", empty_folder("folder-with-text.wav", True), ERROR,
               message=r"folder|director|no audio"),
          Case("odd-path", "fifo.wav", fifo, ERROR, message=r"not a regular file|FIFO|pipe"),
          Case("odd-path", "dev-zero.wav", link("dev-zero.wav", "/dev/zero"), ERROR,
               message=r"not a regular file|device"),
          Case("odd-path", "dev-null.wav", link("dev-null.wav", "/dev/null"), ERROR,
               message=r"not a regular file|device"),
          Case("odd-path", "dev-urandom.mp3", link("dev-urandom.mp3", "/dev/urandom"), ERROR,
               message=r"not a regular file|device"),
          Case("odd-path", "zero", lambda folder: Path("/dev/zero"), ERROR, message=r"not a regular file|device"),
          Case("odd-path", "loop-a.wav", loop, ERROR, message=r"loop|too many levels"),
          Case("odd-path", "self-loop.wav", link("self-loop.wav", "self-loop.wav"), ERROR,
               message=r"loop|too many levels"),
          Case("odd-path", "dangling.wav", link("dangling.wav", "gone.wav"), ERROR,
               message=r"dangling|broken|link"),
          Case("odd-path", "missing.wav", lambda folder: folder / "missing.wav", ERROR, message=r"no such|not exist"),
          Case("odd-path", "good-link.wav", lambda folder: link("good-link.wav", ".link-target.wav")(
               wav_named(".link-target.wav")(folder).parent)),
          Case("odd-path", "Bösendorfer – 爵士 🎷.wav", wav_named("Bösendorfer – 爵士 🎷.wav")),
          Case("odd-path", "it's a \"take\" $1 & (2).wav", wav_named("it's a \"take\" $1 & (2).wav")),
          Case("odd-path", "non-utf8-\\xff\\xfe.wav", wav_named(b"non-utf8-\xff\xfe.wav")),
          Case("odd-path", ".hidden.wav", wav_named(".hidden.wav")),
          Case("odd-path", "no-extension", wav_named("no-extension")),
          Case("odd-path", "x" * 236 + ".wav", wav_named("x" * 236 + ".wav")),
          Case("odd-path", "e-acute-x125.wav", wav_named("é" * 125 + ".wav"),
               {"separate": ERROR, "suggest": OK, "remix": OK}, message=r"too long"),
          Case("odd-path", "new\\nline.wav", file_of("new\nline.wav", lambda: random_bytes(4096, 11)), ERROR),
          Case("odd-path", "non-utf8-\\xff-noise.wav", lambda folder: _named_bytes(folder, b"non-utf8-\xff-noise.wav"),
               ERROR),
          Case("odd-path", "deeper-than-PATH_MAX.wav", deep_path, ERROR, message=r"too long|name")]
    return c


def build(cases_: list[Case], root: Path) -> dict[str, tuple[Path, Reference | None]]:
    """Make every case under ``root``; ``{case.id: (input path, libsndfile's reading or None)}``."""
    made = {}
    for case in cases_:
        p = case.build(root)
        made[case.id] = (p, reference(p))
    return made
