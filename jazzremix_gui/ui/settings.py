"""Typed settings, declared in one place (after MusicBrainz Picard's ``config``), with QSettings behind them.

User settings (``OPTIONS``) and UI state (``STATE``: window geometry, splitter sizes) are
kept apart. Values live in ``core.files.paths.settings_path()``, in the user's config folder (tests
that set ``JAZZREMIX_DATA_DIR`` or ``JAZZREMIX_CONFIG_DIR`` never touch the real home).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

from jazzremix_gui.core.files import paths


@dataclass(frozen=True)
class Option:
    """One setting: section, name, default (its type is the default's type)."""

    section: str
    name: str
    default: object

    @property
    def key(self) -> str:
        return f"{self.section}/{self.name}"


OPTIONS = {o.name: o for o in (
    Option("audio", "output_device", ""),
    Option("audio", "match_loudness", True),
    Option("models", "separator_path", ""),
    Option("models", "mixer_path", ""),
    Option("models", "device", "auto"),
    Option("files", "cache_limit_mb", 4000),
    Option("files", "recent_files", []),
    Option("files", "last_dir", ""),
    Option("files", "session_dir", ""),
    Option("export", "format", "wav"),
    Option("export", "bits", 24),
    Option("export", "solo_mode", "mono"),
    Option("export", "loudness", "match"),
    Option("export", "clip", "limit"),
    Option("export", "bitrate", 320),
    Option("export", "out_dir", ""),
    Option("view", "spectrogram_mode", "stacked"),
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

    def _option(self, name: str) -> Option:
        if name in OPTIONS:
            return OPTIONS[name]
        if name in STATE:
            return STATE[name]
        raise KeyError(f"unknown setting {name!r}")

    def __getitem__(self, name: str):
        opt = self._option(name)
        value = self.qs.value(opt.key, opt.default)
        d = opt.default
        try:
            if isinstance(d, bool):
                return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
            if isinstance(d, int):
                return int(value)
            if isinstance(d, list):
                if value is None or value == "":
                    return []
                return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
            if isinstance(d, QByteArray):
                return value if isinstance(value, QByteArray) else QByteArray()
            return str(value)
        except (TypeError, ValueError):
            return d

    def __setitem__(self, name: str, value) -> None:
        self.qs.setValue(self._option(name).key, value)

    def add_recent(self, path: str) -> list[str]:
        recent = [p for p in self["recent_files"] if p != path]
        recent.insert(0, path)
        self["recent_files"] = recent[:MAX_RECENT]
        return self["recent_files"]

    def sync(self) -> None:
        self.qs.sync()
