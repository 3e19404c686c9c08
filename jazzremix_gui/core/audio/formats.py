"""Output formats: which ones this build's libsndfile writes, and how each is opened.

WAV, FLAC and AIFF are offered always (lossless, 16/24-bit PCM; WAV and AIFF also 32-bit
float); MP3 (LAME, constant bitrate) and OGG Vorbis when the installed libsndfile
writes them (``soundfile.available_subtypes``: MP3 needs libsndfile >= 1.1 built with
LAME and mpg123). Lossy formats take float samples, so their bit depth does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from jazzremix_gui.core.errors import AudioWriteError

#: Bit depths offered, mapped to libsndfile subtypes (32 = float).
SUBTYPES = {16: "PCM_16", 24: "PCM_24", 32: "FLOAT"}
#: MP3 bitrates offered (kbit/s, MPEG-1 layer III constant bitrate).
MP3_BITRATES = (128, 160, 192, 256, 320)
DEFAULT_MP3_BITRATE = 320
#: OGG Vorbis quality (libsndfile compression level: 0 = best, 1 = smallest).
VORBIS_LEVEL = 0.2

#: Sample rates MP3 (MPEG-1/2/2.5 layer III) can hold, in Hz.
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
#: Highest sample rate libvorbis takes (Hz); above it libsndfile's encoder set-up crashes the process.
VORBIS_MAX_RATE = 200_000
#: Extension -> (libsndfile format, lossy subtype or None for PCM/float formats).
_CANDIDATES = {"wav": ("WAV", None), "flac": ("FLAC", None), "aiff": ("AIFF", None),
               "mp3": ("MP3", "MPEG_LAYER_III"), "ogg": ("OGG", "VORBIS")}
#: Other spellings of an extension.
ALIASES = {"aif": "aiff"}


def _writable(fmt: str, subtype: str | None) -> bool:
    try:
        return fmt in sf.available_formats() and (subtype is None or subtype in sf.available_subtypes(fmt))
    except Exception:  # noqa: BLE001 - an old soundfile/libsndfile: the format is just not offered
        return False


#: Output formats this build writes, by extension, in the order menus list them.
FORMATS = {ext: fmt for ext, (fmt, sub) in _CANDIDATES.items() if _writable(fmt, sub)}
#: Formats whose samples are encoded lossily (no bit depth; decoders may overshoot, so keep headroom).
LOSSY = {ext for ext, (_, sub) in _CANDIDATES.items() if sub is not None and ext in FORMATS}


def extension(name: str) -> str:
    """Canonical extension (``aif`` -> ``aiff``), or AudioWriteError for a format not written here."""
    ext = ALIASES.get(name.lower().lstrip("."), name.lower().lstrip("."))
    if ext not in FORMATS:
        raise AudioWriteError(f"unsupported output format '.{ext}' (this build writes {', '.join(FORMATS)})")
    return ext


@dataclass(frozen=True)
class OutputSpec:
    """How to write a file: extension, bit depth (16, 24, 32 = float; PCM formats) and MP3 bitrate (kbit/s)."""

    fmt: str = "wav"
    bits: int = 24
    bitrate: int = DEFAULT_MP3_BITRATE

    @property
    def lossy(self) -> bool:
        return self.fmt in LOSSY

    @property
    def is_float(self) -> bool:
        """Samples beyond full scale survive (32-bit float WAV/AIFF)."""
        return not self.lossy and self.bits == 32

    @property
    def dithered(self) -> bool:
        """16-bit PCM gets TPDF dither."""
        return not self.lossy and self.bits == 16

    def check(self) -> "OutputSpec":
        """Raise AudioWriteError for a combination that cannot be written; returns self."""
        ext = extension(self.fmt)
        if not self.lossy and self.bits not in SUBTYPES:
            raise AudioWriteError(f"unsupported bit depth {self.bits} (use 16, 24 or 32)")
        if ext == "flac" and self.bits == 32:
            raise AudioWriteError("FLAC cannot hold 32-bit float samples; use WAV or AIFF, or 16/24 bits")
        if ext == "mp3" and self.bitrate not in MP3_BITRATES:
            raise AudioWriteError(f"MP3 bitrate {self.bitrate}: use one of {', '.join(map(str, MP3_BITRATES))}")
        return self

    def check_rate(self, rate: int, path) -> None:
        """Raise AudioWriteError naming ``path`` when this format cannot hold ``rate`` Hz (before any work).

        WAV and AIFF hold any rate; FLAC up to 65,535 Hz and multiples of 10 Hz up to 655,350 Hz (what
        its frame headers can say); OGG Vorbis up to 200 kHz; MP3 only :data:`MP3_RATES`.
        """
        ext = extension(self.fmt)
        if ext == "mp3" and rate not in MP3_RATES:
            holds = f"only {', '.join(map(str, MP3_RATES))} Hz"
        elif ext == "flac" and not (rate <= 65_535 or (rate % 10 == 0 and rate <= 655_350)):
            holds = "up to 65,535 Hz, and multiples of 10 Hz up to 655,350 Hz"
        elif ext == "ogg" and rate > VORBIS_MAX_RATE:
            holds = f"up to {VORBIS_MAX_RATE:,} Hz"
        else:
            return
        others = "WAV or AIFF" if ext == "flac" else "WAV, FLAC or AIFF" if rate <= 65_535 else "WAV or AIFF"
        raise AudioWriteError(f"{path}: {ext.upper()} cannot hold {rate:,} Hz audio ({holds}); write {others}")

    def open_args(self) -> dict:
        """Keyword arguments of ``soundfile.SoundFile`` for writing this spec."""
        fmt, lossy_subtype = _CANDIDATES[extension(self.fmt)]
        if lossy_subtype is None:
            return {"format": fmt, "subtype": SUBTYPES[self.bits]}
        if fmt == "MP3":  # libsndfile maps level 0..1 linearly onto 320..32 kbit/s (MPEG-1, constant bitrate)
            level = (320 - self.bitrate) / (320 - 32)
            return {"format": fmt, "subtype": lossy_subtype, "compression_level": level,
                    "bitrate_mode": "CONSTANT"}
        return {"format": fmt, "subtype": lossy_subtype, "compression_level": VORBIS_LEVEL}


def spec_for_path(path, bits: int = 24, bitrate: int = DEFAULT_MP3_BITRATE) -> OutputSpec:
    """The spec of an output path from its extension (``.wav``, ``.flac``, ``.aiff``/``.aif``, ``.mp3``, ``.ogg``)."""
    suffix = Path(path).suffix
    try:
        ext = extension(suffix)
    except AudioWriteError:
        if suffix:
            said = f"unsupported output format '{suffix}'"
        elif Path(path).name.startswith("."):  # ".wav": a hidden file's name, with nothing before the extension
            said = "a name with nothing before its extension (give one: remix.wav)"
        else:
            said = "no extension to name the output format"
        raise AudioWriteError(f"{path}: {said} (use {', '.join('.' + e for e in FORMATS)})") from None
    return OutputSpec(ext, bits, bitrate).check()
