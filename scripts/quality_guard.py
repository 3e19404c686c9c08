"""Record the quality guard's figures (SDR on tests/data/guard) on a separator's card.

Usage: python scripts/quality_guard.py [models/separator.onnx]

``train-separator`` records them itself when it writes a card; this refreshes the entry of
a card written before the guard existed, or after the clip was re-rendered
(scripts/make_guard_clip.py). tests/test_quality_guard.py then fails if the shipped model
falls more than 0.5 dB under them.
"""
import sys

from jazzremix_gui.training.separator_card import refresh_guard

if __name__ == "__main__":
    print(refresh_guard(sys.argv[1] if len(sys.argv) > 1 else "models/separator.onnx"))
