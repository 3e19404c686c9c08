"""The inputs of a command that takes several files or folders (``separate``, ``remix``, ``suggest``)."""

from __future__ import annotations

from jazzremix_gui.cli.common import error, input_failure, note
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


def run_each(items, one, problems, path_of=lambda item: item.path, raise_single: bool = False) -> tuple[list, int]:
    """``one(item, where)`` for each item in turn; an item that fails is one error line and the others go on.

    Parameters
    ----------
    items : list
        The work, in order; ``path_of(item)`` is its input file.
    one : callable
        Returns the item's JSON entry; ``where`` is ``"file i of n: "`` (empty for one item).
    problems : list of str
        The lines of inputs that failed before (:func:`gather_inputs`, refusals): each counts and gets an entry.
    raise_single : bool
        One item: its failure is raised (the command's own error) instead of counted.

    Returns
    -------
    entries : list of dict
        One per item (``{"input", "error"}`` for a failure), then one per problem.
    failures : int
        Items failed plus ``len(problems)``.
    """
    entries, failures = [], len(problems)
    for i, item in enumerate(items, 1):
        where = f"file {i} of {len(items)}: " if len(items) > 1 else ""
        try:
            entries.append(one(item, where))
        except Exception as exc:  # one input's failure, whatever it is, is one line; the others go on
            if raise_single and len(items) == 1:
                raise
            line = input_failure(path_of(item), exc, where)
            error(line)
            entries.append({"input": str(path_of(item)), "error": line[len(where):]})
            failures += 1
    return entries + [{"input": line.split(": ", 1)[0], "error": line} for line in problems], failures
