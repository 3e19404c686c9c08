"""How each file of the hostile corpus is made: signals, hand-built headers that lie, odd paths.

Used by :mod:`hostile_corpus`; every builder writes into a folder given at test time.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile as sf


# --- signals and bytes ---------------------------------------------------------------------------

def tone(n: int, rate: int = 44100, channels: int = 2, seed: int = 0) -> np.ndarray:
    """``(n, channels)`` float64: a sax-like tone over a quieter chord and a little noise, peak < 0.6."""
    t = np.arange(n) / rate
    rng = np.random.default_rng(seed)
    solo = 0.3 * np.sin(2 * np.pi * min(440.0, rate / 5) * t)
    chans = [solo * (1 - c / (channels + 1)) + 0.1 * np.sin(2 * np.pi * min(110.0 * (c + 2), rate / 3) * t)
             for c in range(channels)]
    return np.stack(chans, 1) + 0.01 * rng.standard_normal((n, channels))


def audio_bytes(x: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    b = io.BytesIO()
    sf.write(b, x, rate, format=fmt, subtype=subtype)
    return b.getvalue()


def wav_bytes(pcm: bytes, rate: int = 44100, channels: int = 2, bits: int = 16, *, data_size: int | None = None,
              riff_size: int | None = None, byte_rate: int | None = None, block_align: int | None = None,
              fmt_tail: bytes = b"", trailer: bytes = b"") -> bytes:
    """A PCM RIFF/WAVE file built field by field, so any field can lie."""
    align = channels * bits // 8 if block_align is None else block_align
    br = (rate * align) & 0xFFFFFFFF if byte_rate is None else byte_rate
    fmt = struct.pack("<HHIIHH", 1, channels, rate, br, align, bits)
    fmt += fmt_tail
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm) if data_size is None else data_size) + pcm + trailer
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


def pcm16(n: int = 4096, channels: int = 2) -> bytes:
    return (tone(n, channels=channels) * 32767).astype("<i2").tobytes()


def png_bytes() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + bytes(range(16)) * 3 for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def zip_bytes() -> bytes:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("take1.wav", audio_bytes(tone(2048), 44100, "WAV", "PCM_16"))
    return b.getvalue()


def midi_bytes() -> bytes:
    track = bytes([0, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0, 0xFF, 0x2F, 0])
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) + b"MTrk" + struct.pack(">I", len(track)) + track


def random_bytes(n: int, seed: int) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value):]


def flac_total(data: bytes, total: int) -> bytes:
    """A FLAC file whose STREAMINFO claims ``total`` samples (36 bits at bytes 18..25)."""
    v = int.from_bytes(data[18:26], "big")
    return patched(data, 18, ((v & ~((1 << 36) - 1)) | total).to_bytes(8, "big"))


def flac_rate(data: bytes, rate: int) -> bytes:
    """A FLAC file whose STREAMINFO claims ``rate`` Hz (the top 20 bits of bytes 18..25)."""
    v = int.from_bytes(data[18:26], "big")
    return patched(data, 18, ((v & ((1 << 44) - 1)) | (rate << 44)).to_bytes(8, "big"))


def aiff_frames(data: bytes, frames: int) -> bytes:
    at = data.index(b"COMM") + 8 + 2
    return patched(data, at, struct.pack(">I", frames))


def au_size(data: bytes, size: int) -> bytes:
    return patched(data, 8, struct.pack(">I", size))


# --- builders ------------------------------------------------------------------------------------

def file_of(name: str, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        p = folder / name
        p.write_bytes(data())
        return p
    return make


def sound(name: str, x: Callable[[], np.ndarray], rate: int, fmt: str, subtype: str) -> Callable[[Path], Path]:
    return file_of(name, lambda: audio_bytes(x(), rate, fmt, subtype))


def link(name: str, target: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        p = folder / name
        p.symlink_to(target)
        return p
    return make


def deep_path(folder: Path) -> Path:
    """A valid WAV at the end of a path longer than PATH_MAX (4096), made with directory descriptors."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    parts = []
    try:
        for i in range(20):
            part = f"{i:02d}" + "d" * 238
            os.mkdir(part, dir_fd=fd)
            nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, parts = nfd, parts + [part]
        out = os.open("deep.wav", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, audio_bytes(tone(1024), 44100, "WAV", "PCM_16"))
        os.close(out)
    finally:
        os.close(fd)
    return folder.joinpath(*parts, "deep.wav")


def fifo(folder: Path) -> Path:
    p = folder / "fifo.wav"
    os.mkfifo(p)
    return p


def loop(folder: Path) -> Path:
    (folder / "loop-a.wav").symlink_to("loop-b.wav")
    (folder / "loop-b.wav").symlink_to("loop-a.wav")
    return folder / "loop-a.wav"


def empty_folder(name: str, with_text: bool = False) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        p = folder / name
        p.mkdir()
        if with_text:
            (p / "notes.txt").write_text("liner notes\n")
        return p
    return make


def wav_named(name: str) -> Callable[[Path], Path]:
    """A short valid WAV whose name is ``name`` (str, or bytes for a name that is not UTF-8)."""
    def make(folder: Path) -> Path:
        data = audio_bytes(tone(2048), 44100, "WAV", "PCM_16")
        if isinstance(name, bytes):
            p = Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))
        else:
            p = folder / name
        p.write_bytes(data)
        return p
    return make
