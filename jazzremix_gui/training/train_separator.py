"""Training recipe of the separators: seeded, resumable from checkpoints, time-budgeted.

One command per model (see README): ``jazzremix train-separator --arch mask|seed ...``.
Data are STFT magnitude frames from the core's own STFT (:mod:`training.features`);
the loss is the mean squared error between the estimated and the true solo magnitude
(the paper's Euclidean loss), on random windows of consecutive frames, with Adam and a
cosine learning-rate decay over the time budget. Validation SDR
is measured every checkpoint through the app's own pipeline (Wiener filter included).
At the end the model is exported to ONNX and its card written with the full
validation figures, the seed-baseline's card figures and the oracle beside them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import evaluation
from jazzremix_gui.core.models import ModelMeta, ModelSession
from jazzremix_gui.training import architectures, cards, checkpoint
from jazzremix_gui.training.config import TrainConfig
from jazzremix_gui.training.runlog import log as _log
from jazzremix_gui.training.export import export_onnx, write_card
from jazzremix_gui.training.features import WindowSampler, load_dataset
from jazzremix_gui.training.remix_sampler import RemixSampler
from jazzremix_gui.training.torch_session import TorchSession


@dataclass
class SeparatorConfig(TrainConfig):
    """The separator recipe's settings (:class:`TrainConfig` plus the fields below)."""

    arch: str = "mask"
    out: str = "models/separator.onnx"
    checkpoint_dir: str = "checkpoints/separator"
    minutes: float = 55.0
    threads: int = 2
    checkpoint_every_s: float = 300.0
    width: int = 256
    hop: int = 1024
    val_tracks_during: int = 4
    half: bool = False
    card: str = ""  # card path; default: beside the ONNX file
    remix: float = 0.0  # share of training examples remixed across tracks (training.remix_sampler)


def _model(cfg: SeparatorConfig) -> torch.nn.Module:
    if cfg.arch == "seed":
        return architectures.build("seed")
    return architectures.build("mask", width=cfg.width)


def _init_normalisation(model, tracks) -> None:
    if not hasattr(model, "input_mean"):
        return
    frames = np.concatenate([t.mix[:: max(1, t.mix.shape[0] // 200)] for t in tracks]).astype(np.float32)
    comp = np.log1p(1000.0 * frames)
    with torch.no_grad():
        model.input_mean.copy_(torch.from_numpy(comp.mean(axis=0)))
        model.input_scale.copy_(torch.from_numpy(1.0 / (comp.std(axis=0) + 1e-3)))


def _meta(cfg: SeparatorConfig, model, path) -> ModelMeta:
    return ModelMeta(path=Path(path), kind="separator", hop=cfg.hop, input_kind="mid_magnitude",
                     context_frames=int(getattr(model, "context_frames", 0)),
                     version=cfg.version or f"sep-{cfg.arch}-1.0", architecture=model.architecture)


def _val_sdr(model, cfg, val_tracks) -> dict:
    session = TorchSession(model, _meta(cfg, model, cfg.out))
    scores = [evaluation.score_track(t, session) for t in val_tracks]
    return {"val_solo_sdr": float(np.median([s.solo for s in scores])),
            "val_acc_sdr": float(np.median([s.accompaniment for s in scores]))}


def train(cfg: SeparatorConfig) -> dict:
    """Train (or resume) one separator and export it; returns the card."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    ckdir = Path(cfg.checkpoint_dir)
    ckdir.mkdir(parents=True, exist_ok=True)
    log = ckdir / "log.jsonl"
    tracks = load_dataset(cfg.train_dir, cfg.hop, log=lambda m: _log(log, msg=m))
    val_folders = evaluation.list_tracks(cfg.val_dir)
    model = _model(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    if cfg.remix > 0:
        sampler = RemixSampler(cfg.train_dir, cfg.frames, cfg.hop, cfg.seed, p_remix=cfg.remix,
                               log=lambda m: _log(log, msg=m))
    else:
        sampler = WindowSampler(tracks, cfg.frames, cfg.seed)
    step, elapsed = 0, 0.0
    ck = ckdir / "last.pt"
    state = checkpoint.restore(ck, model, opt, sampler)
    if state is not None:
        step, elapsed = state["step"], state["elapsed"]
        _log(log, msg="resumed", step=step, elapsed_s=round(elapsed))
    else:
        _init_normalisation(model, tracks)
    n_params = architectures.parameter_count(model)
    _log(log, msg="start", arch=cfg.arch, params=n_params, frames_per_step=cfg.batch * cfg.frames)
    budget = cfg.minutes * 60
    t_start, last_ck, losses = time.time() - elapsed, time.time(), []
    model.train()
    while True:
        elapsed = time.time() - t_start
        done = elapsed >= budget or (cfg.max_steps and step >= cfg.max_steps)
        if done or time.time() - last_ck >= cfg.checkpoint_every_s:
            checkpoint.save(ck, model, opt, sampler, step, elapsed, cfg)
            val = _val_sdr(model, cfg, val_folders[: cfg.val_tracks_during])
            _log(log, step=step, elapsed_s=round(elapsed), loss=float(np.mean(losses[-200:])) if losses else None, **val)
            last_ck = time.time()
        if done:
            break
        for group in opt.param_groups:  # cosine decay over the time budget (resumes with the elapsed time)
            group["lr"] = cfg.lr * max(0.05, 0.5 * (1 + np.cos(np.pi * min(elapsed / budget, 1.0))))
        mix, solo = sampler.batch(cfg.batch)
        mix_t, solo_t = torch.from_numpy(mix), torch.from_numpy(solo)
        est = model(mix_t)
        loss = torch.mean((est - solo_t) ** 2) * 1e4  # magnitudes are small (sum-1 window)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
    return finish(cfg, model, step, elapsed, n_params, losses)


def finish(cfg: SeparatorConfig, model, step: int, elapsed: float, n_params: int, losses) -> dict:
    """Export to ONNX, evaluate the exported file on the whole validation set, write the card."""
    meta = _meta(cfg, model, cfg.out)
    Path(cfg.out).parent.mkdir(parents=True, exist_ok=True)
    meta_props = cards.metadata_props(meta)
    export_onnx(model, cfg.out, meta_props, torch.rand(40, architectures.N_BINS) * 0.05, "mix_mag", "solo_mag",
                half=cfg.half)
    session = ModelSession(cfg.out, "separator", prefer_gpu=False)
    result = evaluation.evaluate_dataset(cfg.val_dir, session)
    card = cards.card_head(cfg.out, meta_props, meta.architecture, n_params, "float16" if cfg.half else "float32")
    card["training"] = cards.training_section(training_command(cfg), step, elapsed,
                                              float(np.mean(losses[-200:])) if losses else None, cfg)
    card["data"] = {"augmentation": f"{cfg.remix:.0%} of examples remix the solo of one track with the accompaniment "
                                    "of another at a random offset and a random solo level of -6..+6 dB"
                                    if cfg.remix else "none",
                    "train": cards.datasets(cfg.train_dir), "validation": cards.datasets(cfg.val_dir)}
    card["validation"] = {"dataset": cfg.val_dir, "n_tracks": result["n_tracks"], "median_sdr_db": result["median"],
                          "per_track": result["tracks"]}
    return write_card(cfg.out, card, cfg.card or None)


def training_command(cfg: SeparatorConfig) -> str:
    return (f"jazzremix train-separator --arch {cfg.arch} --train {cfg.train_dir} --val {cfg.val_dir} "
            f"--out {cfg.out} --minutes {cfg.minutes:g} --seed {cfg.seed} --threads {cfg.threads} "
            f"--batch {cfg.batch} --frames {cfg.frames} --lr {cfg.lr:g}"
            + (f" --width {cfg.width}" if cfg.arch == "mask" else "") + (f" --remix {cfg.remix:g}" if cfg.remix else "")
            + (" --half" if cfg.half else "") + (f" --card {cfg.card}" if cfg.card else ""))
