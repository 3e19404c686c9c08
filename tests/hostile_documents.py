"""A hostile corpus of the files Jazz Remix reads back: sessions, manifest lines, cache entries (issue #23 item 9).

Every malformed case issue #23 lists ("Sessions", "Cache", "Batch") is a named case here, with
the reason the reader must give; :mod:`test_hostile_documents` adds generated ones (Hypothesis)
around them. Valid documents are built the way the program writes them.
"""

from __future__ import annotations

import json
import math

import numpy as np

#: A version-2 session as the app saves it (two sections, automation on); ``input`` filled in by the test.
VALID_SESSION = {
    "format": "jazzremix-session", "version": 2, "input": "song.wav", "input_sha256": "ab" * 32,
    "separator_version": "sep-2.0", "mixer_version": "mix-2.1", "gain_convention": "as-recorded", "solo_level": 1.5,
    "mix": {"pan_deg": -15.0, "gain": 0.8, "automation": True,
            "sections": [{"start": 0.0, "end": 1.0, "active": True, "pan_deg": -20.0, "gain": 0.7,
                          "suggested_pan_deg": -25.0, "suggested_gain": 0.6},
                         {"start": 1.0, "end": 2.0, "active": False, "pan_deg": 0.0, "gain": 1.0,
                          "suggested_pan_deg": 0.0, "suggested_gain": 1.0}]},
}


def session_with(path: list, value, base: dict | None = None) -> dict:
    """A copy of :data:`VALID_SESSION` (or ``base``) with the item at ``path`` (keys, indices) set to ``value``;
    ``value`` :data:`DELETE` removes it."""
    doc = json.loads(json.dumps(base or VALID_SESSION))
    *head, last = path
    node = doc
    for key in head:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


DELETE = object()


def nested(depth: int) -> str:
    """A session whose ``mix`` nests ``depth`` lists deep (the issue's RecursionError)."""
    return ('{"format": "jazzremix-session", "version": 2, "input": "song.wav", "mix": {"sections": '
            + "[" * depth + "]" * depth + "}}")


#: (name, session text, the reason the one line must hold). The issue's 14 malformed sessions and more.
BAD_SESSIONS = [
    ("pan-nan", session_with(["mix", "pan_deg"], math.nan), "mix.pan_deg is NaN"),
    ("gain-infinity", session_with(["mix", "gain"], math.inf), "mix.gain is Infinity"),
    ("gain-1e308", session_with(["mix", "gain"], 1e308), "mix.gain is 1e+308, not in 0..2"),
    ("gain-negative", session_with(["mix", "gain"], -0.5), "mix.gain is -0.5, not in 0..2"),
    ("pan-beyond-hard-right", session_with(["mix", "pan_deg"], 46), "mix.pan_deg is 46, not in -45..45"),
    ("section-pan-nan", session_with(["mix", "sections", 0, "pan_deg"], math.nan), "mix.sections[0].pan_deg is NaN"),
    ("section-gain-infinity", session_with(["mix", "sections", 1, "gain"], -math.inf),
     "mix.sections[1].gain is -Infinity"),
    ("input-int", session_with(["input"], 7), "input is 7, not text"),
    ("input-list", session_with(["input"], ["a.wav"]), "input is a list, not text"),
    ("input-null", session_with(["input"], None), "input is null, not text"),
    ("input-missing", session_with(["input"], DELETE), "input is missing"),
    ("input-empty", session_with(["input"], ""), "input is empty"),
    ("mix-list", session_with(["mix"], [1, 2]), "mix is a list, not an object"),
    ("mix-null", session_with(["mix"], None), "mix is null, not an object"),
    ("pan-left", session_with(["mix", "pan_deg"], "left"), "mix.pan_deg is 'left', not a number"),
    ("pan-bool", session_with(["mix", "pan_deg"], True), "mix.pan_deg is true, not a number"),
    ("v1-section-without-gain", session_with(["mix", "sections", 0, "gain"], DELETE,
                                             session_with(["version"], 1)), "mix.sections[0].gain is missing"),
    ("section-not-object", session_with(["mix", "sections", 0], 3), "mix.sections[0] is 3, not an object"),
    ("sections-object", session_with(["mix", "sections"], {}), "mix.sections is an object, not a list"),
    ("section-ends-before-start", session_with(["mix", "sections", 0, "end"], -1), "mix.sections[0].end is -1"),
    ("automation-yes", session_with(["mix", "automation"], "yes"), "mix.automation is 'yes', not true or false"),
    ("adapt-steps-fraction", session_with(["adapt_steps"], 7.5), "adapt_steps is 7.5, not a whole number"),
    ("adapt-steps-huge", session_with(["adapt_steps"], 10**9), "adapt_steps is 1000000000, not in 1..100000"),
    ("version-string", session_with(["version"], "2"), "version is '2', not a whole number"),
    ("version-float", session_with(["version"], 2.0), "version is 2, not a whole number"),
    ("version-zero", session_with(["version"], 0), "version is 0, not in 1.."),
    ("solo-level-nan", session_with(["solo_level"], math.nan), "solo_level is NaN"),
    ("sha-number", session_with(["input_sha256"], 12), "input_sha256 is 12, not text"),
    ("format-other", session_with(["format"], "jazzremix-sessions"), "format is 'jazzremix-sessions'"),
    ("format-missing", session_with(["format"], DELETE), "format is missing"),
    ("top-list", [VALID_SESSION], "the file holds a list, not an object"),
    ("top-null", None, "the file holds null, not an object"),
]
#: Session texts that are not JSON documents of the format at all: (name, bytes, reason).
BAD_SESSION_BYTES = [
    ("deep-nesting", nested(100000).encode(), "nested deeper than 16 levels"),
    ("not-json", b'{"format": "jazzremix-session", ', "not JSON"),
    ("not-utf8", b'{"format": "jazzremix-session\xff"}', "not UTF-8 text"),
    ("empty", b"", "not JSON"),
    ("over-1-mb", b'{"format": "jazzremix-session", "pad": "' + b"x" * (1 << 20) + b'"}',
     "larger than the 1.0 MB accepted"),
]


def session_text(doc) -> bytes:
    """A session as JSON with NaN and Infinity written as Python's ``json`` writes them."""
    return json.dumps(doc).encode()


# --- manifests -------------------------------------------------------------------------------------

#: A manifest line as a batch writes it (``input`` filled in by the test).
VALID_RECORD = {"input": "/a.wav", "status": "done", "error": None, "sha256": "cd" * 32, "size": 10,
                "mtime_ns": 5, "models": {"separator": {"version": "s", "sha256": "x"}},
                "options": {"format": "wav", "bits": 24, "remix": False},
                "outputs": {"solo": "/o/a.solo.wav", "accompaniment": "/o/a.accompaniment.wav"},
                "suggestion": {"pan_deg": 0.0, "gain": 1.0}, "warnings": [], "duration_s": 3.0, "attempts": 1}


def record_with(key: str, value) -> bytes:
    rec = dict(VALID_RECORD, input=f"/{key}.wav")
    if value is DELETE:
        del rec[key]
    else:
        rec[key] = value
    return json.dumps(rec, ensure_ascii=False).encode() + b"\n"


_CUT = json.dumps(dict(VALID_RECORD, input="/caf\u00e9-\u00e9t\u00e9.wav"), ensure_ascii=False).encode()
#: Unusable manifest lines: (name, bytes of the line). Each is skipped and counted.
BAD_LINES = [
    ("input-list", b'{"input": ["x"]}\n'),
    ("cut-inside-utf8", _CUT[:_CUT.index("\u00e9".encode()) + 1]),  # the last line, cut by a crash
    ("cut-short", _CUT[:40] + b"\n"),
    ("not-object", b"[1, 2, 3]\n"),
    ("input-null", record_with("input", None)),
    ("status-other", record_with("status", "maybe")),
    ("status-missing", record_with("status", DELETE)),
    ("size-text", record_with("size", "10")),
    ("outputs-list", record_with("outputs", ["/o/a.solo.wav"])),
    ("output-number", record_with("outputs", {"solo": 3})),
    ("models-text", record_with("models", "all")),
    ("warnings-numbers", record_with("warnings", [1])),
    ("duration-nan", record_with("duration_s", math.nan)),
    ("deep", b'{"input": "/d.wav", "status": "done", "models": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"),
    ("binary", bytes(range(11, 256)) + b"\n"),
]


def good_line(name: str) -> bytes:
    return json.dumps(dict(VALID_RECORD, input=f"/{name}.wav")).encode() + b"\n"


# --- cache entries -------------------------------------------------------------------------------

def cache_arrays(n: int = 4096, rate: int = 44100, sections: int = 2) -> dict:
    """The arrays and meta of a valid cache entry (as :func:`services.cache.save` writes them)."""
    rng = np.random.default_rng(0)
    post = rng.random((19, 21))
    post /= post.sum()
    t = 5
    meta = {"rate": rate, "separator_version": "sep", "mixer_version": "mix", "pan_deg": -10.0, "gain": 0.9,
            "sections": [{"start": float(i), "end": float(i + 1), "active": True, "pan_deg": -10.0, "gain": 0.9,
                          "confidence": 0.5, "clear": True} for i in range(sections)],
            "solo_level": 1.5, "recorded_pan_deg": 0.0, "solo_share_db": -6.0, "others_deg": [], "heard_gain_db": 0.0,
            "dc_offset": [], "pitch_comb_s": 0.0,
            "confidence": 0.4,
            "clear": True}
    return {"solo": (0.1 * rng.standard_normal(n)).astype(np.float32),
            "accompaniment": (0.1 * rng.standard_normal((n, 2))).astype(np.float32),
            "posterior": post, "frame_posteriors": np.full((t, 399), 1 / 399, np.float32),
            "frame_times": np.arange(t, dtype=np.float64), "active": np.ones(t, bool),
            "section_posteriors": np.stack([post] * sections), "meta": meta}


def with_meta(**changes) -> dict:
    arrays = cache_arrays()
    arrays["meta"] = dict(arrays["meta"], **changes)
    return arrays


def with_array(name: str, value) -> dict:
    arrays = cache_arrays()
    arrays[name] = value
    return arrays


def _nan_solo() -> dict:
    arrays = cache_arrays()
    arrays["solo"][100:200] = np.nan
    return arrays


#: Bad cache entries: (name, arrays or None for a truncated file, the reason said). Each is dropped.
BAD_ENTRIES = [
    ("rate-8000-nan-stems", dict(_nan_solo(), meta=dict(cache_arrays()["meta"], rate=8000)), "rate 8000 Hz"),
    ("nan-solo", _nan_solo(), "solo holds NaN or infinite samples"),
    ("inf-accompaniment", with_array("accompaniment", np.full((4096, 2), np.inf, np.float32)),
     "accompaniment holds NaN"),
    ("rate-1", with_meta(rate=1), "rate is 1, not in 8000..768000"),
    ("rate-text", with_meta(rate="44100"), "rate is '44100', not a whole number"),
    ("gain-1e308", with_meta(gain=1e308), "gain is 1e+308, not in 0..2"),
    ("pan-nan", with_meta(pan_deg=math.nan), "pan_deg is NaN"),
    ("meta-missing-key", {k: v if k != "meta" else {"rate": 44100} for k, v in cache_arrays().items()},
     "sections is missing"),
    ("accompaniment-mono", with_array("accompaniment", np.zeros((4096, 1), np.float32)),
     "accompaniment is float32[4096, 1]"),
    ("posterior-shape", with_array("posterior", np.zeros((19, 20))), "posterior is float64[19, 20]"),
    ("posterior-negative", with_array("posterior", -np.ones((19, 21))), "negative"),
    ("active-float", with_array("active", np.ones(5)), "active is float64[5], expected bool"),
    ("section-gain-text", with_meta(sections=[{"start": 0.0, "end": 1.0, "active": True, "pan_deg": 0.0,
                                               "gain": "loud", "confidence": 0.5, "clear": True}] * 2),
     "sections[0].gain is 'loud', not a number"),
    ("sections-count", with_array("section_posteriors", np.zeros((3, 19, 21))), "section_posteriors is"),
    ("truncated", None, "unreadable"),
]


def write_entry(path, arrays: dict) -> None:
    """Write ``arrays`` as :func:`services.cache.save` does (meta as a JSON string, NaN allowed)."""
    kw = {k: v for k, v in arrays.items() if k != "meta"}
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(arrays["meta"])), **kw)
