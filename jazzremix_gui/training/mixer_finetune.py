"""Learning from the engineer: fine-tune the shipped mixer on the user's annotations.

``jazzremix train-mixer --annotations FILE`` starts from the shipped mixer's weights
(``models/mixer.pt`` beside ``models/mixer.onnx``) and trains on batches that mix policy
data (``--train DIR``, when available, so the model keeps what it knew) with clips of the
annotations, whose loss is weighted up. Each annotation clip is labelled with the
engineer's final pan/gain of its section (or of the track). The result is written to the
user's data folder (:func:`core.paths.user_mixer_path`) with its card; the app and the CLI
then use it, and ``--revert`` deletes it so the shipped model is used again.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import annotations as ann_io
from jazzremix_gui.core import codebook, paths
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.training import cards, mixer_model
from jazzremix_gui.training.export import write_card
from jazzremix_gui.training.mixer_eval import cell_figures, export, save_weights
from jazzremix_gui.training.runlog import log
from jazzremix_gui.training.train_mixer import HOP, MixerConfig, MixerSampler, build_model, fit, load_tracks


class TrainMixerError(JazzRemixError):
    """Fine-tuning cannot start (no annotations, no usable base model)."""


def load_base(base_onnx) -> tuple[torch.nn.Module, MixerConfig]:
    """The torch model behind a shipped mixer: weights from ``<base>.pt`` beside the ONNX file."""
    weights = Path(base_onnx).with_suffix(".pt")
    if not weights.is_file():
        raise TrainMixerError(f"{weights}: the mixer's weights are missing (needed to fine-tune {base_onnx})")
    try:
        state = torch.load(weights, weights_only=False, map_location="cpu")
        cfg = MixerConfig(**{k: v for k, v in state["config"].items() if k in MixerConfig.__dataclass_fields__})
        model = build_model(cfg)
        model.load_state_dict(state["model"])
    except Exception as exc:  # corrupt or foreign file
        raise TrainMixerError(f"{weights}: not mixer weights ({type(exc).__name__})") from None
    return model.eval(), cfg


def annotation_clips(items) -> tuple[list[np.ndarray], list[int]]:
    """Feature clips ``(L, 2, 2049)`` and their label cells from :class:`core.annotations.Annotation` objects."""
    clips, cells = [], []
    for a in items:
        features = a.features if a.features.get("clips") else _features_from_input(a)
        if features and int(features.get("hop", HOP)) != HOP:
            warnings.warn(f"annotation line {a.line}: features at hop {features['hop']}, the mixer reads hop {HOP}; "
                          "skipped", ann_io.AnnotationWarning, stacklevel=2)
            continue
        for sec_index, clip in ann_io.decode_clips(features):
            sec = a.sections[sec_index] if 0 <= sec_index < len(a.sections) else None
            pan, gain = (sec["pan_deg"], sec["gain"]) if sec else (a.pan_deg, a.gain)
            clips.append(clip)
            cells.append(codebook.pan_gain_to_cell(pan, gain))
    return clips, cells


def _features_from_input(a) -> dict:
    """Features of an annotation stored without them: separate its input again if it is still there, unchanged."""
    path = Path(a.input_path)
    try:
        if not path.is_file() or ann_io.file_sha256(path) != a.input_sha256:
            raise TrainMixerError(f"{path}: no stored features and the file is missing or changed")
        from jazzremix_gui.core import audio_io, pipeline

        audio, rate = audio_io.read_audio(path)
        stems = pipeline.separate(audio, rate)
        sections = a.sections or [{"start": 0.0, "end": len(stems) / rate, "pan_deg": a.pan_deg, "gain": a.gain}]
        return ann_io.annotation_features(stems.solo, stems.accompaniment, rate, sections, HOP)
    except JazzRemixError as exc:
        warnings.warn(f"annotation line {a.line} skipped ({exc})", ann_io.AnnotationWarning, stacklevel=2)
        return {}


class ClipSampler:
    """Random annotation clips with a random overall level; ``batch(n)`` like :class:`MixerSampler`."""

    def __init__(self, clips, cells, seed: int, level_db=(-6.0, 6.0)):
        self.clips, self.cells, self.level_db = clips, np.asarray(cells), level_db
        self.length = min(c.shape[0] for c in clips)
        self.rng = np.random.default_rng(seed + 1)

    def batch(self, n: int):
        idx = self.rng.integers(0, len(self.clips), n)
        scale = 10 ** (self.rng.uniform(*self.level_db, size=(n, 1, 1, 1)) / 20)
        feats = np.stack([self.clips[i][: self.length] for i in idx]).astype(np.float32) * scale
        return feats.astype(np.float32), self.cells[idx], np.ones((n, self.length), np.float32)


def finetune(annotations_file, base_onnx=None, train_dir=None, out=None, minutes: float = 3.0, seed: int = 0,
             max_steps: int = 0, annotation_weight: float = 3.0, lr: float = 3e-4, checkpoint_dir=None,
             threads: int = 1) -> dict:
    """Fine-tune the mixer on annotations (plus policy data) and write the user model and its card.

    Parameters
    ----------
    annotations_file : str or Path
        JSONL written by :func:`core.annotations.record_annotation`.
    base_onnx : str or Path, optional
        The mixer to start from (default: the shipped ``models/mixer.onnx``).
    train_dir : str or Path, optional
        Policy dataset mixed into every batch (skipped when missing).
    out : str or Path, optional
        The user model (default :func:`core.paths.user_mixer_path`).
    minutes, max_steps : float, int
        Time budget and optional step limit.
    annotation_weight : float
        Weight of the annotation batch's loss relative to the policy batch's.

    Returns
    -------
    dict
        The user model's card.
    """
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    annotations_file = Path(annotations_file)
    if not annotations_file.is_file():
        raise TrainMixerError(f"{annotations_file}: annotation file not found")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ann_io.AnnotationWarning)
        items = ann_io.read_annotations(annotations_file)
        clips, cells = annotation_clips(items)
    skipped = [str(w.message) for w in caught if issubclass(w.category, ann_io.AnnotationWarning)]
    for msg in skipped:  # re-emitted for the caller (the CLI prints them as warning lines)
        warnings.warn(msg, ann_io.AnnotationWarning, stacklevel=2)
    if not clips:
        raise TrainMixerError(f"{annotations_file}: no usable annotations with features "
                              f"({len(items)} valid lines, {len(skipped)} skipped)")
    base_onnx = Path(base_onnx or paths.shipped_model("mixer"))
    model, cfg = load_base(base_onnx)
    out = Path(out or paths.user_mixer_path())
    out.parent.mkdir(parents=True, exist_ok=True)
    ckdir = Path(checkpoint_dir or out.parent / "mixer-finetune")
    for stale in ckdir.glob("last*.pt"):  # every fine-tune starts again from the shipped weights
        stale.unlink()
    ckdir.mkdir(parents=True, exist_ok=True)
    log_path = ckdir / "log.jsonl"
    clip_sampler = ClipSampler(clips, cells, seed)
    policy = None
    if train_dir and Path(train_dir).is_dir():
        policy = load_tracks(train_dir, ckdir / "cache", cfg.seed, log_path)
    sub = MixerConfig(**{**asdict(cfg), "lr": lr, "seed": seed, "max_steps": max_steps, "checkpoint_every_s": 60.0,
                         "batch": max(4, cfg.batch // 2), "checkpoint_dir": str(ckdir)})
    model.train()
    with torch.no_grad():
        before = model(torch.from_numpy(np.stack(clips).astype(np.float32))).numpy()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    if policy:
        sampler = MixerSampler(policy, cfg.frames, seed, cfg.level_db)

        def extra():
            return (*clip_sampler.batch(sub.batch), annotation_weight)
    else:
        sampler, extra = clip_sampler, None
    steps, elapsed, losses = fit(model, opt, sampler, sub, ckdir, minutes * 60, log_path, extra, tag="-finetune")
    with torch.no_grad():
        after = model(torch.from_numpy(np.stack(clips).astype(np.float32))).numpy()
    base_version = ModelSession(base_onnx, "mixer", prefer_gpu=False).meta.version if base_onnx.is_file() \
        else str(cfg.version or f"mix-{cfg.arch}-1.0")
    version = f"{base_version}+user-{len(items)}ann-{time.strftime('%Y%m%d%H%M')}"
    props = export(model, out, version)
    save_weights(model, out, {**asdict(cfg), "version": version})
    fig = {"before": _clip_figures(before, cells), "after": _clip_figures(after, cells)}
    card = cards.card_head(out, props, model.architecture, mixer_model.parameter_count(model))
    card["fine_tuned_from"] = {"model": str(base_onnx), "version": base_version}
    card["training"] = cards.training_section(
        f"jazzremix train-mixer --annotations {annotations_file}" + (f" --train {train_dir}" if policy else ""),
        steps, elapsed, round(float(np.mean(losses[-50:])), 4) if losses else None, sub,
        annotations=str(annotations_file), annotations_used=len(items), annotation_lines_skipped=len(skipped),
        annotation_clips=len(clips), policy_tracks=len(policy or []), annotation_weight=annotation_weight)
    card["annotation_fit"] = fig
    card = write_card(out, card)
    log(log_path, msg="user mixer written", model_path=str(out), version=version, **fig)
    return card


def _clip_figures(post: np.ndarray, cells) -> dict:
    """Frame figures of posteriors ``(N, L, 399)`` against each clip's cell."""
    pred = post.argmax(axis=-1).reshape(-1)
    lab = np.repeat(np.asarray(cells), post.shape[1])
    return cell_figures(pred, lab)


def revert(out=None) -> list[Path]:
    """Delete the user's fine-tuned mixer (see :func:`core.paths.remove_user_mixer`)."""
    return paths.remove_user_mixer(out)
