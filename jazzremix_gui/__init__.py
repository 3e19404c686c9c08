"""Jazz Remix: separate a jazz recording into solo and accompaniment, and remix it."""

__version__ = "0.1.0"
