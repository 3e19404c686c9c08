"""``python -m jazzremix_gui`` runs the ``jazzremix`` command."""

import sys

from jazzremix_gui.cli.main import main

sys.exit(main())
