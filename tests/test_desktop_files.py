"""Desktop integration: the .desktop entry and AppStream file pass their validators, the icon set is
complete, and packaging/install-desktop.sh installs and removes everything for one user."""

import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from jazzremix_gui import __version__

ROOT = Path(__file__).resolve().parents[1]
ID = "io.github.jazzremix.JazzRemix"
DESKTOP = ROOT / "packaging" / f"{ID}.desktop"
METAINFO = ROOT / "packaging" / f"{ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (make test installs it)")
    return path


def _entry(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_desktop_entry_validates():
    proc = subprocess.run([_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_metainfo_validates():
    proc = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not re.search(r"^[EW]:", proc.stdout, re.M), proc.stdout


def test_entry_opens_the_files_the_app_reads():
    entry = _entry(DESKTOP)
    assert entry["Exec"] == "jazzremix %F" and entry["Icon"] == ID
    mimes = set(entry["MimeType"].strip(";").split(";"))
    for needed in ("audio/x-wav", "audio/flac", "audio/ogg", "audio/x-aiff", "audio/mpeg",
                   "application/x-jazzremix-session"):
        assert needed in mimes
    from jazzremix_gui.services.session import SUFFIX

    assert f'pattern="*{SUFFIX}"' in (ROOT / "packaging" / f"{ID}.mime.xml").read_text()
    from jazzremix_gui.ui.app import DESKTOP_ID

    assert DESKTOP_ID == ID


def test_metainfo_matches_the_project():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == ID
    assert root.find("launchable").text == f"{ID}.desktop"
    assert root.find("releases/release").get("version") == __version__
    for image in root.iter("image"):
        assert (ROOT / "docs" / image.text.rsplit("/", 1)[-1]).is_file(), image.text


def test_icon_sizes_are_rendered():
    assert (ICONS / "jazzremix.svg").is_file()
    for size in SIZES:
        data = (ICONS / f"jazzremix-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)


def test_app_has_the_icon(qtbot):
    from jazzremix_gui.ui.app import make_app

    app = make_app()
    assert not app.windowIcon().isNull()
    assert {s.width() for s in app.windowIcon().availableSizes()} >= {16, 32, 48, 256}


def test_install_desktop_for_one_user(tmp_path):
    fake = tmp_path / "bin" / "jazzremix"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    home = tmp_path / "share"
    script = ROOT / "packaging" / "install-desktop.sh"
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(["bash", str(script), str(fake), str(home)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    installed = home / "applications" / f"{ID}.desktop"
    entry = _entry(installed)
    assert entry["Exec"] == f"{fake} %F" and entry["TryExec"] == str(fake)
    assert (home / "metainfo" / f"{ID}.metainfo.xml").is_file()
    assert (home / "icons/hicolor/scalable/apps" / f"{ID}.svg").is_file()
    assert (home / "icons/hicolor/48x48/apps" / f"{ID}.png").is_file()
    if shutil.which("update-mime-database"):  # the session type is registered: its glob is in the database
        assert "*.jrs" in (home / "mime" / "globs2").read_text()
    if shutil.which("desktop-file-validate"):
        out = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True, text=True)
        assert out.returncode == 0 and not out.stdout.strip(), out.stdout
    proc = subprocess.run(["bash", str(script), "--uninstall", "", str(home)], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    assert not installed.exists() and not list(home.rglob(f"{ID}.*"))


def test_install_desktop_refuses_a_missing_command(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / "packaging" / "install-desktop.sh"), str(tmp_path / "nothing"),
                           str(tmp_path / "share")], capture_output=True, text=True)
    assert proc.returncode == 1 and "not an executable" in proc.stderr
    assert not (tmp_path / "share" / "applications").exists()
