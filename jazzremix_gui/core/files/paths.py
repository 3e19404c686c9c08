"""Where shipped models, resources and the user's own files live.

Shipped files (the ONNX models, icons, styles, the demo clip) are package data, found with
:mod:`importlib.resources` in a wheel and in the PyInstaller bundle, so no unrelated
``models/`` folder in site-packages can shadow them; a source checkout uses its own
``models/`` and ``resources/``.

The user's folders follow each platform's conventions (:mod:`platformdirs`):

============  ==============================  ==================================
folder        Linux (XDG variables honoured)  overridden by
============  ==============================  ==================================
data          ~/.local/share/jazzremix        ``$JAZZREMIX_DATA_DIR``
config        ~/.config/jazzremix             ``$JAZZREMIX_CONFIG_DIR``
cache         ~/.cache/jazzremix              ``$JAZZREMIX_CACHE_DIR``
log           ~/.local/state/jazzremix/log    ``$JAZZREMIX_LOG_DIR``
============  ==============================  ==================================

When only ``$JAZZREMIX_DATA_DIR`` is set (tests, benchmarks, a portable set-up), config and
logs go inside it too, so nothing touches the real home. Versions before 0.2 kept the
settings in the data folder and used the Linux folders on every OS:
:func:`migrate_old_locations` moves those files on first start.
"""

from __future__ import annotations

import logging
import os
import shutil
from importlib import resources
from pathlib import Path

from platformdirs import PlatformDirs

log = logging.getLogger(__name__)

APP = "jazzremix"
_DIRS = PlatformDirs(APP, appauthor=False)
SETTINGS_FILE = "settings.ini"


_PKG = Path(__file__).resolve().parents[2]


def _source_checkout() -> Path | None:
    """The repository root when this very package runs from a source checkout, else None.

    Recognised by the project's own ``pyproject.toml`` beside the package, which an
    installed copy (site-packages, the bundle) never has.
    """
    project = _PKG.parent / "pyproject.toml"
    try:
        return _PKG.parent if 'name = "jazzremix-gui"' in project.read_text(encoding="utf-8") else None
    except OSError:
        return None


def _package_dir(package: str, folder: str) -> Path:
    """The folder of a data-only package: ``jazzremix_gui._models`` (``models/`` in the repository) or ``._resources``.

    A source checkout uses its own folder, so code and models always come from the same
    tree (a git worktree run with another checkout's editable install included);
    everywhere else the installed package data, through :mod:`importlib.resources`.
    """
    root = _source_checkout()
    if root is not None and (root / folder).is_dir():
        return root / folder
    found = resources.files(package)
    if isinstance(found, os.PathLike):
        return Path(os.fspath(found))
    return Path(os.fspath(found.joinpath(SETTINGS_FILE)).parent)  # a namespace package (no __init__.py)


def models_dir() -> Path:
    """Folder of the shipped ONNX models (package data ``jazzremix_gui._models``)."""
    return _package_dir("jazzremix_gui._models", "models")


def resources_dir() -> Path:
    """Folder of icons, styles and the demo clip (package data ``jazzremix_gui._resources``)."""
    return _package_dir("jazzremix_gui._resources", "resources")


def shipped_model(kind: str) -> Path:
    """Path of the shipped ``separator.onnx`` or ``mixer.onnx``."""
    return models_dir() / f"{kind}.onnx"


def _env_dir(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def data_dir() -> Path:
    """The user's data folder: annotations, the fine-tuned mixer."""
    return _env_dir("JAZZREMIX_DATA_DIR") or Path(_DIRS.user_data_dir)


def config_dir() -> Path:
    """The user's configuration folder (``settings.ini``)."""
    override = _env_dir("JAZZREMIX_CONFIG_DIR") or _env_dir("JAZZREMIX_DATA_DIR")
    return override or Path(_DIRS.user_config_dir)


def cache_dir() -> Path:
    """Per-track result cache (safe to delete)."""
    return _env_dir("JAZZREMIX_CACHE_DIR") or Path(_DIRS.user_cache_dir)


def spool_dir() -> Path:
    """Where long audio is spooled and mapped instead of held in memory (``core.files.mapped.FloatSpool``: the
    app's decoded recordings, stems while they are made); the files are unlinked once mapped."""
    return cache_dir() / "spool"


def log_dir() -> Path:
    """Folder of the rotating log file ``jazzremix.log``."""
    override = _env_dir("JAZZREMIX_LOG_DIR")
    if override is None and _env_dir("JAZZREMIX_DATA_DIR"):
        override = _env_dir("JAZZREMIX_DATA_DIR") / "log"
    return override or Path(_DIRS.user_log_dir)


def settings_path() -> Path:
    """The INI file of the app's settings."""
    return config_dir() / SETTINGS_FILE


def user_mixer_path() -> Path:
    """Where ``jazzremix train-mixer`` puts the user's fine-tuned mixer."""
    return data_dir() / "mixer.user.onnx"


def remove_user_mixer(path=None) -> list[Path]:
    """Delete the user's fine-tuned mixer (model, card, weights) so the shipped one is used again; returns the files
    removed. A ``path`` given must be a fine-tuned mixer (:func:`core.files.model_files.is_fine_tuned_mixer`), and
    nothing in the shipped models' folder is ever removed.

    Raises
    ------
    ValueError
        ``path`` exists and is not a fine-tuned mixer, or lies among the shipped models (nothing is removed).
    """
    from jazzremix_gui.core.files import model_files

    out = Path(path or user_mixer_path())
    present = [p for p in model_files.files_of(out) if p.exists()]
    if present and model_files.within(out, models_dir()):
        raise ValueError(f"{out} is in {models_dir()}, the shipped models, which are never removed: nothing removed")
    if path is not None and present and not model_files.is_fine_tuned_mixer(out):
        raise ValueError(f"{out} is not a fine-tuned mixer (train-mixer --annotations writes one, with its card "
                         "beside it): nothing removed")
    for p in present:
        p.unlink()
    return present


def annotations_path() -> Path:
    """JSONL file of the engineer's final pan/gain choices, one line per export."""
    return data_dir() / "annotations.jsonl"


def demo_recording() -> Path:
    """The bundled demo clip (rendered by the project's own synthesiser)."""
    return resources_dir() / "demo.flac"


def _old_dirs() -> tuple[Path, Path]:
    """Data and cache folders of versions before 0.2 (hand-made XDG paths on every OS)."""
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / APP
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / APP
    return data, cache


def _move(src: Path, dst: Path, moved: list[tuple[Path, Path]]) -> None:
    if dst.exists():
        log.warning("not moving %s: %s already exists", src, dst)
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dst))
    moved.append((src, dst))


def migrate(old_data: Path, old_cache: Path, data: Path, config: Path, cache: Path) -> list[tuple[Path, Path]]:
    """Move files from the old layout into the new one; never overwrites.

    ``settings.ini`` goes from the old data folder to ``config``; the rest of the old data
    and cache folders go to ``data`` and ``cache`` when those differ (macOS, Windows).
    Empty old folders are removed.

    Returns
    -------
    list of (Path, Path)
        Every (old, new) move made; empty when there was nothing to do.
    """
    moved: list[tuple[Path, Path]] = []
    if (old_data / SETTINGS_FILE).is_file() and old_data / SETTINGS_FILE != config / SETTINGS_FILE:
        _move(old_data / SETTINGS_FILE, config / SETTINGS_FILE, moved)
    for old, new in ((old_data, data), (old_cache, cache)):
        if not old.is_dir() or old.resolve() == new.resolve():
            continue
        for entry in sorted(old.iterdir()):
            _move(entry, new / entry.name, moved)
        try:
            old.rmdir()
        except OSError:
            pass  # something could not be moved: keep the folder
    for src, dst in moved:
        log.info("moved %s -> %s", src, dst)
    return moved


def migrate_old_locations() -> list[tuple[Path, Path]]:
    """:func:`migrate` with this machine's folders (nothing when a folder is overridden by the environment).

    Errors (a read-only home, a full disk) are logged, never raised: the app starts anyway.
    """
    if any(os.environ.get(v) for v in ("JAZZREMIX_DATA_DIR", "JAZZREMIX_CONFIG_DIR", "JAZZREMIX_CACHE_DIR")):
        return []
    old_data, old_cache = _old_dirs()
    try:
        return migrate(old_data, old_cache, data_dir(), config_dir(), cache_dir())
    except OSError as exc:
        log.warning("could not move files from the old folders: %s", exc)
        return []
