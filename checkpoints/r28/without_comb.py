"""``jazzremix`` with the mono recordings' pitch comb left out (the separation as it was before rule r28), for the
"before" side of the product's measurement: ``python checkpoints/r28/without_comb.py evaluate SET --mono --json``."""
import sys

from jazzremix_gui.cli.main import main
from jazzremix_gui.core import pipeline


class _Through:
    """A comb that takes nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def mark_mono(self, c0, c1):
        pass

    def push(self, *parts):
        return parts

    def finish(self):
        return None


pipeline.PitchComb = _Through
pipeline._SeparationSteps._combed = lambda self, solo, acc, x, last: (solo, acc, x)
sys.exit(main(sys.argv[1:]))
