# Jazz Remix: `make run` opens the app on the bundled demo; `make test` runs the test suite.
# Both do all set-up on a fresh Debian machine as root (system packages, .venv, install).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
SYSTEM_PYTHON ?= python3
APT_RUN := libportaudio2 libsndfile1 libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 \
	libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 \
	libxcb-xkb1 libxcb-randr0 libxcb-shape0 libxcb-cursor0
# desktop-file-utils, appstream: the tests validate the .desktop and AppStream files with their validators
APT_TEST := $(APT_RUN) jackd2 fluidsynth fluid-soundfont-gm timgm6mb-soundfont xvfb desktop-file-utils appstream
# binutils: PyInstaller reads shared libraries with objdump; xvfb, x11-utils: the bundle's own check opens the app
APT_PACKAGE := $(APT_RUN) binutils xvfb x11-utils
JACK_RATE ?= 48000

.PHONY: run test package install-desktop uninstall-desktop sysdeps-run sysdeps-test sysdeps-package venv install \
	install-test install-train train-deps demo clean

run: sysdeps-run install
	$(VENV)/bin/jazzremix gui resources/demo.flac

test: sysdeps-test install-test
	@bash packaging/run-tests.sh $(PY) $(JACK_RATE)

# One-folder desktop bundle dist/jazzremix/ (PyInstaller, CPU ONNX Runtime), then its own check.
package: sysdeps-package install
	$(PIP_INSTALL) -e '.[package]'
	$(SITE_BYTECODE)
	@bash packaging/build-bundle.sh $(PY)
	@bash packaging/test-bundle.sh dist/jazzremix

# Menu entry, icons, "Open with" and AppStream data for this user (~/.local/share). The entry runs
# JAZZREMIX: default `jazzremix` on PATH (pipx), else .venv/bin/jazzremix; for the bundle:
# make install-desktop JAZZREMIX=dist/jazzremix/jazzremix
install-desktop:
	@bash packaging/install-desktop.sh $(JAZZREMIX)

uninstall-desktop:
	@bash packaging/install-desktop.sh --uninstall

# --- set-up ---------------------------------------------------------------------------
sysdeps-run:
	@bash packaging/apt-install.sh $(APT_RUN)

sysdeps-test:
	@bash packaging/apt-install.sh $(APT_TEST)

sysdeps-package:
	@bash packaging/apt-install.sh $(APT_PACKAGE)

$(PY):
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

venv: $(PY)

# The package's bytecode, as a wheel install has it: an editable install writes none until the first import, and
# none at all where PYTHONDONTWRITEBYTECODE is set; compiling each module again costs every command 0.1 s of
# start-up (docs/SPEED.md)
BYTECODE := $(PY) -m compileall -q jazzremix_gui
# pip compiles what it installs one file at a time (torch alone 16 s); it installs without, and compileall then
# writes the dependencies' bytecode on every core (-j0): `make test`'s install 87 -> 59 s on the 2-core VM; the
# packages' own test folders, which nothing imports, are left out (26 -> 21 s). A few files in the wheels are
# templates and Python 3.12 syntax, which pip skips too: hence -qq and `|| true`.
PIP_INSTALL := $(PIP) install -q --no-compile
SITE_BYTECODE := $(PY) -m compileall -qq -j0 -x '/tests/' \
	"$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true

install: $(PY)
	$(PIP_INSTALL) -e .
	$(SITE_BYTECODE)
	$(BYTECODE)

# torch 2.13.0 (CPU build) is pinned explicitly, and installed first: an unpinned torch would pull a multi-GB CUDA
# build
install-train: $(PY)
	$(PIP_INSTALL) torch==2.13.0
	$(PIP_INSTALL) -e '.[train]'
	$(SITE_BYTECODE)
	$(BYTECODE)

install-test: $(PY)
	$(PIP_INSTALL) torch==2.13.0
	$(PIP_INSTALL) -e '.[test,train,batch]' 'setuptools>=77' wheel  # the wheel test builds without isolation
	$(SITE_BYTECODE)
	$(BYTECODE)

train-deps: $(PY)
	@bash packaging/install-train-deps.sh $(PY)

clean:
	rm -rf build dist *.egg-info .pytest_cache
