"""Audio output devices through sounddevice (PortAudio), imported lazily and safely.

``sounddevice`` raises ``OSError`` at import time when PortAudio is missing; the app
must still open then, with playback disabled and the reason shown. Everything here
returns a reason string instead of raising.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass

_sd = None
_import_error: str | None = None


def sounddevice():
    """The ``sounddevice`` module, or ``None`` when it cannot be loaded (see :func:`unavailable_reason`)."""
    global _sd, _import_error
    if _sd is None and _import_error is None:
        try:
            import sounddevice as sd  # noqa: PLC0415 - imported on first use on purpose

            _sd = sd
        except (OSError, ImportError) as exc:
            _import_error = f"audio library PortAudio is not available ({str(exc).strip() or type(exc).__name__})"
    return _sd


def unavailable_reason() -> str | None:
    """Why playback cannot work, in plain words, or ``None`` when an output device exists."""
    sd = sounddevice()
    if sd is None:
        return _import_error
    try:
        if not output_devices():
            return "no audio output device was found"
    except Exception as exc:  # PortAudio errors of any kind
        return f"audio devices cannot be listed ({exc})"
    return None


@dataclass(frozen=True)
class OutputDevice:
    """One output device: PortAudio index, name, host API name, default rate in Hz, channels."""

    index: int
    name: str
    hostapi: str
    default_rate: int
    channels: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.hostapi})"


def output_devices() -> list[OutputDevice]:
    """Devices that can play at least two channels (or one), default device first."""
    sd = sounddevice()
    if sd is None:
        return []
    apis = sd.query_hostapis()
    found = []
    for i, d in enumerate(sd.query_devices()):
        if d["max_output_channels"] > 0:
            found.append(OutputDevice(i, d["name"], apis[d["hostapi"]]["name"], int(d["default_samplerate"]),
                                      int(d["max_output_channels"])))
    default = default_output_index()
    found.sort(key=lambda d: d.index != default)
    return found


def default_output_index() -> int | None:
    """PortAudio's default output device index, or ``None``."""
    sd = sounddevice()
    if sd is None:
        return None
    try:
        idx = sd.default.device[1]
        if idx is None or idx < 0:
            idx = sd.query_hostapis(0)["default_output_device"]
        return int(idx) if idx is not None and idx >= 0 else None
    except Exception:
        return None


def pick_device(label: str | None) -> OutputDevice | None:
    """The device whose :attr:`OutputDevice.label` (or name) is ``label``, else the default, else the first."""
    devices = output_devices()
    if not devices:
        return None
    if label:
        for d in devices:
            if label in (d.label, d.name):
                return d
    return devices[0]


# ---- a stuck library ---------------------------------------------------------------------------
# When the audio server goes away under a running stream, PortAudio (19.6, JACK host API) cannot
# stop that stream: Pa_AbortStream, Pa_CloseStream and Pa_Terminate wait up to ten minutes on a
# condition that the dead server never signals. Such a stream is never touched again; the library
# instance that holds it is set aside (not terminated at exit), and the next scan of the devices
# loads a fresh, independent copy of the library so that playback can come back in this process.
_stuck_libraries: list = []
_stuck = False


def set_aside_library() -> None:
    """Mark the loaded PortAudio as holding a stream that cannot be stopped (skip it at exit)."""
    global _stuck
    sd = sounddevice()
    if sd is None or _stuck:
        return
    _stuck = True
    _stuck_libraries.append(sd._lib)  # kept referenced: unloading it under live threads would crash
    atexit.unregister(sd._exit_handler)


def _library_file() -> str | None:
    """The file of the loaded PortAudio, from the process's memory map (Linux), or ``None``."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            for line in f:
                if "libportaudio" in line and "/" in line and not line.rstrip().endswith("(deleted)"):
                    return line[line.index("/"):].strip()  # the installed file, not an earlier fresh copy
    except OSError:
        pass
    return None


def rescan() -> str | None:
    """Scan the devices again (a server or device that came back appears); call with no stream open.

    Returns :func:`unavailable_reason` after the scan.
    """
    global _stuck
    sd = sounddevice()
    if sd is None:
        return _import_error
    try:
        if _stuck:
            source = _library_file()
            if source is None:
                return "the audio library is stuck on the lost device: restart Jazz Remix to play again"
            folder = tempfile.mkdtemp(prefix="jazzremix-portaudio-")
            copy = os.path.join(folder, "libportaudio-fresh.so")
            try:
                shutil.copyfile(source, copy)
                sd._lib = sd._ffi.dlopen(copy)  # a new instance: its own state, no stuck stream
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            sd._initialized = 0
            _stuck = False
            atexit.register(sd._exit_handler)
        else:
            while sd._initialized:
                sd._terminate()
        sd._initialize()
    except Exception as exc:  # PortAudio and OS errors of any kind
        return f"audio devices cannot be scanned ({str(exc).strip() or type(exc).__name__})"
    return unavailable_reason()
