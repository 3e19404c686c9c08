"""Which files to read and which to write: folder expansion, the ``--filename`` template, collisions.

Template placeholders (Python ``str.format`` fields):

- ``{name}``: the input's file name without extension (``take1`` for ``take1.flac``);
- ``{stem}``: ``solo``, ``accompaniment`` or ``remix``;
- ``{ext}``: the output format's extension;
- ``{folder}``: the name of the folder the input is in;
- ``{subfolder}``: the input's folder relative to the folder given as input (empty for a
  file given directly), so a batch over a tree can mirror it: ``{subfolder}/{name}.{stem}.{ext}``.

``/`` in a template makes sub-folders of the output folder (created when writing); a
template must name ``{stem}`` and must not leave the output folder. Two inputs that would
write the same file are refused before any work, naming both (:func:`check_collisions`).
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path

from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.files import folders

#: Today's layout (DESIGN.md section 3): ``DIR/<name>.solo.<ext>``.
DEFAULT_TEMPLATE = "{name}.{stem}.{ext}"
#: ``jazzremix batch``'s: the SOURCE folders' sub-folders mirrored in the output folder (``DIR/1954/take.solo.wav``).
BATCH_TEMPLATE = "{subfolder}/{name}.{stem}.{ext}"
PLACEHOLDERS = ("name", "stem", "ext", "folder", "subfolder")
#: File endings taken from folders (everything libsndfile decodes that archives hold); others are skipped.
AUDIO_EXTENSIONS = frozenset({".wav", ".wave", ".bwf", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif",
                              ".aiff", ".aifc", ".w64", ".rf64", ".caf", ".au", ".snd"})


@dataclass(frozen=True)
class InputFile:
    """An input to process: its path, its folder relative to the folder it was found in ('' if given directly), and
    whether it was found in a folder given as input (``found``) rather than named."""

    path: Path
    subfolder: str = ""
    found: bool = False


def _made_by_jazz_remix(path) -> bool:
    """Whether the file's tags say Jazz Remix wrote it (its software tag, or the comment every output carries)."""
    from jazzremix_gui.core.audio import tags

    try:
        found = tags.read_tags(path)
    except Exception:  # unreadable tags: not known to be ours
        return False
    return found.get("software", "").startswith("Jazz Remix") or "made by Jazz Remix" in found.get("comment", "")


def without_earlier_outputs(plans: dict) -> tuple[dict, str]:
    """``plans`` without the inputs found in folders (:attr:`InputFile.found`) that are planned outputs of the
    inputs and that Jazz Remix wrote (their tags say so), and a line saying which ('' when none).

    Where the output folder is an input folder, an earlier run's files are there: they are not inputs (their own
    outputs would be ``a.solo.solo.wav``). A file of that name that Jazz Remix did not write stays an input, so it is
    refused as another input's output even with ``--overwrite``; a file named on the command line is taken at its
    word too. ``plans`` maps each :class:`InputFile` to its ``{kind: Path}``.
    """
    targets = {_identity(path)[0] for paths in plans.values() for path in paths.values()}
    earlier = [item for item in plans if getattr(item, "found", False) and _identity(item.path)[0] in targets
               and _made_by_jazz_remix(item.path)]
    if not earlier:
        return plans, ""
    names = ", ".join(i.path.name for i in earlier[:3]) + (", ..." if len(earlier) > 3 else "")
    line = (f"skipped {len(earlier)} file{'s' * (len(earlier) != 1)} found in the input folders that this command "
            f"writes ({names})")
    return {item: targets for item, targets in plans.items() if item not in earlier}, line


def expand_inputs(paths, skip=None, problems: list | None = None) -> tuple[list[InputFile], list[str]]:
    """Files given as they are, folders replaced by the audio files inside them (recursively, sorted).

    ``skip``: a folder whose contents are never taken (the output folder, when it lies inside an input folder).
    A symbolic link to a folder, given as an input, is not walked (a link to a system folder would take
    everything under it): it is one line in ``problems``; give the folder itself. A path that cannot even be looked at (a folder the user cannot enter on the way) is
    passed on as a file: reading it gives the specific error, for that input alone.

    Parameters
    ----------
    problems : list, optional
        Receives one line per folder that cannot be read and per audio-named entry that is
        not a readable regular file (a dangling link, a FIFO...): inputs that were not
        taken, which a command counts as failed. Without it these lines go to ``notes``.

    Returns
    -------
    inputs : list of InputFile
        In the order given; inside a folder, sorted by relative path (stable across runs and systems).
    notes : list of str
        One line per folder that held files that are not audio (skipped), or no audio at all.
    """
    inputs, notes = [], []
    problems = notes if problems is None else problems
    skip_dir = Path(skip).resolve() if skip is not None else None
    for p in map(Path, paths):
        try:
            is_dir = p.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            inputs.append(InputFile(p))
            continue
        if p.is_symlink():
            problems.append(f"{p}: a link to a folder ({os.readlink(p)}); links are not followed, give the folder "
                            "itself")
            continue
        found, skipped = _walk(p, skip_dir, problems)
        others = f"skipped {skipped} non-audio file{'s' * (skipped != 1)}"
        if not found:
            notes.append(f"{p}: no audio files inside" + (f" ({others})" if skipped else ""))
        elif skipped:
            notes.append(f"{p}: {others}")
        inputs.extend(found)
    return _once_each(inputs, notes), notes


def _once_each(inputs: list, notes: list) -> list:
    """``inputs`` with each file once (by its real path: ``take.wav`` and ``../here/take.wav`` are one file, which
    was refused as two inputs writing the same outputs), the first naming kept; a line in ``notes`` per repeat."""
    seen, kept = {}, []
    for item in inputs:
        real = _identity(item.path)[0]
        if real in seen:
            if str(item.path) != str(seen[real].path):
                notes.append(f"{item.path}: the same file as {seen[real].path}; taken once")
            continue
        seen[real] = item
        kept.append(item)
    return kept


def _walk(top: Path, skip_dir: Path | None, problems: list) -> tuple[list[InputFile], int]:
    """Audio files under ``top`` and how many other files (hidden ones and ``skip_dir`` left out; links to
    folders are not followed, so a link loop cannot trap the walk)."""
    from jazzremix_gui.core.files.oserrors import describe_os_error, input_problem

    def unreadable(exc: OSError) -> None:
        problems.append(describe_os_error(exc, "cannot read this folder", exc.filename))

    found, skipped = [], 0
    for root, dirs, files in os.walk(top, onerror=unreadable, followlinks=False):
        here = Path(root)
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and (skip_dir is None or (here / d).resolve() != skip_dir)]
        for name in files:
            f = here / name
            if name.startswith("."):
                continue
            if f.suffix.lower() not in AUDIO_EXTENSIONS:
                skipped += 1
                continue
            problem = input_problem(f)
            if problem:
                problems.append(f"{f}: {problem}")
            else:
                found.append(InputFile(f, f.parent.relative_to(top).as_posix().strip("."), found=True))
    found.sort(key=lambda item: item.path.relative_to(top).parts)
    return found, skipped


def check_template(template: str) -> str:
    """Raise AudioWriteError for a template with unknown fields, no ``{stem}``, or ``..``; returns it."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise AudioWriteError(f"--filename '{template}': {exc}") from None
    unknown = fields - set(PLACEHOLDERS)
    if unknown:
        raise AudioWriteError(f"--filename '{template}': unknown placeholder {{{sorted(unknown)[0]}}} "
                              f"(use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})")
    if "stem" not in fields:
        raise AudioWriteError(f"--filename '{template}': must contain {{stem}} (the stems would overwrite each other)")
    if ".." in Path(template).parts or template.startswith("/"):
        raise AudioWriteError(f"--filename '{template}': must stay inside the output folder")
    return template


def output_paths(item: InputFile, out_dir, kinds, ext: str, template: str = DEFAULT_TEMPLATE) -> dict:
    """``{kind: Path}`` of the files one input writes."""
    src = Path(item.path)
    out = {}
    for kind in kinds:
        text = check_template(template).format(name=src.stem, stem=kind, ext=ext, folder=src.parent.name,
                                               subfolder=item.subfolder)
        parts = [part for part in text.split("/") if part not in ("", ".")]
        if not parts:
            raise AudioWriteError(f"--filename '{template}': gives an empty name for {src}")
        out[kind] = Path(out_dir).joinpath(*parts)
    return out


def _identity(path) -> tuple[str, tuple[int, int] | None]:
    """The real path of ``path`` (links resolved; a loop or unreadable step: its absolute path) and, when it
    exists, its ``(st_dev, st_ino)``: two names of one file (hard links) share it."""
    try:
        real = os.path.realpath(path)
    except (OSError, RuntimeError, ValueError):
        real = os.path.abspath(path)
    try:
        st = os.stat(path)
        return real, (st.st_dev, st.st_ino)
    except (OSError, ValueError):
        return real, None


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def refusals(plans: dict, inputs=(), out_dir=None) -> dict:
    """The one rule of every command's outputs: no output is an input, another planned output, or outside ``out_dir``.

    Checked before any work. An output "is" a file when its real path (symbolic links
    resolved) is that file's, or when it already exists as a hard link of it (same device
    and inode).

    Parameters
    ----------
    plans : dict
        ``{input_key: {kind: Path}}``: each input's planned outputs, in order.
    inputs : iterable of path
        Every file the command reads (its inputs, a session file...): none may be written.
    out_dir : path, optional
        The folder every output must stay inside (``--out`` of the folder commands).

    Returns
    -------
    dict
        ``{input_key: one line}`` for each refused input (the others may go on); empty when all may go.
    """
    read = {}
    for p in inputs:
        real, ino = _identity(p)
        read[real] = str(p)
        if ino is not None:
            read[ino] = str(p)
    root = _identity(out_dir)[0] if out_dir is not None else None
    written, refused = {}, {}
    for key, targets in plans.items():
        for kind, path in targets.items():
            real, ino = _identity(path)
            hit = read.get(real) or (read.get(ino) if ino is not None else None)
            if hit is not None:
                what = "this input" if hit == str(key) else f"an input of this command ({hit})"
                refused[key] = f"{key}: its {kind} file {path} is {what}: refused, so it is not overwritten"
            elif root is not None and not _inside(real, root):
                refused[key] = f"{key}: its {kind} file {path} would be written outside the output folder {out_dir}"
            elif real in written and written[real] != key:
                refused[key] = f"{written[real]} and {key} would both write {path}; use --filename with " \
                               "{subfolder} or {folder}, or separate runs"
            if key in refused:
                break
        else:
            for path in targets.values():
                written[_identity(path)[0]] = key
    return refused


OVERWRITE_HINT = "pass --overwrite to replace it, or choose another --out or --filename"
#: The same for a command without ``--filename`` (``remix``).
OUT_HINT = "pass --overwrite to replace it, or choose another --out"


def existing(plans: dict, hint: str = OVERWRITE_HINT) -> dict:
    """Inputs one of whose outputs already exists (a file an earlier run made, or the user's own).

    Nothing is written over an existing file unless the user asks (``--overwrite``); checked
    before any work, like :func:`refusals`.

    Parameters
    ----------
    plans : dict
        ``{input_key: {kind: Path}}``.
    hint : str
        What the line suggests (a command without ``--filename`` says so: :data:`OUT_HINT`).

    Returns
    -------
    dict
        ``{input_key: one line}`` naming the first existing output of each such input.
    """
    found = {}
    for key, targets in plans.items():
        for kind, path in targets.items():
            if os.path.lexists(path):
                found[key] = f"{key}: its {kind} file {path} already exists: not overwritten; {hint}"
                break
    return found


def refused_outputs(plans: dict, inputs=(), out_dir=None, overwrite: bool = False, hint: str = OVERWRITE_HINT) -> dict:
    """:func:`refusals`, and (unless ``overwrite``) :func:`existing`: ``{input_key: one line}`` in plan order."""
    hard = refusals(plans, inputs, out_dir)
    found = {} if overwrite else existing({k: t for k, t in plans.items() if k not in hard}, hint)
    return {k: hard.get(k) or found[k] for k in plans if k in hard or k in found}


def check_collisions(plans: dict) -> None:
    """``plans`` maps each input to its ``{kind: Path}``; raise if two write the same file.

    Raises
    ------
    AudioWriteError
        Naming both inputs and the file, before anything is written.
    """
    for line in refusals(plans).values():
        raise AudioWriteError(line)


def check_name_lengths(paths) -> None:
    """Raise AudioWriteError naming an output whose file name the file system cannot hold (before any work)."""
    for p in map(Path, paths):
        folder = p.parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        try:
            limit = os.pathconf(folder, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):
            limit = 255
        size = len(os.fsencode(p.name))
        if size > limit:
            raise AudioWriteError(f"{p.parent}: output name {p.name} is too long ({size} bytes; "
                                  f"the limit here is {limit}): rename the input or use --filename")


def make_folders(paths) -> None:
    """Create the folders the output paths need (templates may hold sub-folders; those created and left empty by a
    failed job go again: :func:`core.files.folders.remove_empty`)."""
    for p in paths:
        try:
            folders.make(Path(p).parent)
        except OSError as exc:
            from jazzremix_gui.core.files.oserrors import describe_os_error

            raise AudioWriteError(describe_os_error(exc, "cannot create output folder", Path(p).parent)) from None

