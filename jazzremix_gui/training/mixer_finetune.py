"""Learning from the engineer: fine-tune the shipped mixer on the user's annotations.

``jazzremix train-mixer --annotations FILE [--annotation-weight W]`` starts from the
shipped mixer's weights (``models/mixer.pt`` beside ``models/mixer.onnx``) and learns from
the mixer features stored with each annotation (:mod:`core.annotations`), each frame
labelled with the engineer's final pan/gain of its section (or of the track). In two steps:

1. *Taste offsets* (:func:`taste_offsets`): the model's two offsets (pan degrees, gain dB,
   added to every prediction) move by the engineer's mean change to the mixer's own
   choice, shrunk towards zero as a Bayesian mean with the shipped mixer as the prior:
   with ``K`` annotations of mean change ``r``, the offsets move ``W K / (W K + 1) r``. One
   annotation moves every suggestion ``W / (W + 1)`` of the way (2/3 with the default
   ``W = 2``), five ``10/11`` of it. A consistent taste ("20 deg left, 3 dB under") is
   exactly such an offset, so it carries to tracks the engineer never touched.
2. *The rest of the weights* (offsets fixed): full-batch steps on the annotations'
   frames, the loss ``W K / (W K + 1)`` towards the engineer's cells and ``1 / (W K + 1)``
   towards the mixer's posterior after step 1 (distillation), so what the engineer did
   beyond an offset (per instrument, per section) is learnt, and what the mixer knew is
   kept where the engineer said nothing.

The result is written to the user's data folder (:func:`core.files.paths.user_mixer_path`) with
its card; the app and the CLI then use it, and ``--revert`` deletes it so the shipped
model is used again. Fine-tuning is a fixed number of full-batch steps on every core: with the shipped
mixer (a mean of four) about 5-7 s of wall time per annotated track on a 2-core machine (docs/MIXER.md).
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import annotations as ann_io
from jazzremix_gui.core.files import folders, model_files, paths
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.training import cards, checkpoint, mixer_model, mixer_policy
from jazzremix_gui.training.export import write_card
from jazzremix_gui.training.mixer_eval import cell_figures, export, save_weights
from jazzremix_gui.training.train_mixer import MixerConfig, build_model, soft_targets

#: Default weight of one annotation against the shipped mixer's prior.
ANNOTATION_WEIGHT = 2.0
#: Full-batch steps and learning rate of step 2 (the weights other than the taste offsets).
STEPS, LR_OTHER = 300, 1e-4
#: Gains under this floor count as this floor when a change is measured in dB (-26 dB).
GAIN_FLOOR = 0.05


class TrainMixerError(JazzRemixError):
    """Fine-tuning cannot start (no annotations, no usable base model)."""


def load_base(base_onnx) -> tuple[torch.nn.Module, MixerConfig]:
    """The torch model behind a shipped mixer: weights from ``<base>.pt`` beside the ONNX file."""
    weights = Path(base_onnx).with_suffix(".pt")
    if not weights.is_file():
        raise TrainMixerError(f"{weights}: the mixer's weights are missing (needed to fine-tune {base_onnx})")
    try:
        state = checkpoint.load_state(weights)
        cfg = MixerConfig(**{k: v for k, v in state["config"].items() if k in MixerConfig.__dataclass_fields__})
        model = build_model(cfg)
        model.load_state_dict(state["model"])
    except Exception as exc:  # corrupt or foreign file (e.g. a mixer of the old input kind)
        raise TrainMixerError(f"{weights}: not weights of this version's mixer ({type(exc).__name__})") from None
    return model.eval(), cfg


def annotation_frames(items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(features (N, 100), cells (N,), annotation index (N,))`` from :class:`core.annotations.Annotation` objects."""
    feats, cells, owner = [], [], []
    for k, a in enumerate(items):
        secs, x = ann_io.decode_frames(a.features)
        for sec_index, row in zip(secs, x):
            sec = a.sections[sec_index] if 0 <= sec_index < len(a.sections) else None
            pan, gain = (sec["pan_deg"], sec["gain"]) if sec else (a.pan_deg, a.gain)
            feats.append(row)
            cells.append(codebook.pan_gain_to_cell(pan, gain))
            owner.append(k)
    if not feats:
        return np.zeros((0, 100), np.float32), np.zeros(0, int), np.zeros(0, int)
    return np.stack(feats).astype(np.float32), np.array(cells), np.array(owner)


def taste_offsets(model, x: np.ndarray, cells: np.ndarray, owner: np.ndarray,
                  annotation_weight: float) -> tuple[float, float]:
    """Step 1: the shrunk mean change ``(pan degrees, gain dB)`` from the mixer's choices to the engineer's.

    Each annotation's frames are grouped by the engineer's cell (its sections); the mixer's
    choice for a group is decoded as the app decodes a section (posteriors summed over its
    frames, argmax). An annotation's change is the frame-weighted mean of its groups'
    changes; ``K`` annotations with changes ``r_k`` give ``W sum(r_k) / (W K + 1)``.

    Parameters
    ----------
    x : np.ndarray [shape=(N, 100)]
        Annotation frames (:func:`annotation_frames`).
    cells, owner : np.ndarray [shape=(N,)]
        The engineer's cell and the annotation index of each frame.
    """
    with torch.no_grad():
        post = model(torch.from_numpy(x)).numpy()
    changes = []
    for k in np.unique(owner):
        dp, dg, n = 0.0, 0.0, 0
        for c in np.unique(cells[owner == k]):
            sel = (owner == k) & (cells == c)
            mine = int(post[sel].sum(axis=0).argmax())
            p0, g0 = codebook.cell_to_pan_gain(mine)
            p1, g1 = codebook.cell_to_pan_gain(int(c))
            m = int(sel.sum())
            dp += m * (p1 - p0)
            dg += m * 20 * np.log10(max(g1, GAIN_FLOOR) / max(g0, GAIN_FLOOR))
            n += m
        changes.append((dp / n, dg / n))
    r = np.asarray(changes).sum(axis=0)
    shrink = annotation_weight / (annotation_weight * len(changes) + 1.0)
    return float(r[0] * shrink), float(r[1] * shrink)


def finetune(annotations_file, base_onnx=None, out=None, minutes: float | None = None, seed: int = 0,
             annotation_weight: float = ANNOTATION_WEIGHT, steps: int = STEPS, threads: int | None = None,
             progress=None) -> dict:
    """Fine-tune the mixer on annotations and write the user model and its card.

    Parameters
    ----------
    annotations_file : str or Path
        JSONL written by :func:`core.annotations.record_annotation`.
    base_onnx : str or Path, optional
        The mixer to start from (default: the shipped ``models/mixer.onnx``).
    out : str or Path, optional
        The user model (default :func:`core.files.paths.user_mixer_path`).
    minutes : float, optional
        Wall-time limit of step 2 (default: none, all ``steps`` run, so the result is the same on any machine);
        where it stops the steps early the card's ``training.stopped_by_time_limit`` says so.
    annotation_weight : float
        Weight ``W`` of one annotation against the shipped mixer's prior (module docstring).
    steps : int
        Full-batch optimisation steps.
    threads : int, optional
        torch's threads (default PyTorch's: one per core, or ``OMP_NUM_THREADS``; the steps are large element-wise
        products).
    progress : callable, optional
        ``progress(fraction in [0, 1], message)``, called as the steps go.

    Returns
    -------
    dict
        The user model's card.
    """
    t0 = time.process_time()
    torch.set_num_threads(threads or torch.get_num_threads())  # PyTorch's default: a thread per core (OMP_NUM_THREADS)
    torch.manual_seed(seed)
    annotations_file = Path(annotations_file)
    if not annotations_file.is_file():
        raise TrainMixerError(f"{annotations_file}: " + ("not a regular file" if annotations_file.exists() else
                                                         "annotation file not found"))
    if not annotation_weight > 0:
        raise TrainMixerError(f"--annotation-weight must be positive, got {annotation_weight}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ann_io.AnnotationWarning)
        items = ann_io.read_annotations(annotations_file)
        x, cells, owner = annotation_frames(items)
    skipped = [str(w.message) for w in caught if issubclass(w.category, ann_io.AnnotationWarning)]
    for msg in skipped:  # re-emitted for the caller (the CLI prints them as warning lines)
        warnings.warn(msg, ann_io.AnnotationWarning, stacklevel=2)
    used = len(set(owner.tolist()))
    if used == 0:
        raise TrainMixerError(f"{annotations_file}: no usable annotations with features "
                              f"({len(items)} valid lines, {len(skipped)} skipped)")
    base_onnx = Path(base_onnx or paths.shipped_model("mixer"))
    out = Path(out or paths.user_mixer_path())
    problem = model_files.write_problem(out, "mixer", [annotations_file, base_onnx], protected=[paths.models_dir()])
    if problem:
        raise TrainMixerError(problem)
    model, cfg = load_base(base_onnx)
    try:  # before the steps: a folder that cannot be made or written is said now, not after the work
        folders.make(out.parent)
        with tempfile.TemporaryFile(dir=out.parent):
            pass
    except OSError as exc:
        raise TrainMixerError(describe_os_error(exc, "cannot write the mixer", out)) from None
    xt = torch.from_numpy(x)
    with torch.no_grad():
        before = model(xt).numpy()
    moved = taste_offsets(model, x, cells, owner, annotation_weight)
    with torch.no_grad():
        model.taste += torch.tensor(moved, dtype=model.taste.dtype)
        prior = model(xt)  # the shipped mixer's knowledge, moved by the taste offsets
    # every annotation counts the same whatever its number of frames
    w_frame = torch.from_numpy((1.0 / np.bincount(owner)[owner]).astype(np.float32))
    share = annotation_weight * used / (annotation_weight * used + 1.0)
    target = torch.from_numpy(soft_targets(cells, cfg.label_blur))
    model.taste.requires_grad_(False)
    other = [p for n, p in model.named_parameters() if n != "taste"]
    opt = torch.optim.Adam(other, lr=LR_OTHER)
    model.eval()  # no dropout: a deterministic fit of a handful of frames
    losses, step, t_start, stopped = [], 0, time.time(), False
    for step in range(1, steps + 1):
        logp = torch.log_softmax(model.logits(xt), dim=-1)
        ce_user = -(target * logp).sum(dim=-1)
        ce_prior = -(prior * logp).sum(dim=-1)
        loss = ((share * ce_user + (1 - share) * ce_prior) * w_frame).sum() / w_frame.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if progress is not None and step % 10 == 0:
            progress(step / steps, f"step {step} of {steps}")
        if minutes is not None and step < steps and time.time() - t_start > minutes * 60:
            stopped = True
            break
    model.taste.requires_grad_(True)
    with torch.no_grad():
        after = model(xt).numpy()
    base_meta = ModelSession(base_onnx, "mixer", prefer_gpu=False).meta if base_onnx.is_file() else None
    base_version = base_meta.version if base_meta is not None else str(cfg.version or
                                                                       mixer_policy.model_version(cfg.arch, cfg.members))
    version = f"{base_version}+user-{used}ann-{time.strftime('%Y%m%d%H%M')}"
    props = export(model, out, version, *((base_meta.paired_separator, base_meta.accompaniment_from)
                                          if base_meta is not None else ("",)))
    save_weights(model, out, {**asdict(cfg), "version": version})
    fig = {"before": cell_figures(before.argmax(axis=1), cells), "after": cell_figures(after.argmax(axis=1), cells)}
    card = cards.card_head(out, props, model.architecture, mixer_model.parameter_count(model))
    card["fine_tuned_from"] = {"model": str(base_onnx), "version": base_version}
    card["training"] = cards.training_section(
        f"jazzremix train-mixer --annotations {annotations_file} --annotation-weight {annotation_weight:g}",
        step, time.process_time() - t0, round(float(np.mean(losses[-10:])), 4) if losses else None,
        annotations=str(annotations_file), annotations_used=used, annotation_lines_skipped=len(skipped),
        annotation_frames=int(len(cells)), annotation_weight=annotation_weight, annotation_share=round(share, 4),
        steps_asked=steps, stopped_by_time_limit=stopped, threads=torch.get_num_threads(),
        taste_offsets={"pan_deg": round(float(model.taste[0].detach()), 3),
                       "gain_db": round(float(model.taste[1].detach()), 3)},
        taste_offsets_moved={"pan_deg": round(moved[0], 3), "gain_db": round(moved[1], 3)},
        cpu_time_s=round(time.process_time() - t0, 2))
    card["annotation_fit"] = fig
    card = write_card(out, card)
    logging.getLogger(__name__).info("user mixer written: %s", json.dumps(  # the log file; the CLI says it in words
        {"model_path": str(out), "version": version, **fig}))
    return card


def revert(out=None) -> list[Path]:
    """Delete the user's fine-tuned mixer (see :func:`core.files.paths.remove_user_mixer`); a file given that is not
    one raises :class:`TrainMixerError` and stays."""
    try:
        return paths.remove_user_mixer(out)
    except ValueError as exc:
        raise TrainMixerError(str(exc)) from None
