"""Typed settings, declared in one place (after MusicBrainz Picard's ``config``), with QSettings behind them.

User settings (``OPTIONS``) and UI state (``STATE``: window geometry, splitter sizes) are
kept apart. Values live in ``core.files.paths.settings_path()``, in the user's config folder (tests
that set ``JAZZREMIX_DATA_DIR`` or ``JAZZREMIX_CONFIG_DIR`` never touch the real home).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

from jazzremix_gui.core.audio.formats import FORMATS, MP3_BITRATES
from jazzremix_gui.core.audio.headroom import CLIP_MODES
from jazzremix_gui.core.audio.loudness_match import LOUDNESS_MODES
from jazzremix_gui.core.files import paths
from jazzremix_gui.services.remix_writer import SOLO_MODES
from jazzremix_gui.services.settings_values import typed


#: Preferences > Separation: the separator's own Wiener step, the pan-aware one, or the plain one.
WIENER_STEPS = ("model", "pan-aware", "plain")


def wiener_step_choice(value: str) -> bool | None:
    """A ``wiener_step`` setting as :func:`core.models.with_wiener_step` takes it (None: the separator's own)."""
    return {"pan-aware": True, "plain": False}.get(value)


@dataclass(frozen=True)
class Option:
    """One setting: section, name, default (its type is the default's type), and its choices or range if any.

    A stored value outside them reads as the default (:func:`services.settings_values.typed`).
    """

    section: str
    name: str
    default: object
    choices: tuple | None = None
    lo: int | None = None
    hi: int | None = None

    @property
    def key(self) -> str:
        return f"{self.section}/{self.name}"


OPTIONS = {o.name: o for o in (
    Option("audio", "output_device", ""),
    Option("audio", "match_loudness", True),
    Option("models", "separator_path", ""),
    Option("models", "mixer_path", ""),
    Option("models", "device", "auto", ("auto", "cpu", "cuda")),
    Option("models", "wiener_step", "model", WIENER_STEPS),  # the separator's own step, or one chosen
    Option("models", "mono_comb", True),  # mono material's pitch comb (core.models.without_mono_comb when off)
    Option("files", "cache_limit_mb", 4000, lo=0, hi=10 ** 9),
    Option("files", "recent_files", []),
    Option("files", "last_dir", ""),
    Option("files", "session_dir", ""),
    Option("export", "format", "wav", tuple(FORMATS)),
    Option("export", "bits", 24, (16, 24, 32)),
    Option("export", "solo_mode", "mono", SOLO_MODES),
    Option("export", "loudness", "match", LOUDNESS_MODES),
    Option("export", "clip", "limit", CLIP_MODES),
    Option("export", "bitrate", 320, MP3_BITRATES),
    Option("export", "out_dir", ""),
    Option("view", "spectrogram_mode", "stacked", ("stacked", "mixture", "solo", "accompaniment")),
)}

STATE = {o.name: o for o in (
    Option("state", "geometry", QByteArray()),
    Option("state", "window_state", QByteArray()),
    Option("state", "splitter", QByteArray()),
)}

#: How many recent files File > Open Recent keeps.
MAX_RECENT = 10


class Settings:
    """Typed access: ``settings["match_loudness"]`` returns a bool, ``settings["bits"] = 16``."""

    def __init__(self, path=None):
        path = path or paths.settings_path()
        self.qs = QSettings(str(path), QSettings.Format.IniFormat)
        self._migrate()

    def _migrate(self) -> None:
        """Settings of earlier versions under their new names (the pan-aware tick box became ``wiener_step``)."""
        if self.qs.contains("models/pan_aware"):
            if not self.qs.contains("models/wiener_step"):
                ticked = typed("pan_aware", False, self.qs.value("models/pan_aware"))
                self.qs.setValue("models/wiener_step", "pan-aware" if ticked else "model")
            self.qs.remove("models/pan_aware")

    def _option(self, name: str) -> Option:
        if name in OPTIONS:
            return OPTIONS[name]
        if name in STATE:
            return STATE[name]
        raise KeyError(f"unknown setting {name!r}")

    def __getitem__(self, name: str):
        opt = self._option(name)
        value = self.qs.value(opt.key, opt.default)
        if isinstance(opt.default, QByteArray):
            return value if isinstance(value, QByteArray) else QByteArray()
        return typed(name, opt.default, value, opt.choices, opt.lo, opt.hi)

    def __setitem__(self, name: str, value) -> None:
        self.qs.setValue(self._option(name).key, value)

    def add_recent(self, path: str) -> list[str]:
        recent = [p for p in self["recent_files"] if p != path]
        recent.insert(0, path)
        self["recent_files"] = recent[:MAX_RECENT]
        return self["recent_files"]

    def sync(self) -> None:
        self.qs.sync()
