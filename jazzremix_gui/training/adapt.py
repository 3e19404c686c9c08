"""The separator adapted to one recording, on its own stems (self-training; docs/SEPARATOR_V3.md, diagnostic r10).

The separator's stems of the recording (the teacher's: the solo placed at its recorded pan and level, and the
accompaniment) become a one-track training set, and a copy of the network is fine-tuned on it for
:data:`ADAPT_STEPS` steps. Most examples are remixed, the solo of one moment with the accompaniment of another at
a random level, with random spectral envelopes (the timbre augmentation) and steered toward the solo as the
pan-aware step hears it, so the copy never sees the teacher's own inputs (after RemixIT, Tzinis et al. 2022). It
learns the instruments of this recording, which no training set held, from the moments the teacher separated
well. The adapted network then separates the recording through the same pipeline (a
:class:`training.torch_session.TorchSession`, or exported by :func:`export_adapted` and run by ONNX Runtime, as
``services.adaptation`` does). Only the mixture is read: nothing here knows the true stems.

Needs PyTorch (the training extra). Cost: :data:`ADAPT_STEPS` steps of 16 examples of 64 frames, about 45 CPU-s
whatever the recording's length, plus a second separation.
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import json
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.models import ADAPT_OPENING_S, ADAPT_STEPS, ModelSession, WithPanAware, adapted_meta
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.core.signal.spatial import PanAware
from jazzremix_gui.core.signal.stft import WIN_LEN
from jazzremix_gui.training import architectures, cards
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.export import export_onnx
from jazzremix_gui.training.prefetch import Prefetcher
from jazzremix_gui.training.remix_sampler import RemixSampler
from jazzremix_gui.training.torch_session import TorchSession
from jazzremix_gui.training.train_separator import SeparatorConfig, batch_of, train_step

#: Learning rate (Adam), after a linear warm-up over :data:`ADAPT_WARMUP` steps.
ADAPT_LR = 1e-4
ADAPT_WARMUP = 20


def adaptation_config(steps: int = ADAPT_STEPS, threads: int = 1, seed: int = 1) -> SeparatorConfig:
    """The recipe: r10's (checkpoints/r10/adapt.py): remix 0.8, both stems 0.5, timbre 0.8 x 1.5, steered 0.7."""
    return SeparatorConfig(arch="mask", max_steps=steps, seed=seed, threads=threads, lr=ADAPT_LR,
                           warmup_steps=ADAPT_WARMUP, remix=0.8, both_stems=0.5, timbre=0.8, timbre_scale=1.5,
                           steer_train=0.7, train_dir="", val_dir="", out="", checkpoint_dir="")


def teacher_stems(stems: pipeline.Stems) -> tuple[np.ndarray, np.ndarray]:
    """The stems as a training track: solo at its recorded pan and level ``(n, 2)`` and accompaniment ``(n, 2)``,
    float32 at 44.1 kHz, at most :data:`ADAPT_OPENING_S` seconds."""
    n = min(len(stems), int(ADAPT_OPENING_S * stems.rate))
    solo = place_solo(stems.solo[:n], stems.recorded_pan_deg, 1.0, stems.solo_level)
    acc = np.ascontiguousarray(stems.accompaniment[:n], np.float32)
    if stems.rate != MODEL_RATE:
        solo, acc = (audio_io.resample(x, stems.rate, MODEL_RATE).astype(np.float32) for x in (solo, acc))
    return solo, acc


def fine_tune(model: torch.nn.Module, teacher: pipeline.Stems, steps: int = ADAPT_STEPS, threads: int = 1,
              progress=None, after_step=None) -> list[float]:
    """Fine-tune ``model`` in place on ``teacher``'s stems of a recording (the recipe of :func:`adaptation_config`);
    the loss of each step. ``progress(fraction, message)`` after each step; ``after_step(steps_done, model)`` too
    (the diagnostics' snapshots: the learning rate depends only on the step, so the model after N of M steps is an
    N-step adaptation). Raises JazzRemixError when the recording is too short to draw an example from."""
    cfg = adaptation_config(steps, threads)
    torch.set_num_threads(threads)
    torch.manual_seed(cfg.seed)
    track = teacher_stems(teacher)
    try:
        sampler = RemixSampler([], cfg.frames, cfg.hop, cfg.seed, p_remix=cfg.remix, timbre=cfg.timbre,
                               timbre_scale=cfg.timbre_scale, steer=cfg.steer_train, stems=[track],
                               log=lambda message: None)
    except ValueError:  # no excerpt fits
        raise JazzRemixError(f"too short to adapt the separator to: {len(track[0]) / MODEL_RATE:.1f} s, an "
                             f"adaptation needs more than {((cfg.frames - 1) * cfg.hop + WIN_LEN) / MODEL_RATE:.1f} "
                             "s") from None
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model.train()
    losses = []
    with Prefetcher(lambda: batch_of(sampler, cfg), sampler.rng) as draws:  # the next batch drawn meanwhile
        for step in range(steps):
            for group in opt.param_groups:
                group["lr"] = cfg.lr * min(1.0, (step + 1) / cfg.warmup_steps)
            losses.append(train_step(model, opt, draws.next(), cfg))
            if progress is not None:
                progress((step + 1) / steps, "adapting the separator to the recording")
            if after_step is not None:
                after_step(step + 1, model)
    model.eval()
    return losses


@dataclasses.dataclass
class Adaptation:
    """What an adaptation did: ``steps``, its ``seconds`` (wall) and the loss of its first and last ten steps."""

    steps: int
    seconds: float
    loss_first: float
    loss_last: float


def adapt_separator(audio: np.ndarray, rate: int, base: pipeline.SessionLike | None = None,
                    steps: int = ADAPT_STEPS, threads: int = 1, progress=None,
                    cancel=None) -> tuple[TorchSession, Adaptation]:
    """A copy of ``base`` fine-tuned on the recording ``audio``'s own stems (module docstring).

    Parameters
    ----------
    audio : np.ndarray [shape=(n,) or (n, c)]
        The recording, any rate ``rate`` (Hz).
    base : SessionLike, optional
        The separator to adapt (its weights: the ``.pt`` beside its ONNX file, or recovered from it); default the
        shipped one. Its Wiener step and metadata carry over.
    steps, threads
        Optimiser steps; torch threads.
    progress, cancel
        Hooks: the teacher's separation is the first fifth, the steps the rest.

    Returns
    -------
    session : TorchSession
        The adapted separator (``meta.version`` says so; ``meta.path`` is the base's file).
    adaptation : Adaptation
    """
    report = Reporter(progress, cancel)
    base = base or pipeline.load_model(None, "separator")
    start = time.monotonic()
    teacher = pipeline.separate(audio, rate, base, progress=report.sub(0.0, 0.2))
    model, _, _ = weights.load_init(base.meta.path)
    losses = fine_tune(model, teacher, steps, threads, progress=report.sub(0.2, 1.0))
    meta = adapted_meta(base.meta, steps)
    done = Adaptation(steps, round(time.monotonic() - start, 1), float(np.mean(losses[:10])) if losses else 0.0,
                      float(np.mean(losses[-10:])) if losses else 0.0)
    return TorchSession(model, meta), done


def export_adapted(session: TorchSession, out) -> Path:
    """The adapted network as an ONNX separator at ``out`` (written atomically), with its session's metadata."""
    return export_onnx(session.model, out, cards.metadata_props(session.meta),
                       torch.rand(40, architectures.N_BINS) * 0.05, "mix_mag", "solo_mag")


def main(argv=None) -> int:
    """``python -m jazzremix_gui.training.adapt INPUT BASE.onnx OUT.onnx [--pan-aware TEXT] [--steps N] [--threads T]``:
    the separator at BASE (run with the Wiener step TEXT, its metadata's form; default its own) adapted to the
    recording INPUT (its opening), written to OUT. The app runs it in a child process (``services.adaptation``), so
    that torch never loads into the app: its import holds the GIL for over a second, and its memory stays out.
    Prints ``progress F`` lines, then the :class:`Adaptation` as JSON."""
    p = argparse.ArgumentParser(prog="python -m jazzremix_gui.training.adapt")
    p.add_argument("input")
    p.add_argument("base")
    p.add_argument("out")
    p.add_argument("--pan-aware", default=None)
    p.add_argument("--steps", type=int, default=ADAPT_STEPS)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    _die_with_parent()
    try:
        base = teacher_session(args.base, args.pan_aware, args.threads)
        audio, rate = audio_io.read_opening(args.input, ADAPT_OPENING_S)
        session, done = adapt_separator(audio, rate, base, steps=args.steps, threads=args.threads,
                                        progress=lambda f, m="": print(f"progress {f:.4f}", flush=True))
        export_adapted(session, args.out)
    except JazzRemixError as exc:  # the parent says the last line: the reason alone, not a traceback's tail
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(dataclasses.asdict(done)), flush=True)
    return 0


def teacher_session(path, pan_aware: str | None, threads: int):
    """The separator at ``path`` on the CPU with ``threads`` threads, with the Wiener step ``pan_aware`` (its
    metadata's form; None: its own): the teacher of an adaptation, made alike in every process, so an adaptation in
    the app's child and one in ``render`` learn from the same stems."""
    base = ModelSession(path, "separator", prefer_gpu=False, threads=threads)
    if pan_aware is not None and pan_aware != base.meta.pan_aware:
        base = WithPanAware(base, PanAware.parse(pan_aware) if pan_aware else None)
    return base


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this process when the one that started it ends (the app quitting)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
