"""The inputs of a command that takes several files or folders (``separate``, ``remix``, ``suggest``)."""

from __future__ import annotations

from jazzremix_gui.cli.common import error, note
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.services import naming


def gather_inputs(paths, verb: str, skip=None) -> tuple[list, list[str]]:
    """Files and folders' audio files (:func:`services.naming.expand_inputs`), what could not be taken said.

    Returns
    -------
    inputs : list of InputFile
        Empty only when every path named failed (each said on stderr as an error line).
    problems : list of str
        Those error lines (each counts as a failed input).

    Raises
    ------
    JazzRemixError
        When the paths hold no audio file at all and nothing failed (one line: what the folders held).
    """
    problems: list[str] = []
    inputs, notes = naming.expand_inputs(paths, skip=skip, problems=problems)
    for line in problems:
        error(line)
    if not inputs and not problems:
        raise JazzRemixError("; ".join(notes) or f"no audio files to {verb}")
    for line in notes:
        note(line)
    return inputs, problems
