"""Where the solo rests: spans the engineer marks as accompaniment only (docs/SEPARATOR_V3.md, diagnostic r18).

A separator gives the solo stem a little of the band wherever the solo does not play (a comping part's phrase, a
horn section's chord, the drums' cymbals). An engineer hears where the solo rests (a piano chorus, the breaths
between phrases) and can say so. In such a span the solo stem is silenced and the accompaniment *is* the recording:

    solo' = k(t) solo,    acc' = k(t) acc + (1 - k(t)) x

with ``x`` the recording (stereo), ``k(t)`` 1 outside the spans and 0 inside, crossing each edge in a linear
ramp of :data:`FADE_S` (centred on it). The stems then add up in the spans to exactly the recording, and elsewhere to
what they added up to. On 144 validation tracks whose rests were marked as an engineer could (gaps between the
solo's phrases of at least half a second) the solo gained +0.37 dB SDR a track (SE 0.06), and no track lost.

Times are in seconds; text spans read ``START-END`` with times as ``SS.s``, ``M:SS.s`` or ``H:MM:SS.s``, several
separated by commas (``0:00-0:12.5,1:40-2:05``).
"""

from __future__ import annotations

import math
import re

import numpy as np

#: Length of the ramp across each edge of a span, in seconds.
FADE_S = 0.01

_TIME = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?|\.\d+)$")


def parse_time(text: str) -> float:
    """Seconds of ``SS.s``, ``M:SS.s`` or ``H:MM:SS.s``; ValueError when malformed (minutes and seconds after a
    colon are below 60)."""
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"{text.strip()!r} is not a time: write seconds (75.5), M:SS (1:15.5) or H:MM:SS")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    if (m.group(2) is not None and seconds >= 60) or (m.group(1) is not None and minutes >= 60):
        raise ValueError(f"{text.strip()!r}: minutes and seconds after a colon are below 60")
    return hours * 3600 + minutes * 60 + seconds


def format_time(seconds: float) -> str:
    """``M:SS.ss`` (``H:MM:SS.ss`` from an hour), the form :func:`parse_time` reads."""
    hours, rest = divmod(round(float(seconds), 2), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(minutes)}:{secs:05.2f}"
    return f"{int(hours)}:{int(minutes):02d}:{secs:05.2f}" if hours else text


def parse_spans(text: str) -> tuple[tuple[float, float], ...]:
    """Spans ``((start, end), ...)`` in seconds, sorted and merged, of ``"A-B,C-D"``; ValueError when malformed
    (a span that ends before it starts included)."""
    spans = []
    for item in str(text).split(","):
        if not item.strip():
            continue
        start, sep, end = item.strip().partition("-")
        if not sep:
            raise ValueError(f"{item.strip()!r} is not a span: write START-END, such as 1:40-2:05")
        a, b = parse_time(start), parse_time(end)
        if b <= a:
            raise ValueError(f"{item.strip()!r} ends before it starts")
        spans.append((a, b))
    if not spans:
        raise ValueError("no span given: write START-END, such as 1:40-2:05 (several separated by commas)")
    return merge(spans)


def merge(spans) -> tuple[tuple[float, float], ...]:
    """``spans`` sorted, those that overlap or touch (closer than :data:`FADE_S`) joined."""
    out: list[list[float]] = []
    for a, b in sorted((float(a), float(b)) for a, b in spans):
        if out and a <= out[-1][1] + FADE_S:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


def added(spans, start: float, end: float) -> tuple[tuple[float, float], ...]:
    """``spans`` with ``start``..``end`` silenced too."""
    return merge([*spans, (start, end)]) if end > start else tuple(spans)


def removed(spans, start: float, end: float) -> tuple[tuple[float, float], ...]:
    """``spans`` with ``start``..``end`` taken out of them (the solo plays there again)."""
    out = []
    for a, b in spans:
        if b <= start or a >= end:
            out.append((a, b))
            continue
        if a < start:
            out.append((a, start))
        if b > end:
            out.append((end, b))
    return tuple(s for s in out if s[1] - s[0] > FADE_S)


def format_spans(spans) -> str:
    """The text :func:`parse_spans` reads back (to the hundredth of a second)."""
    return ",".join(f"{format_time(a)}-{format_time(b)}" for a, b in spans)


def within(spans, seconds: float) -> tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]:
    """``(kept, refused)``: the spans cut to a recording of ``seconds`` (an end past it is cut there), and those
    that start at or after its end."""
    kept = tuple((a, min(b, seconds)) for a, b in spans if a < seconds)
    return kept, tuple(s for s in spans if s[0] >= seconds)


def silenced_seconds(spans) -> float:
    """Seconds the spans cover."""
    return float(sum(b - a for a, b in spans))


def keep_curve(spans, start: int, n: int, rate: int) -> np.ndarray:
    """``k(t)`` (module docstring) for ``n`` samples from sample ``start`` at ``rate`` Hz.

    Returns
    -------
    np.ndarray [shape=(n,), dtype=float32]
        1 outside the spans, 0 inside, linear ramps of :data:`FADE_S` centred on each edge.
    """
    keep = np.ones(n, np.float32)
    half = FADE_S * rate / 2
    t = None
    for a, b in spans:
        lo, hi = a * rate - half, b * rate + half  # where the span's ramps begin and end, in samples
        if hi <= start or lo >= start + n:
            continue
        if t is None:
            t = np.arange(start, start + n, dtype=np.float64)
        i, j = max(0, math.floor(lo) - start), min(n, math.ceil(hi) - start + 1)
        seg = t[i:j]
        inside = np.clip(np.minimum(seg - lo, hi - seg) / (2 * half), 0.0, 1.0) if half > 0 else \
            ((seg >= a * rate) & (seg < b * rate)).astype(np.float64)
        keep[i:j] = np.minimum(keep[i:j], 1.0 - inside)
    return keep


def silence_block(solo: np.ndarray, acc: np.ndarray, recording: np.ndarray, keep: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """One block's stems with the solo silenced where ``keep`` is 0 (module docstring).

    Parameters
    ----------
    solo : np.ndarray [shape=(m,)]
    acc, recording : np.ndarray [shape=(m, 2)]
        The accompaniment and the recording over the same samples.
    keep : np.ndarray [shape=(m,)]
        :func:`keep_curve` over them.

    Returns
    -------
    solo, acc : np.ndarray [shape=(m,) and (m, 2), dtype=float32]
        New arrays (the inputs themselves where ``keep`` is 1 throughout); the inputs are not changed.
    """
    if keep.min() >= 1.0:
        return solo, acc
    k = keep.astype(np.float32)
    rest, recording = 1.0 - k, recording.astype(np.float32)
    out_acc = np.empty(acc.shape, np.float32)  # a channel at a time: broadcasting over rows of two is 7x slower
    for c in range(acc.shape[1]):
        out_acc[:, c] = acc[:, c] * k + recording[:, c] * rest
    return (solo * k).astype(np.float32), out_acc


def silence(solo: np.ndarray, acc: np.ndarray, recording: np.ndarray, spans, start: int, rate: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`silence_block` of the samples from ``start`` (at ``rate`` Hz) with the ``spans`` (seconds) silenced:
    the whole edit for one block, whatever reads the stems (the writers, the player's feeder, the evaluation)."""
    return silence_block(solo, acc, recording, keep_curve(spans, start, solo.shape[0], rate))
