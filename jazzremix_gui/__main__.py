"""``python -m jazzremix_gui`` runs the ``jazzremix`` command."""

from jazzremix_gui.cli.entry import run

run()
