"""The shipped ONNX models and their cards, installed as package data ``jazzremix_gui._models`` (found with importlib.resources)."""
