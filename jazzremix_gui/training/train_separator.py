"""Training recipe of the separators: seeded, resumable, time-budgeted, warm-startable.

One command per model (see README): ``jazzremix train-separator --arch mask|seed ...``.
Examples come straight from the stems of one or more synthesised datasets
(:class:`training.remix_sampler.RemixSampler`, optionally remixed across tracks) through
the core's own STFT. The loss is the mean squared error between estimated and true
solo magnitudes (the paper's Euclidean loss), plus, with ``both_stems > 0``, the same
error on the accompaniment ``|X| - estimate``, on random windows of consecutive frames,
with Adam and a cosine learning-rate decay over the time budget.

Warm start: ``init`` names shipped weights (``models/separator.pt``, or the ONNX file,
whose weights are then recovered), or a checkpoint whose optimiser state
``init_optimizer="restore"`` takes over. Each run is one *stage*; the card's
``history`` lists every stage back to the first (command, data, steps, CPU and wall
time, machine) and ``total`` sums them. Validation SDR is measured every checkpoint
through the app's own pipeline; at the end the model is exported to ONNX, its torch
weights saved beside it, and its card written (:mod:`training.separator_card`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import evaluation
from jazzremix_gui.core.signal.spatial import PanAware
from jazzremix_gui.training import architectures, cards, checkpoint, precision
from jazzremix_gui.training.compiled import CompiledLoss
from jazzremix_gui.training.budget_clock import TICK_S, BudgetClock
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.config import TrainConfig
from jazzremix_gui.training.pan_aware_loss import pan_aware_loss
from jazzremix_gui.training.pitch import N_CLASSES
from jazzremix_gui.training.prefetch import Prefetcher
from jazzremix_gui.training.remix_sampler import RemixSampler, split_folders
from jazzremix_gui.training.runlog import log as _log
from jazzremix_gui.training.separator_card import finish, model_meta
from jazzremix_gui.training.torch_session import TorchSession


@dataclass
class SeparatorConfig(TrainConfig):
    """The separator recipe's settings (:class:`TrainConfig` plus the fields below)."""

    arch: str = "mask"
    # train_dir: one folder or several separated by commas; val_dir: the first is checked during training
    out: str = "models/separator.onnx"
    checkpoint_dir: str = "checkpoints/separator"
    minutes: float = 55.0
    threads: int = 2
    checkpoint_every_s: float = 300.0
    width: int = 256
    bands: int = 32  # band architecture only
    hop: int = 1024
    val_tracks_during: int = 4
    half: bool = False
    card: str = ""  # card path; default: beside the ONNX file
    dilations: str = "1,2,4,8,1,2"
    remix: float = 0.0  # share of training examples remixed across tracks (training.remix_sampler)
    both_stems: float = 0.0  # weight of the accompaniment term of the loss (0: solo only)
    init: str = ""  # warm start: .pt weights, checkpoint or ONNX separator
    init_optimizer: str = "fresh"  # or "restore" (needs a checkpoint as init)
    wiener_alpha: float = 1.3  # generalised Wiener power written into the model (scripts/tune_wiener.py tunes it)
    pan_aware: str = ""  # "SIGMA,FLOOR[,STEER]": the pan-aware Wiener step written into the model ("": the plain step)
    warmup_steps: int = 200  # linear learning-rate warm-up of a fresh optimiser (0: none)
    timbre: float = 0.0  # probability of a random spectral envelope per stem and example (training.remix_sampler)
    timbre_scale: float = 1.5  # range scale of those envelopes (1: the synthesiser's per-part colour)
    resample: float = 0.0  # playback-speed augmentation range in semitones (training.remix_sampler; 0: off)
    pitch: float = 0.0  # weight of the pitch head's cross-entropy (training.pitch; 0: no head)
    extend_dilations: str = ""  # warm start: temporal blocks appended, initialised to the identity ("16,32")
    gate: bool = False  # the mask's logits add the input gated bin by bin (architectures.MaskSeparator)
    comb: bool = False  # the mask's logits add the harmonic comb of the pitch head's classes (MaskSeparator)
    loss_power: float = 1.0  # the magnitudes in the loss raised to this power (below 1: quiet bins weigh more)
    phase_sensitive: bool = False  # targets projected on the mixture's phase (training.remix_sampler)
    average_last: float = 0.0  # minutes: export the mean of the weights checkpointed in the budget's last minutes
    pan_loss: float = 0.0  # weight of the loss through the pan-aware step (training.pan_aware_loss; needs pan_aware)
    steer_train: float = 0.0  # share of examples steered toward the solo as the pan-aware step's input (remix_sampler)
    steer_astray: float = 0.0  # share of the steered examples steered at a uniformly drawn direction (remix_sampler)
    precision: str = "fp32"  # a step's forward pass: "fp32", "bf16" or "auto" (bf16 where native; training.precision)
    compile: bool = False  # the forward pass and loss through torch.compile (training.compiled)


#: Added to the magnitudes before a compressing ``power`` in :func:`loss_fn`, so its gradient stays finite at zero
#: (about -140 dB of a full-scale sine's bin).
LOSS_FLOOR = 1e-7


def _model(cfg: SeparatorConfig) -> torch.nn.Module:
    if cfg.arch == "seed":
        return architectures.build("seed")
    dil = tuple(int(d) for d in str(cfg.dilations).split(",") if d)
    if cfg.arch == "band":
        return architectures.build("band", bands=cfg.bands, dim=cfg.width, dilations=dil)
    return architectures.build("mask", width=cfg.width, dilations=dil, gate=cfg.gate, comb=cfg.comb,
                               pitch_classes=N_CLASSES if cfg.comb or cfg.pitch > 0 else 0)


def _grown(model, grow, option: str, init_optimizer: str):
    """``grow(model)``: the warm start with parameters an option adds (starting as the same function)."""
    if init_optimizer == "restore":
        raise weights.WeightsError(f"{option} adds parameters: use --init-optimizer fresh")
    try:
        return grow(model)
    except ValueError as exc:
        raise weights.WeightsError(f"{option}: {exc}") from None


def _init_normalisation(model, sampler) -> None:
    """Per-bin mean and scale of the compressed input, from 32 random training windows."""
    if not hasattr(model, "input_mean"):
        return
    mix, _ = sampler.batch(32)
    comp = np.log1p(1000.0 * mix.reshape(-1, mix.shape[-1]))
    with torch.no_grad():
        model.input_mean.copy_(torch.from_numpy(comp.mean(axis=0)))
        model.input_scale.copy_(torch.from_numpy(1.0 / (comp.std(axis=0) + 1e-3)))


def _val_sdr(model, cfg, val_tracks) -> dict:
    session = TorchSession(model, model_meta(cfg, model, cfg.out))
    scores = [evaluation.score_track(t, session) for t in val_tracks]
    return {"val_solo_sdr": float(np.median([s.solo for s in scores])),
            "val_acc_sdr": float(np.median([s.accompaniment for s in scores]))}


def _start_model(cfg: SeparatorConfig, sampler, log) -> tuple[torch.nn.Module, dict | None, list[dict]]:
    """Fresh model (normalisation from the data) or the warm-start weights."""
    if not cfg.init:
        if cfg.extend_dilations:
            raise weights.WeightsError("--extend-dilations extends warm-start weights: give --init")
        model = _model(cfg)
        _init_normalisation(model, sampler)
        return model, None, []
    model, opt_state, history = weights.load_init(cfg.init)
    if cfg.init.endswith(".onnx") and not Path(cfg.init).with_suffix(".pt").is_file():
        diff = weights.verify_against_onnx(model, cfg.init)
        if diff > 1e-5:
            raise weights.WeightsError(f"--init {cfg.init}: recovered weights differ from the ONNX output by {diff:.2e}")
        _log(log, msg="weights recovered from ONNX", max_abs_diff=diff)
    if cfg.init_optimizer == "restore" and opt_state is None:
        raise weights.WeightsError(f"--init {cfg.init}: no optimiser state in it (use a checkpoint, or "
                                   "--init-optimizer fresh)")
    if cfg.extend_dilations:
        if cfg.init_optimizer == "restore":
            raise weights.WeightsError("--extend-dilations adds parameters: use --init-optimizer fresh")
        model = architectures.extend_context(model, [int(d) for d in str(cfg.extend_dilations).split(",") if d])
        _log(log, msg="temporal blocks added (identity at start)", dilations=list(model.dilations))
    for flag, grow, what in (("gate", architectures.with_gate, "input gate"),
                             ("comb", architectures.with_comb, "harmonic comb")):
        if getattr(cfg, flag) and not getattr(model, flag, False):
            model = _grown(model, grow, f"--{flag}", cfg.init_optimizer)
            _log(log, msg=f"{what} added (identity at start)")
    if cfg.pitch > 0 and not getattr(model, "pitch_classes", 0):
        model = architectures.with_pitch_head(model, N_CLASSES)
        _log(log, msg="pitch head added (training only)", classes=N_CLASSES)
    return model, opt_state if cfg.init_optimizer == "restore" else None, history


def loss_fn(model, mix_t, solo_t, acc_t, both_stems: float, pitch_t=None, pitch: float = 0.0, spectra=None,
            pan_loss: float = 0.0, pan_aware: PanAware | None = None, alpha: float = 1.0, power: float = 1.0):
    """MSE of the solo magnitude (x 1e4: magnitudes of a sum-1 window are small), plus
    ``both_stems`` times the MSE of the accompaniment ``|X| - estimate``, both of the magnitudes raised to
    ``power`` (below 1 a quiet bin's error weighs more; the factor is then ``1e4 ** power``), plus ``pitch`` times
    the cross-entropy of the pitch head against ``pitch_t`` (``[B, T]`` classes), plus ``pan_loss``
    times the error of the stems the pan-aware step makes (:mod:`training.pan_aware_loss`; ``spectra``:
    the batch's :class:`training.remix_sampler.StereoSpectra`)."""
    if pitch > 0:
        est, logits = model.forward_with_pitch(mix_t)
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), pitch_t.reshape(-1))
    else:
        est, ce = model(mix_t), 0.0
    def err(a, b):  # mean squared difference of the magnitudes, compressed by ``power``
        if power != 1.0:
            a, b = ((torch.clamp(v, min=0.0) + LOSS_FLOOR) ** power for v in (a, b))
        return torch.mean((a - b) ** 2) * 1e4 ** power

    loss = err(est, solo_t) + pitch * ce
    if both_stems > 0:
        loss = loss + both_stems * err(mix_t - est, acc_t)
    if pan_loss > 0:
        loss = loss + pan_loss * pan_aware_loss(est, spectra, pan_aware, alpha)
    return loss


def batch_of(sampler: RemixSampler, cfg: SeparatorConfig, pan_aware: PanAware | None = None) -> tuple:
    """A batch of ``sampler``'s examples with what ``cfg``'s loss needs (the arrays :func:`train_step` takes)."""
    return sampler.batch(cfg.batch, with_acc=cfg.both_stems > 0, with_pitch=cfg.pitch > 0,
                         stereo=pan_aware is not None)


def train_step(model, opt, batch: tuple, cfg: SeparatorConfig, pan_aware: PanAware | None = None,
               arithmetic: str = "fp32", loss_of=None) -> float:
    """One optimiser step on ``batch`` (:func:`batch_of`; :func:`loss_fn` with ``cfg``'s weights); its loss.
    ``arithmetic``: ``"fp32"`` or ``"bf16"`` (:func:`training.precision.resolve`), the forward pass's; ``loss_of``:
    the loss function to call (default :func:`loss_fn`; :class:`training.compiled.CompiledLoss` of it)."""
    mix, solo, *rest = batch
    spectra = rest.pop() if pan_aware is not None else None
    acc_t = torch.from_numpy(rest[0]) if cfg.both_stems > 0 else None
    pitch_t = torch.from_numpy(rest[-1]) if cfg.pitch > 0 else None
    with precision.forward_context(arithmetic):
        loss = (loss_of or loss_fn)(model, torch.from_numpy(mix), torch.from_numpy(solo), acc_t, cfg.both_stems,
                                    pitch_t, cfg.pitch, spectra, cfg.pan_loss, pan_aware, cfg.wiener_alpha,
                                    cfg.loss_power)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    return float(loss.detach())


def train(cfg: SeparatorConfig) -> dict:
    """Train (or resume) one separator stage and export it; returns the card.

    The checkpoint folder is held for the run (:func:`training.checkpoint.claimed`): a second run
    given the same folder is refused.
    """
    with checkpoint.claimed(Path(cfg.checkpoint_dir)):
        return _train(cfg)


def _train(cfg: SeparatorConfig) -> dict:
    if cfg.pan_loss > 0 and not cfg.pan_aware:
        raise ValueError("the loss through the pan-aware step (--pan-loss) needs that step: give --pan-aware")
    pan_aware = PanAware.parse(cfg.pan_aware) if cfg.pan_loss > 0 else None
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    ckdir = Path(cfg.checkpoint_dir)
    ckdir.mkdir(parents=True, exist_ok=True)
    log = ckdir / "log.jsonl"
    sampler = RemixSampler(cfg.train_dir, cfg.frames, cfg.hop, cfg.seed, p_remix=cfg.remix,
                           log=lambda m: _log(log, msg=m), timbre=cfg.timbre, timbre_scale=cfg.timbre_scale,
                           resample=cfg.resample, mid_cache=pan_aware is None and cfg.steer_train <= 0,
                           steer=cfg.steer_train, steer_astray=cfg.steer_astray,
                           phase_sensitive=cfg.phase_sensitive)
    val_folders = evaluation.list_tracks(split_folders(cfg.val_dir)[0])
    step, elapsed, cpu = 0, 0.0, 0.0
    ck = ckdir / "last.pt"
    if ck.exists():  # resume this stage: the architecture and history come from the checkpoint
        saved = checkpoint.load_state(ck)
        model = weights.build_from_config(saved.get("arch") or weights._arch_from_checkpoint(saved))
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        state = checkpoint.restore(ck, model, opt, sampler)
        step, elapsed, cpu, history = state["step"], state["elapsed"], state.get("cpu", 0.0), state.get("history", [])
        _log(log, msg="resumed", step=step, elapsed_s=round(elapsed))
    else:
        model, opt_state, history = _start_model(cfg, sampler, log)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        if opt_state is not None:
            opt.load_state_dict(opt_state)
    n_params = architectures.parameter_count(model)
    arithmetic = precision.resolve(cfg.precision)
    loss_of = CompiledLoss(loss_fn, lambda m: _log(log, msg=m)) if cfg.compile else loss_fn
    _log(log, msg="start", arch=cfg.arch, params=n_params, frames_per_step=cfg.batch * cfg.frames,
         train_hours=round(sampler.seconds / 3600, 2), init=cfg.init or None, stages_before=len(history),
         precision=arithmetic, compiled=cfg.compile, machine=cards.machine())  # the card's segments (runlog)
    budget = cfg.minutes * 60
    clock, c_start, losses = BudgetClock(elapsed, tick_s=TICK_S), time.process_time() - cpu, []  # a pause spends none
    last_ck = 0.0 if step == 0 else time.time()  # a fresh stage logs its starting validation SDR
    warmup = cfg.warmup_steps if cfg.init_optimizer == "fresh" else 0
    model.train()
    # the next batch is drawn on a thread while the model learns from this one (training.prefetch: the same draws)
    with Prefetcher(lambda: batch_of(sampler, cfg, pan_aware), sampler.rng) as draws:
        while True:
            elapsed, cpu = clock.read(), time.process_time() - c_start
            done = elapsed >= budget or (cfg.max_steps and step >= cfg.max_steps)
            if done or time.time() - last_ck >= cfg.checkpoint_every_s:
                draws.settle()  # the sampler's state as a run without the thread has it
                checkpoint.save(ck, model, opt, sampler, step, elapsed, cfg, cpu=cpu, history=history,
                                arch=weights.arch_config(model))
                if cfg.average_last and not done and elapsed >= budget - cfg.average_last * 60:
                    _keep_for_average(ckdir, model, step, elapsed)
                val = _val_sdr(model, cfg, val_folders[: cfg.val_tracks_during])
                sampler.refresh()  # tracks rendered meanwhile join the training set
                _log(log, step=step, train_hours=round(sampler.seconds / 3600, 2), elapsed_s=round(elapsed),
                     loss=float(np.mean(losses[-200:])) if losses else None, **val)
                last_ck = time.time()
            if done:
                break
            for group in opt.param_groups:  # warm-up, then cosine decay over the time budget (resumes with the time)
                group["lr"] = cfg.lr * max(0.05, 0.5 * (1 + np.cos(np.pi * min(elapsed / budget, 1.0)))) \
                    * min(1.0, (step + 1) / warmup if warmup else 1.0)
            losses.append(train_step(model, opt, draws.next(), cfg, pan_aware, arithmetic, loss_of))
            step += 1
    averaged = _average_last(cfg, ckdir, model, step, elapsed, budget, log) if cfg.average_last else None
    return finish(cfg, model, step, elapsed, cpu, n_params, losses, history, sampler, averaged=averaged)


def _keep_for_average(ckdir: Path, model, step: int, elapsed: float) -> None:
    """Keep this checkpoint's weights for ``--average-last`` (``average-<step>.pt``, written atomically)."""
    checkpoint.write_state(ckdir / f"average-{step:08d}.pt", {"model": model.state_dict(), "step": step,
                                                              "elapsed": elapsed}, f"the weights of step {step}")


def _average_last(cfg: SeparatorConfig, ckdir: Path, model, step: int, elapsed: float, budget: float, log) -> dict:
    """Put into ``model`` the mean of its final weights and those kept from the budget's last
    ``cfg.average_last`` minutes (stochastic weight averaging); returns what was averaged, for the card."""
    since = budget - cfg.average_last * 60
    kept = [checkpoint.load_state(p) for p in sorted(ckdir.glob("average-*.pt"))]
    members = [k for k in kept if since <= k["elapsed"] < elapsed]
    model.load_state_dict(weights.average_states([k["model"] for k in members] + [model.state_dict()]))
    info = {"minutes": cfg.average_last, "checkpoints": len(members) + 1,
            "steps": [int(k["step"]) for k in members] + [int(step)]}
    _log(log, msg="weights averaged", **info)
    return info
