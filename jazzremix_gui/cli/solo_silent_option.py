"""``--solo-silent SPANS`` of ``separate`` and ``remix``: where the engineer says the solo rests, the solo stem is
silent and the accompaniment is the recording (:mod:`core.signal.solo_rests`)."""

from __future__ import annotations

from jazzremix_gui.cli.common import UsageError
from jazzremix_gui.core.errors import JazzRemixError


def add_solo_silent_option(p) -> None:
    p.add_argument("--solo-silent", metavar="SPANS", default=None,
                   help="where the solo does not play, such as 0:00-0:12,1:40-2:05 (START-END, times as seconds, "
                        "M:SS or H:MM:SS, separated by commas; one INPUT): there the solo stem is silent and the "
                        "accompaniment is the recording, so what the separator gave the solo there (the band's "
                        "bleed) goes back to the accompaniment; measured +0.37 dB of solo a track on unseen "
                        "instruments, none worse (docs/SEPARATOR_V3.md, diagnostic r18)")


def spans_option(args, inputs) -> tuple:
    """The spans ``args.solo_silent`` names (sorted, merged), () when not given; UsageError when malformed or when
    several inputs were given (times belong to one recording)."""
    if args.solo_silent is None:
        return ()
    from jazzremix_gui.core.signal import solo_rests
    try:
        spans = solo_rests.parse_spans(args.solo_silent)
    except ValueError as exc:
        raise UsageError(f"--solo-silent: {exc}") from None
    if len(inputs) > 1:
        raise UsageError(f"--solo-silent names times of one recording, and {len(inputs)} inputs were given: give "
                         "one INPUT file")
    return spans


def spans_within(spans, seconds: float) -> tuple:
    """``spans`` cut to a recording of ``seconds``; JazzRemixError when one starts at or after its end."""
    from jazzremix_gui.core.signal import solo_rests

    kept, refused = solo_rests.within(spans, seconds)
    if refused:
        raise JazzRemixError(f"--solo-silent {solo_rests.format_spans(refused)}: starts after the recording's end "
                             f"({solo_rests.format_time(seconds)})")
    return kept


def describe(spans) -> str:
    """The line said of what was done."""
    from jazzremix_gui.core.signal import solo_rests

    n = len(spans)
    return (f"solo silenced in {n} span{'s' if n > 1 else ''} ({solo_rests.silenced_seconds(spans):.1f} s: "
            f"{solo_rests.format_spans(spans)}): the accompaniment is the recording there")


def spans_json(spans) -> list:
    """``[[start, end], ...]`` in seconds, as done."""
    return [[round(a, 3), round(b, 3)] for a, b in spans]
