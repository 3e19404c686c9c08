"""Icons, style sheet and the demo clip, installed as package data ``jazzremix_gui._resources`` (found with importlib.resources)."""
