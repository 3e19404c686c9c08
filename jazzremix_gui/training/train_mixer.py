"""Training recipe of the mixer: policy labels, seeded, resumable, time-budgeted, with card.

``jazzremix train-mixer --train DIR --val DIR --out models/mixer.onnx --minutes M --seed K``
trains the shipped mixer (``compact`` architecture) and, as the card's baseline, the
seed-style mixer (2 highway layers + softmax on the raw solo magnitude). Data: every
track of a DESIGN.md §3 dataset gives per-frame features (solo mid magnitude,
accompaniment mid magnitude; hop 1024, the core's STFT), the frames where the solo
plays (the same activity rule as the app's decoding) and one policy label
(:mod:`training.mixer_policy`). The loss is the cross-entropy between the per-frame
softmax and the label cell (softened by a small 2-D Gaussian over neighbouring cells),
over active frames only, on random windows of consecutive frames with a random overall
level (the label does not depend on the recording's level). Fine-tuning on the user's
annotations lives in :mod:`training.mixer_finetune`; figures in :mod:`training.mixer_eval`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import codebook, features
from jazzremix_gui.core.atomic import atomic_path
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.suggestion import activity
from jazzremix_gui.training import checkpoint, mixer_eval, mixer_model, mixer_policy
from jazzremix_gui.training.config import TrainConfig
from jazzremix_gui.training.runlog import log

HOP = 1024


@dataclass
class MixerConfig(TrainConfig):
    """The mixer recipe's settings (:class:`TrainConfig` plus the fields below)."""

    arch: str = "compact"
    out: str = "models/mixer.onnx"
    checkpoint_dir: str = "checkpoints/mixer"
    minutes: float = 8.0
    frames: int = 96
    lr: float = 2e-3
    checkpoint_every_s: float = 30.0
    width: int = 160
    baseline_minutes: float = 5.0
    label_blur: float = 0.5  # share of the target spread over neighbouring cells (the listeners' spread)
    weight_decay: float = 0.05
    holdout: float = 0.1  # share of the training tracks held out to pick the best checkpoint
    level_db: tuple = (-15.0, 10.0)  # random overall level (both stems) per window
    bottleneck: int = 96
    model_kwargs: dict = field(default_factory=lambda: {"context": 43})  # compact: +-1 s


@dataclass
class TrackData:
    """One track's mixer training data.

    feats : np.ndarray [shape=(T, 2, 2049), dtype=float16]
        Solo mid magnitude and accompaniment mid magnitude per frame.
    active : np.ndarray [shape=(T,), dtype=bool]
        Frames where the solo plays.
    cell : int
        Label cell (same for every frame); ``label`` holds the full policy label.
    """

    name: str
    feats: np.ndarray
    active: np.ndarray
    cell: int
    label: dict


def track_features(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(feats (T, 2, 2049) float16, active (T,) bool)`` of a dataset track, from ground-truth stems."""
    from jazzremix_gui.core import audio_io

    solo, _ = audio_io.read_audio(folder / "solo.wav")
    acc, _ = audio_io.read_audio(folder / "accompaniment.wav")
    feats, s = features.mixer_features(solo, acc, HOP, "solo_acc_magnitude")
    return feats.astype(np.float16), activity(s)


def load_tracks(dataset, cache_dir, seed: int = 0, log_path: Path | None = None) -> list[TrackData]:
    """Features, activity and policy labels of every track of a dataset, cached (never writes into ``dataset``).

    ``dataset`` may list several folders separated by commas; the k-th is labelled with ``seed + 1000 k``.
    """
    if "," in str(dataset):
        return [t for k, d in enumerate(str(dataset).split(",")) if d
                for t in load_tracks(d, cache_dir, seed + 1000 * k, log_path)]
    folders = list_tracks(dataset)
    h = hashlib.sha256(f"{mixer_policy.POLICY_VERSION}:{seed}:{HOP}:{Path(dataset).resolve()}".encode())
    for t in folders:
        st = (t / "solo.wav").stat()
        h.update(f"{t.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    cache = Path(cache_dir) / f"mixer-data-{h.hexdigest()[:16]}.npz"
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        labels = json.loads(str(data["labels"]))
        return [TrackData(f.name, data[f"{i}_f"], data[f"{i}_a"], labels[i]["cell"], labels[i])
                for i, f in enumerate(folders)]
    out = []
    for i, f in enumerate(folders):
        feats, act = track_features(f)
        label = mixer_policy.label_track(f, seed).to_json()
        out.append(TrackData(f.name, feats, act, label["cell"], label))
        if (i + 1) % 20 == 0:
            log(log_path, msg=f"mixer data: {i + 1}/{len(folders)} tracks of {dataset}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"labels": np.array(json.dumps([t.label for t in out]))}
    for i, t in enumerate(out):
        arrays.update({f"{i}_f": t.feats, f"{i}_a": t.active})
    with atomic_path(cache, ".npz") as tmp:
        np.savez(tmp, **arrays)
    return out


def soft_targets(cells: np.ndarray, blur: float) -> np.ndarray:
    """Target distributions ``(N, 399)``: ``1 - blur`` on the cell, ``blur`` on a 2-D Gaussian around it.

    The Gaussian has 1.2 pan cells (6 degrees, the policy's listener spread) and 1 gain cell.
    """
    p, g = codebook.cell_classes(np.asarray(cells))
    pi, gi = np.meshgrid(np.arange(codebook.N_PANS), np.arange(codebook.N_GAINS), indexing="ij")
    d2 = ((pi.reshape(1, -1) - p[:, None]) / 1.2) ** 2 + (gi.reshape(1, -1) - g[:, None]) ** 2
    kern = np.exp(-d2 / 2)
    kern /= kern.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(kern)
    onehot[np.arange(len(p)), codebook.cell_index(p, g)] = 1.0
    return ((1 - blur) * onehot + blur * kern).astype(np.float32)


class MixerSampler:
    """Random windows of ``length`` frames with their label cells and loss weights, seeded.

    ``batch(n)`` -> ``feats (n, length, 2, 2049) float32``, ``cells (n,)``, ``weights (n, length)``.
    """

    def __init__(self, tracks: list[TrackData], length: int, seed: int, level_db=(-15.0, 10.0)):
        self.tracks = [t for t in tracks if t.feats.shape[0] >= length and t.active.sum() > 0]
        if not self.tracks:
            raise ValueError(f"no track has {length} frames with the solo playing")
        self.length, self.level_db = length, level_db
        self.rng = np.random.default_rng(seed)
        sizes = np.array([t.active.sum() for t in self.tracks], float)
        self.p = sizes / sizes.sum()

    def batch(self, n: int):
        feats, cells, weights = [], [], []
        for k in self.rng.choice(len(self.tracks), size=n, p=self.p):
            t = self.tracks[k]
            centre = int(self.rng.choice(np.flatnonzero(t.active)))
            s = int(np.clip(centre - self.length // 2, 0, t.feats.shape[0] - self.length))
            scale = 10 ** (self.rng.uniform(*self.level_db) / 20)
            feats.append(t.feats[s : s + self.length].astype(np.float32) * scale)
            cells.append(t.cell)
            weights.append(t.active[s : s + self.length].astype(np.float32))
        return np.stack(feats), np.array(cells), np.stack(weights)


def build_model(cfg: MixerConfig) -> torch.nn.Module:
    if cfg.arch in ("seed", "compact"):
        return mixer_model.build(cfg.arch, **cfg.model_kwargs)
    return mixer_model.build("ctx", width=cfg.width, bottleneck=cfg.bottleneck)


def init_normalisation(model, tracks: list[TrackData]) -> None:
    """Per-bin mean and 1/std of ``log1p(1000 x)`` over active training frames (only models that have them)."""
    if hasattr(model, "feat_mean"):
        with torch.no_grad():
            f = torch.cat([model.features(torch.from_numpy(t.feats[None, :: 4].astype(np.float32)))[0][t.active[::4]]
                           for t in tracks[:: max(1, len(tracks) // 60)]])
            model.feat_mean.copy_(f.mean(dim=0))
            model.feat_scale.copy_(1.0 / (f.std(dim=0) + 1e-3))
        return
    if not hasattr(model, "input_mean"):
        return
    frames = np.concatenate([t.feats[t.active][:: max(1, int(t.active.sum()) // 100)] for t in tracks])
    comp = np.log1p(1000.0 * frames.astype(np.float32))  # (N, 2, F)
    with torch.no_grad():
        model.input_mean.copy_(torch.from_numpy(comp.mean(axis=0)))
        model.input_scale.copy_(torch.from_numpy(1.0 / (comp.std(axis=0) + 1e-3)))


def loss_fn(model, feats, cells, weights, blur: float) -> torch.Tensor:
    """Weighted cross-entropy of the per-frame softmax against the (softened) label cell."""
    logits = model.logits(torch.from_numpy(feats))  # (B, L, 399)
    target = torch.from_numpy(soft_targets(cells, blur))[:, None, :]  # (B, 1, 399)
    w = torch.from_numpy(weights)
    ce = -(target * torch.log_softmax(logits, dim=-1)).sum(dim=-1)  # (B, L)
    return (ce * w).sum() / w.sum().clamp(min=1.0)


def heldout_loss(model, tracks: list[TrackData], blur: float) -> float:
    """Mean cross-entropy over the active frames of held-out tracks (whole tracks, no augmentation)."""
    was = model.training
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for t in tracks:
            feats = t.feats[None].astype(np.float32)
            w = t.active[None].astype(np.float32)
            total += float(loss_fn(model, feats, np.array([t.cell]), w, blur)) * float(w.sum())
            n += int(w.sum())
    model.train(was)
    return total / max(n, 1)


def fit(model, opt, sampler: MixerSampler, cfg: MixerConfig, ckdir: Path, budget_s: float,
        log_path: Path | None, extra_batch=None, tag: str = "", heldout=None) -> tuple[int, float, list]:
    """Resumable training loop: ``(steps, elapsed seconds, losses)``.

    ``extra_batch()``, if given, returns a second batch ``(feats, cells, weights, weight)``
    whose loss is added with that weight (the annotations when fine-tuning). With
    ``heldout`` tracks, the held-out loss is measured at every checkpoint and the model
    ends with the weights of the best one.
    """
    ck = ckdir / f"last{tag}.pt"
    best_ck = ckdir / f"best{tag}.pt"
    best = float("inf")
    step, elapsed = 0, 0.0
    state = checkpoint.restore(ck, model, opt, sampler)
    if state is not None:
        step, elapsed, best = state["step"], state["elapsed"], state.get("best", float("inf"))
        log(log_path, msg="resumed", model=tag or cfg.arch, step=step, elapsed_s=round(elapsed))
    t_start, last_ck, losses = time.time() - elapsed, time.time(), []
    model.train()
    while True:
        elapsed = time.time() - t_start
        done = elapsed >= budget_s or bool(cfg.max_steps and step >= cfg.max_steps)
        if done or time.time() - last_ck >= cfg.checkpoint_every_s:
            held = heldout_loss(model, heldout, cfg.label_blur) if heldout else None
            if held is not None and held < best:
                best = held
                with atomic_path(best_ck) as tmp:
                    torch.save({"model": model.state_dict(), "step": step, "heldout_loss": held}, tmp)
            checkpoint.save(ck, model, opt, sampler, step, elapsed, cfg, best=best)
            log(log_path, model=tag or cfg.arch, step=step, elapsed_s=round(elapsed),
                loss=round(float(np.mean(losses[-100:])), 4) if losses else None,
                heldout_loss=round(held, 4) if held is not None else None)
            last_ck = time.time()
        if done:
            break
        feats, cells, weights = sampler.batch(cfg.batch)
        loss = loss_fn(model, feats, cells, weights, cfg.label_blur)
        if extra_batch is not None:
            f2, c2, w2, weight = extra_batch()
            loss = loss + weight * loss_fn(model, f2, c2, w2, cfg.label_blur)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
    if heldout and best_ck.exists():
        chosen = torch.load(best_ck, weights_only=False)
        model.load_state_dict(chosen["model"])
        log(log_path, msg="best checkpoint", model=tag or cfg.arch, step=chosen["step"],
            heldout_loss=round(chosen["heldout_loss"], 4))
    model.eval()
    return step, elapsed, losses


def train(cfg: MixerConfig) -> dict:
    """Train (or resume) the mixer and the seed-style baseline, export, evaluate, write the card."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    ckdir = Path(cfg.checkpoint_dir)
    ckdir.mkdir(parents=True, exist_ok=True)
    log_path = ckdir / "log.jsonl"
    tracks = load_tracks(cfg.train_dir, ckdir / "cache", cfg.seed, log_path)
    val = load_tracks(cfg.val_dir, ckdir / "cache", cfg.seed + 500, log_path)
    order = np.random.default_rng(cfg.seed).permutation(len(tracks))
    n_held = int(round(cfg.holdout * len(tracks)))
    heldout = [tracks[i] for i in order[:n_held]]
    fit_tracks = [tracks[i] for i in order[n_held:]]
    log(log_path, msg="data", train_tracks=len(fit_tracks), heldout_tracks=len(heldout), val_tracks=len(val),
        train_active_frames=int(sum(t.active.sum() for t in fit_tracks)))
    results = {}
    for arch, minutes in ((cfg.arch, cfg.minutes), ("seed", cfg.baseline_minutes)):
        if arch == "seed" and (cfg.arch == "seed" or minutes <= 0):
            continue
        sub = MixerConfig(**{**asdict(cfg), "arch": arch})
        torch.manual_seed(cfg.seed)
        model = build_model(sub)
        if not (ckdir / f"last-{arch}.pt").exists():
            init_normalisation(model, fit_tracks)
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr if arch != "seed" else 3e-4,
                                weight_decay=cfg.weight_decay)
        sampler = MixerSampler(fit_tracks, cfg.frames if arch != "seed" else 8, cfg.seed, cfg.level_db)
        steps, elapsed, losses = fit(model, opt, sampler, sub, ckdir, minutes * 60, log_path, tag=f"-{arch}",
                                     heldout=heldout)
        results[arch] = (model, steps, elapsed, losses)
    return mixer_eval.finish(cfg, results, tracks, val, log_path, training_command(cfg))


def training_command(cfg: MixerConfig) -> str:
    return (f"jazzremix train-mixer --train {cfg.train_dir} --val {cfg.val_dir} --out {cfg.out} "
            f"--arch {cfg.arch} --minutes {cfg.minutes:g} --baseline-minutes {cfg.baseline_minutes:g} --seed {cfg.seed}")
