"""What a trainer may write or remove: a model file (``.onnx``), its card (``.json``) and weights (``.pt``) beside it.

``train-separator --out`` and ``train-mixer --out`` once wrote over whatever the name held (the annotations file,
the base model, a training WAV), and ``train-mixer --revert --out FILE`` deleted any file with the two files of its
stem. A trainer now writes only an ``.onnx`` name that is none of its inputs, replacing files there only when they
are a Jazz Remix model of the same kind (its card says so); ``--revert`` removes only a fine-tuned mixer.
"""

from __future__ import annotations

import json
from pathlib import Path

def files_of(path) -> list[Path]:
    """The model ``path`` (an ``.onnx`` name, in any case) and its card and weights beside it."""
    path = Path(path)
    return [path, path.with_suffix(".json"), path.with_suffix(".pt")]


def read_card(card) -> dict | None:
    """The card in the file ``card`` (a dict), or None when there is none or it is not one."""
    try:
        data = json.loads(Path(card).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def card_of(path) -> dict | None:
    """The card beside the model ``path`` (:func:`read_card` of its ``.json``)."""
    return read_card(Path(path).with_suffix(".json"))


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def write_problem(out, kind: str, inputs=(), protected=()) -> str | None:
    """Why a trainer must not write its ``kind`` model (``"separator"``, ``"mixer"``) to ``out``; None: it may.

    Refused: a name that is not ``.onnx``; a name in one of the ``protected`` folders (the shipped models, for a
    fine-tuning); a name whose model, card or weights is one of ``inputs`` (files or the files of models read);
    existing files there that are not a Jazz Remix ``kind`` model with its card.
    """
    out = Path(out)
    if out.suffix.lower() != ".onnx":
        return f"{out}: a {kind} is written to an .onnx file (its card and weights go beside it); give such a name"
    for folder in protected:
        if within(out, folder):
            return f"{out}: {folder} holds the shipped models, which this command never replaces; give another --out"
    ours = files_of(out)
    for given in inputs:
        given = Path(given)
        for theirs in files_of(given) if given.suffix.lower() == ".onnx" else [given]:
            hit = next((p for p in ours if p == theirs or _same(p, theirs)), None)
            if hit is not None:
                return f"{out}: it would write {hit}, which this command reads; give another --out"
    if any(p.exists() for p in ours):
        card = card_of(out)
        if card is None or card.get("kind") != kind:
            there = ", ".join(str(p) for p in ours if p.exists())
            return f"{out}: {there} exists and is not a Jazz Remix {kind} with its card; nothing is replaced"
    return None


def within(path, folder) -> bool:
    """True when ``path`` lies in ``folder`` (links resolved)."""
    try:
        return Path(path).resolve().parent.is_relative_to(Path(folder).resolve())
    except OSError:
        return False


def is_fine_tuned_mixer(path) -> bool:
    """A mixer written by ``train-mixer --annotations`` (its card says what it was fine-tuned from)."""
    card = card_of(path)
    return Path(path).suffix.lower() == ".onnx" and card is not None and card.get("kind") == "mixer" \
        and "fine_tuned_from" in card
