"""Entry script of the PyInstaller bundle: the ``jazzremix`` command (app and CLI)."""

import multiprocessing

from jazzremix_gui.cli.entry import run

if __name__ == "__main__":
    multiprocessing.freeze_support()
    run()
