"""End of a separator training stage: ONNX export, torch weights beside it, evaluation on
every validation set (with the breakdown by condition) and the model card with the
whole training history.

The card's ``history`` has one entry per stage (command, warm-start source, training
data, steps, wall and CPU seconds, machine read at run time); ``total`` sums them, so
the cost of the shipped model is on record even when it was trained across sessions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import evaluation
from jazzremix_gui.core.models import ModelMeta, ModelSession
from jazzremix_gui.training import architectures, cards
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.export import export_onnx, write_card
from jazzremix_gui.training.remix_sampler import finished_tracks, split_folders
from jazzremix_gui.training.runlog import segments

#: How the shipped model is reproduced from nothing (README "The separator").
REPRODUCE = "bash scripts/reproduce_separator.sh"
#: The quality guard's bundled clip (tests/test_quality_guard.py) and its tolerance.
GUARD_CLIP = Path(__file__).resolve().parents[2] / "tests" / "data" / "guard"
GUARD_TOLERANCE_DB = 0.5


def guard_entry(session, clip: Path = GUARD_CLIP) -> dict | None:
    """SDRs of the model on the quality guard's clip, for the card (None without the clip)."""
    if not (clip / "meta.json").is_file():
        return None
    score = evaluation.score_track(clip, session)
    return {"clip": "tests/data/guard", "solo_sdr_db": round(score.solo, 3),
            "accompaniment_sdr_db": round(score.accompaniment, 3), "tolerance_db": GUARD_TOLERANCE_DB}


def training_command(cfg) -> str:
    """The ``jazzremix train-separator`` command line of a config."""
    return (f"jazzremix train-separator --arch {cfg.arch} --train {cfg.train_dir} --val {cfg.val_dir} "
            f"--out {cfg.out} --checkpoints {cfg.checkpoint_dir} --minutes {cfg.minutes:g} --seed {cfg.seed} "
            f"--threads {cfg.threads} --batch {cfg.batch} --frames {cfg.frames} --lr {cfg.lr:g}"
            + (f" --width {cfg.width} --dilations {cfg.dilations}" if cfg.arch in ("mask", "band") else "")
            + (f" --bands {cfg.bands}" if cfg.arch == "band" else "")
            + (f" --remix {cfg.remix:g}" if cfg.remix else "")
            + (f" --both-stems {cfg.both_stems:g}" if cfg.both_stems else "")
            + (f" --timbre {cfg.timbre:g} --timbre-scale {cfg.timbre_scale:g}" if cfg.timbre else "")
            + (f" --resample {cfg.resample:g}" if cfg.resample else "")
            + (f" --pitch {cfg.pitch:g}" if cfg.pitch else "")
            + (f" --extend-dilations {cfg.extend_dilations}" if cfg.extend_dilations else "")
            + (" --gate" if getattr(cfg, "gate", False) else "") + (" --comb" if getattr(cfg, "comb", False) else "")
            + (f" --loss-power {cfg.loss_power:g}" if getattr(cfg, "loss_power", 1.0) != 1.0 else "")
            + (" --phase-sensitive" if getattr(cfg, "phase_sensitive", False) else "")
            + (f" --init {cfg.init} --init-optimizer {cfg.init_optimizer}" if cfg.init else "")
            + (f" --version {cfg.version}" if cfg.version else "")
            + (f" --warmup {cfg.warmup_steps}" if cfg.warmup_steps != 200 else "")
            + (f" --wiener-alpha {cfg.wiener_alpha:g}" if cfg.wiener_alpha != 1.3 else "")
            + (f" --pan-aware {cfg.pan_aware}" if cfg.pan_aware else "")
            + (f" --pan-loss {cfg.pan_loss:g}" if cfg.pan_loss else "")
            + (f" --steer-train {cfg.steer_train:g}" if getattr(cfg, "steer_train", 0) else "")
            + (f" --steer-astray {cfg.steer_astray:g}" if getattr(cfg, "steer_astray", 0) else "")
            + (f" --average-last {cfg.average_last:g}" if cfg.average_last else "")
            + (f" --precision {cfg.precision}" if getattr(cfg, "precision", "fp32") != "fp32" else "")
            + (" --compile" if getattr(cfg, "compile", False) else "")
            + (" --half" if cfg.half else "") + (f" --card {cfg.card}" if cfg.card else ""))


def model_meta(cfg, model, path) -> ModelMeta:
    """The ``jazzremix.*`` metadata of a separator trained with ``cfg``."""
    return ModelMeta(path=Path(path), kind="separator", hop=cfg.hop, input_kind="mid_magnitude",
                     context_frames=int(getattr(model, "context_frames", 0)),
                     version=cfg.version or f"sep-{cfg.arch}-1.0", architecture=model.architecture,
                     wiener_alpha=cfg.wiener_alpha, pan_aware=cfg.pan_aware)


def stage_entry(cfg, history: list[dict], step: int, elapsed: float, cpu: float, losses, averaged=None) -> dict:
    return {"stage": len(history) + 1, "version": cfg.version or f"sep-{cfg.arch}-1.0",
            "command": training_command(cfg), "init": cfg.init or None,
            "init_optimizer": cfg.init_optimizer if cfg.init else None,
            "train": data_summary(cfg.train_dir), "steps": int(step), "wall_s": round(elapsed),
            "cpu_s": round(cpu), "final_loss": float(np.mean(losses[-200:])) if losses else None,
            "machine": cards.machine(), "segments": segments(Path(cfg.checkpoint_dir) / "log.jsonl")} \
        | ({"weights_averaged": averaged} if averaged else {})


def data_summary(folders) -> list[dict]:
    """:func:`cards.datasets` of each folder plus how many of its tracks were finished (used)."""
    return [{**d, "finished_tracks": len(finished_tracks(d["path"]))} for d in cards.datasets(folders)]


def totals(history: list[dict]) -> dict:
    return {"stages": len(history), "steps": int(sum(h.get("steps") or 0 for h in history)),
            "wall_s": int(sum(h.get("wall_s") or 0 for h in history)),
            "cpu_s": int(sum(h.get("cpu_s") or 0 for h in history))}


def validation_entry(folder: str, session) -> dict:
    result = evaluation.evaluate_dataset(folder, session)
    return {"dataset": folder, "n_tracks": result["n_tracks"], "median_sdr_db": result["median"],
            "breakdown": result["breakdown"], "per_track": result["tracks"]}


def finish(cfg, model, step: int, elapsed: float, cpu: float, n_params: int, losses, history: list[dict],
           sampler=None, averaged: dict | None = None) -> dict:
    """Export to ONNX, save the torch weights, evaluate on every validation set, write the card."""
    meta = model_meta(cfg, model, cfg.out)
    Path(cfg.out).parent.mkdir(parents=True, exist_ok=True)
    meta_props = cards.metadata_props(meta)
    export_onnx(model, cfg.out, meta_props, torch.rand(40, architectures.N_BINS) * 0.05, "mix_mag", "solo_mag",
                half=cfg.half)
    history = history + [stage_entry(cfg, history, step, elapsed, cpu, losses, averaged)]
    pt = weights.save_weights(model, cfg.out, history)
    session = ModelSession(cfg.out, "separator", prefer_gpu=False)
    vals = [validation_entry(d, session) for d in split_folders(cfg.val_dir)]
    card = cards.card_head(cfg.out, meta_props, meta.architecture, n_params, "float16" if cfg.half else "float32")
    card |= {
        "torch_weights": pt.name,
        "training": cards.training_section(training_command(cfg), step, elapsed, history[-1]["final_loss"], cfg,
                                           cpu_time_s=round(cpu)),
        "history": history,
        "total": totals(history),
        "reproduce": REPRODUCE,
        "data": {"augmentation": _augmentation(cfg), "examples_read_from": _read_from(cfg),
                 "train": data_summary(cfg.train_dir),
                 "validation": data_summary(cfg.val_dir)},
        "validation": vals[0],
        "validation_other": vals[1:],
        "quality_guard": guard_entry(session),
    }
    return write_card(cfg.out, card, cfg.card or None)


def _read_from(cfg) -> str:
    """Where this stage's examples were read (the stems, or their float16 mids: training.remix_sampler)."""
    if cfg.pan_loss or getattr(cfg, "steer_train", 0):
        return "the stems' channels (float32 WAV, memory-mapped)"
    return ("each track's mid cache train_mid.f16.npy (the stems' (L + R) / 2 as float16, written at the first "
            "use; stages before 2026-12-04 read the float32 WAVs' mids)")


def _augmentation(cfg) -> str:
    parts = []
    if cfg.remix:
        parts.append(f"{cfg.remix:.0%} of examples remix the solo of one track with the accompaniment of another "
                     "at a random offset and a random solo level of -6..+6 dB")
    if cfg.timbre:
        parts.append(f"each stem of an example gets, with probability {cfg.timbre:g}, a random spectral envelope "
                     f"(tilt and 1-3 resonances, ranges x{cfg.timbre_scale:g} those of the synthesiser's colour) "
                     "before mixing")
    if cfg.resample:
        parts.append(f"each stem excerpt is played faster or slower by up to {cfg.resample:g} semitones (soxr; "
                     "pitch and formants move together; one factor for both stems of an original example)")
    if cfg.pitch:
        parts.append(("a head" if getattr(cfg, "comb", False) else "a training-only head")
                     + " learns the solo's pitch class per frame (YIN on the clean solo, 60 "
                     f"semitones + unvoiced), cross-entropy weighted {cfg.pitch:g}")
    if getattr(cfg, "loss_power", 1.0) != 1.0:
        parts.append(f"the loss compares the magnitudes raised to {cfg.loss_power:g} (quiet bins weigh more)")
    if getattr(cfg, "phase_sensitive", False):
        parts.append("phase-sensitive targets: the solo's magnitude projected on the mixture's phase, clipped to "
                     "0..|X|, the accompaniment |X| minus that")
    if cfg.pan_loss:
        parts.append(f"stereo examples; the complex error of the stems the pan-aware step {cfg.pan_aware} makes "
                     f"(mono solo and both accompaniment channels) is added to the loss, weighted {cfg.pan_loss:g}")
    if getattr(cfg, "steer_train", 0):
        parts.append(f"{cfg.steer_train:.0%} of examples hear the channels weighted toward the solo (the pan-aware "
                     "step's steered input, at the solo's direction from its channel energies plus a 4-degree "
                     "Gaussian error) instead of the mid; targets weighted the same")
    if getattr(cfg, "steer_astray", 0):
        parts.append(f"{cfg.steer_astray:.0%} of the steered examples are steered at a uniformly drawn direction "
                     "instead of the solo's (the app's reading gone astray); targets as that input holds them")
    return "; ".join(parts) or "none"


def refresh_guard(onnx_path) -> dict:
    """Record (again) the quality guard's figures on the card beside ``onnx_path``; returns them."""
    import json

    card_path = Path(onnx_path).with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["quality_guard"] = guard_entry(ModelSession(onnx_path, "separator", prefer_gpu=False))
    write_card(onnx_path, card)
    return card["quality_guard"]
