"""The ``jazzremix`` command line: one module per sub-command."""
