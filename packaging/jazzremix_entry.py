"""Entry script of the PyInstaller bundle: the ``jazzremix`` command (app and CLI)."""

import multiprocessing
import sys

from jazzremix_gui.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
