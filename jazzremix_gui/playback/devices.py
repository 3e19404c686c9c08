"""Audio output devices through sounddevice (PortAudio), imported lazily and safely.

``sounddevice`` raises ``OSError`` at import time when PortAudio is missing; the app
must still open then, with playback disabled and the reason shown. Everything here
returns a reason string instead of raising.
"""

from __future__ import annotations

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
