"""``jazzremix`` with the mono comb as rule r28 shipped it (unvoiced frames untouched), the "before" side of rule
r32's measurement through the product's path: ``python checkpoints/r32/before.py evaluate SET --mono --json``."""
import sys

from jazzremix_gui.cli.main import main
from jazzremix_gui.core.signal import pitch_comb

pitch_comb.UNVOICED = 1.0
sys.exit(main(sys.argv[1:]))
