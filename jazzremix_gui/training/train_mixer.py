"""Training recipe of the mixer: policy labels, seeded, resumable, time-budgeted, with card.

``jazzremix train-mixer --train DIR --val DIR --out models/mixer.onnx --minutes M --seed K``
trains the shipped mixer (``gauss`` architecture) and, as the card's baseline, the
seed-style mixer (2 highway layers + softmax on the raw solo magnitude). Data: every
track of a DESIGN.md §3 dataset gives per-frame :mod:`core.signal.features` mixer features
(the solo stem's mid at its recorded level ``k`` beside the accompaniment's channel
power; hop 1024, the core's STFT), the frames where the solo plays (the same activity
rule as the app's decoding) and one policy label (:mod:`training.mixer_policy`). The
mixer is per frame (its context is in the features), so a batch is a set of active
frames drawn track-uniformly; the loss is the cross-entropy between the frame's posterior
and the label cell (softened by a small 2-D Gaussian over neighbouring cells). Fine-tuning
on the user's annotations lives in :mod:`training.mixer_finetune`; figures in
:mod:`training.mixer_eval`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal import codebook, features
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.files.hashing import file_sha256
from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.signal.mixer import activity
from jazzremix_gui.core.signal.separation import RecordedSolo
from jazzremix_gui.training import checkpoint, mixer_eval, mixer_model, mixer_policy
from jazzremix_gui.training.budget_clock import TICK_S, BudgetClock
from jazzremix_gui.training.config import TrainConfig
from jazzremix_gui.training.synth.dataset import refuse_validation_set
from jazzremix_gui.training.runlog import log

HOP = mixer_eval.HOP
#: 4: separated stems' features read the accompaniment from the separator's own spectra, as the app does (2026-12-04);
#: 5: each label also names the solo's instrument (gauss-mix's second target, 2026-12-06)
DATA_VERSION = "mixer-data-5"


@dataclass
class MixerConfig(TrainConfig):
    """The mixer recipe's settings (:class:`TrainConfig` plus the fields below)."""

    arch: str = "gauss"
    train_dir: str = "data/mixer-train"
    val_dir: str = "data/mixer-val"
    out: str = "models/mixer.onnx"
    checkpoint_dir: str = "checkpoints/mixer"
    minutes: float = 4.0
    baseline_minutes: float = 3.0
    batch: int = 256  # frames per step
    lr: float = 2e-3
    checkpoint_every_s: float = 10.0
    label_blur: float = 0.2  # share of the target spread over neighbouring cells
    weight_decay: float = 1e-2
    feature_noise: float = 0.3  # normal noise added to the normalised features (regularises the per-frame fit)
    holdout: float = 0.1  # share of the training tracks held out to pick the best checkpoint
    seed_tracks: int = 120  # tracks whose raw solo magnitude is kept for the seed-style baseline
    hidden: int = 32
    members: int = 1  # gauss, gauss-mix: >1 trains that many members (seeds seed, seed + 1, ...) and ships their mean
    instrument_weight: float = 0.0  # gauss-mix: weight of the stage position (instrument x register) as a target
    select_every: int = 0  # held-out check every this many steps (0: at each checkpoint, by wall clock)
    select: str = "track"  # checkpoint selection on held-out tracks: "track" cell distance, or "loss"
    stems: str = "separated"  # model inputs from the separator's stems (as in use) or the ground "truth"
    separator: str = ""  # the separator making them (default: the shipped one)
    accompaniment: str = "spectra"  # separated stems: the accompaniment from the separator's spectra, or its stem


@dataclass
class TrackData:
    """One track's mixer training data.

    feats : np.ndarray [shape=(T, 100), dtype=float32]
        :mod:`core.signal.features` mixer features per frame.
    active : np.ndarray [shape=(T,), dtype=bool]
        Frames where the solo plays.
    cell : int
        Label cell (same for every frame); ``label`` holds the full policy label.
    solo_mag : np.ndarray [shape=(T, 2049), dtype=float16] or None
        Raw solo mid magnitude (the seed-style baseline's input), for the first tracks only.
    """

    name: str
    feats: np.ndarray
    active: np.ndarray
    cell: int
    label: dict
    solo_mag: np.ndarray | None = None


def stem_features(solo: np.ndarray, acc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(features (T, 100), active (T,), solo magnitude (T, 2049))`` of ground-truth stems ``(n, 2)`` at 44.1 kHz.

    The solo enters as the app sees it: the mid ``s`` of its channels with its recorded
    level ``k`` (:func:`core.signal.features.solo_level`).
    """
    s = features.mid_magnitude(solo, HOP)
    level = features.solo_level(solo)
    return features.mixer_feature_frames(s, features.channel_power(acc, HOP), level), activity(s), s


def separated_features(mixture: Path, separator, accompaniment: str = "spectra"
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`stem_features` of the stems the app would hear: ``separator``'s output for ``mixture``.

    The same seam as the app (:func:`core.pipeline.analyse`): the separated solo, the accompaniment's
    rows from the separator's own spectra (``accompaniment='spectra'``, where the two hops agree) or
    from its stem (``stems``), as the app reads them for the mixer trained here, and the
    solo's recorded level ``k`` as the separation engine estimates it. The labels stay those of the
    ground truth, so the mixer learns to see through the separator's leaks and its bias on the solo's level.
    """
    mix, rate = audio_io.read_audio(mixture)
    rows = [] if pipeline.accompaniment_source(separator, HOP, accompaniment) == "spectra" else None
    recorded = RecordedSolo()
    blocks = (mix[i:i + pipeline.READ_BLOCK] for i in range(0, mix.shape[0], pipeline.READ_BLOCK))
    out = list(pipeline.separate_stream(blocks, rate, mix.shape[0], separator, recorded=recorded,
                                        rows_tap=None if rows is None else lambda first, r: rows.append(r),
                                        rows_kind="mixer_features", others=False))
    solo = audio_io.resample(np.concatenate([s for s, _ in out]), rate, MODEL_RATE)
    acc = None if rows is not None else audio_io.resample(np.concatenate([a for _, a in out]), rate, MODEL_RATE)
    feats, s = features.mixer_features(solo, acc, HOP, "mixer_features", solo_level=recorded.level,  # as MixerStream
                                       acc_rows=None if rows is None else np.concatenate(rows))
    return feats, activity(s), s


def load_separator(cfg: MixerConfig):
    """The separator whose stems feed the mixer's training (None: ground-truth stems)."""
    if cfg.stems == "truth":
        return None
    if cfg.stems != "separated":
        raise ValueError(f"stems must be 'separated' or 'truth', got {cfg.stems!r}")
    return pipeline.load_model(cfg.separator or None, "separator", threads=cfg.threads)


def load_tracks(dataset, cache_dir, seed: int = 0, log_path: Path | None = None,
                keep_solo: int = 0, separator=None, accompaniment: str = "spectra") -> list[TrackData]:
    """Features, activity and policy labels of every track of a dataset, cached (never writes into ``dataset``).

    ``dataset`` may list several folders separated by commas; the k-th is labelled with
    ``seed + 1000 k``. The raw solo magnitude is kept for the first ``keep_solo`` tracks.
    With a ``separator``, features and activity come from its stems of each mixture
    (:func:`separated_features`, the accompaniment read as ``accompaniment`` says); the labels always
    come from the ground truth.
    """
    if "," in str(dataset):
        out = []
        for k, d in enumerate(x for x in str(dataset).split(",") if x):
            out += load_tracks(d, cache_dir, seed + 1000 * k, log_path, max(0, keep_solo - len(out)), separator,
                               accompaniment)
        return out
    folders = list_tracks(dataset)
    stems_id = "truth" if separator is None else (f"{separator.meta.version}:{separator_sha256(separator)}:"
                                                  f"{pipeline.accompaniment_source(separator, HOP, accompaniment)}")
    h = hashlib.sha256(f"{DATA_VERSION}:{mixer_policy.POLICY_VERSION}:{mixer_policy.LISTENER_SALT}:"
                       f"{seed}:{HOP}:{keep_solo}:{stems_id}:"
                       f"{Path(dataset).resolve()}".encode())
    for t in folders:
        st = (t / "solo.wav").stat()
        h.update(f"{t.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    cache = Path(cache_dir) / f"mixer-data-{h.hexdigest()[:16]}.npz"
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        labels = json.loads(str(data["labels"]))
        return [TrackData(f.name, data[f"{i}_f"], data[f"{i}_a"], labels[i]["cell"], labels[i],
                          data[f"{i}_s"] if f"{i}_s" in data else None)
                for i, f in enumerate(folders)]
    out = []
    for i, f in enumerate(folders):
        solo, rate = audio_io.read_audio(f / "solo.wav")
        acc, _ = audio_io.read_audio(f / "accompaniment.wav")
        feats, act, s = (stem_features(solo, acc) if separator is None
                         else separated_features(f / "mixture.wav", separator, accompaniment))
        meta = json.loads((f / "meta.json").read_text()) if (f / "meta.json").is_file() else {}
        label = {**mixer_policy.policy_label(solo, acc, meta, f.name, seed, rate).to_json(),
                 "instrument": str(meta.get("instrument", ""))}
        out.append(TrackData(f.name, feats, act, label["cell"], label, s.astype(np.float16) if i < keep_solo else None))
        if (i + 1) % 20 == 0:
            log(log_path, msg=f"mixer data: {i + 1}/{len(folders)} tracks of {dataset}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"labels": np.array(json.dumps([t.label for t in out]))}
    for i, t in enumerate(out):
        arrays.update({f"{i}_f": t.feats, f"{i}_a": t.active})
        if t.solo_mag is not None:
            arrays[f"{i}_s"] = t.solo_mag
    with atomic_path(cache, ".npz") as tmp:
        np.savez(tmp, **arrays)
    return out


def separator_sha256(separator) -> str:
    """SHA-256 of a separator's model file ("" for sessions without one)."""
    path = getattr(separator.meta, "path", None)
    return file_sha256(path) if path and Path(path).is_file() else ""


def soft_targets(cells: np.ndarray, blur: float) -> np.ndarray:
    """Target distributions ``(N, 399)``: ``1 - blur`` on the cell, ``blur`` on a 2-D Gaussian around it.

    The Gaussian has 1.2 pan cells (6 degrees, the policy's listener spread) and 1 gain cell,
    over the gains the policy's knees can reach (:func:`mixer_policy.reachable_gain_classes`).
    """
    p, g = codebook.cell_classes(np.asarray(cells))
    pi, gi = np.meshgrid(np.arange(codebook.N_PANS), np.arange(codebook.N_GAINS), indexing="ij")
    d2 = ((pi.reshape(1, -1) - p[:, None]) / 1.2) ** 2 + (gi.reshape(1, -1) - g[:, None]) ** 2
    lo, hi = mixer_policy.reachable_gain_classes()
    kern = np.exp(-d2 / 2) * ((gi.reshape(1, -1) >= lo) & (gi.reshape(1, -1) <= hi))
    kern /= kern.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(kern)
    onehot[np.arange(len(p)), codebook.cell_index(p, g)] = 1.0
    return ((1 - blur) * onehot + blur * kern).astype(np.float32)


class FrameSampler:
    """Random active frames with their label cells, seeded: a track uniformly, then one of its active frames.

    ``batch(n)`` -> ``inputs (n, D) float32``, ``cells (n,)``, ``weights (n,)`` (ones), ``positions (n,)``
    (the index of the track's stage position, :func:`training.mixer_model.position_index`, -1 if unknown); the
    input is the mixer features, or the raw solo magnitude with ``raw=True`` (seed-style).
    """

    def __init__(self, tracks: list[TrackData], seed: int, raw: bool = False):
        self.tracks = [t for t in tracks if t.active.any() and (not raw or t.solo_mag is not None)]
        if not self.tracks:
            raise ValueError("no track with the solo playing" + (" and a raw magnitude" if raw else ""))
        self.raw = raw
        self.rng = np.random.default_rng(seed)
        self.frames = [np.flatnonzero(t.active) for t in self.tracks]
        self.positions = [mixer_model.position_index(t.label) for t in self.tracks]

    def batch(self, n: int):
        ks = self.rng.integers(0, len(self.tracks), n)
        x, cells = [], []
        for k in ks:
            t = self.tracks[k]
            i = int(self.rng.choice(self.frames[k]))
            x.append(t.solo_mag[i] if self.raw else t.feats[i])
            cells.append(t.cell)
        return (np.stack(x).astype(np.float32), np.array(cells), np.ones(n, np.float32),
                np.array([self.positions[k] for k in ks]))


def build_model(cfg: MixerConfig) -> torch.nn.Module:
    kwargs = ({"hidden": cfg.hidden, "noise": cfg.feature_noise, "members": cfg.members}
              if cfg.arch.startswith("gauss") else {})
    return mixer_model.build(cfg.arch, **kwargs)


def init_normalisation(model, tracks: list[TrackData]) -> None:
    """Per-feature mean and 1/std over the active training frames (models that have them)."""
    if not hasattr(model, "feat_mean"):
        return
    f = np.concatenate([t.feats[t.active] for t in tracks])
    with torch.no_grad():
        model.feat_mean.copy_(torch.from_numpy(f.mean(axis=0)))
        model.feat_scale.copy_(torch.from_numpy(1.0 / (f.std(axis=0) + 1e-3)))


def loss_fn(model, x, cells, weights, blur: float) -> torch.Tensor:
    """Weighted cross-entropy of the per-frame posteriors ``(N, 399)`` against the (softened) label cells."""
    logits = model.logits(torch.from_numpy(x))  # (N, 399)
    target = torch.from_numpy(soft_targets(cells, blur))
    w = torch.from_numpy(weights)
    ce = -(target * torch.log_softmax(logits, dim=-1)).sum(dim=-1)
    return (ce * w).sum() / w.sum().clamp(min=1e-6)


def heldout_loss(model, tracks: list[TrackData], blur: float) -> float:
    """Mean cross-entropy over the active frames of held-out tracks (whole tracks)."""
    was = model.training
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for t in tracks:
            if model.input_kind == "solo_magnitude" and t.solo_mag is None:
                continue
            x = mixer_model.model_input(model, t)[t.active]
            if x.shape[0] == 0:
                continue
            total += float(loss_fn(model, x, np.full(x.shape[0], t.cell), np.ones(x.shape[0], np.float32),
                                   blur)) * x.shape[0]
            n += x.shape[0]
    model.train(was)
    return total / max(n, 1)


def heldout_track_distance(model, tracks: list[TrackData]) -> float:
    """Mean cell distance ``|pan classes| + |gain classes|`` of held-out tracks' decoded choices to their labels.

    Each track is decoded as the app decodes one (posteriors summed over its active frames,
    argmax): the figure the targets are set on, where the cross-entropy is dominated by a few
    over-confident frames of tracks the separator reads badly.
    """
    was = model.training
    model.eval()
    dist = []
    with torch.no_grad():
        for t in tracks:
            x = mixer_model.model_input(model, t)[t.active]
            if x.shape[0] == 0:
                continue
            cell = int(model(torch.from_numpy(x)).numpy().sum(axis=0).argmax())
            (p, g), (lp, lg) = codebook.cell_classes(np.array([cell])), codebook.cell_classes(np.array([t.cell]))
            dist.append(abs(int(p[0]) - int(lp[0])) + abs(int(g[0]) - int(lg[0])))
    model.train(was)
    return float(np.mean(dist)) if dist else 0.0


def fit(model, opt, sampler: FrameSampler, cfg: MixerConfig, ckdir: Path, budget_s: float,
        log_path: Path | None, extra_batch=None, tag: str = "", heldout=None) -> tuple[int, float, list]:
    """Resumable training loop: ``(steps, elapsed seconds, losses)``.

    ``extra_batch()``, if given, returns a second batch ``(feats, cells, weights, weight)``
    whose loss is added with that weight (the annotations when fine-tuning). With
    ``heldout`` tracks, the held-out score is measured at every checkpoint (every
    ``cfg.checkpoint_every_s`` of wall clock), or with ``cfg.select_every`` every that many steps and at
    the last (the same steps on any machine: with ``max_steps`` the run's result does not depend on its
    speed), and the model ends with the weights of the best one.
    """
    ck = ckdir / f"last{tag}.pt"
    best_ck = ckdir / f"best{tag}.pt"
    best = float("inf")
    step, elapsed = 0, 0.0
    state = checkpoint.restore(ck, model, opt, sampler)
    if state is not None:
        step, elapsed, best = state["step"], state["elapsed"], state.get("best", float("inf"))
        log(log_path, msg="resumed", model=tag or cfg.arch, step=step, elapsed_s=round(elapsed))
    clock, last_ck, losses = BudgetClock(elapsed, tick_s=TICK_S), time.time(), []  # pauses spend no budget
    model.train()
    checked = -1  # the last step whose held-out score was measured
    while True:
        elapsed = clock.read()
        done = elapsed >= budget_s or bool(cfg.max_steps and step >= cfg.max_steps)
        timed = time.time() - last_ck >= cfg.checkpoint_every_s
        on_step = bool(cfg.select_every) and step % cfg.select_every == 0 and step > 0
        if done or timed or on_step:
            held = None
            if heldout and step != checked and (done or on_step if cfg.select_every else True):
                held = (heldout_track_distance(model, heldout) if cfg.select == "track"
                        else heldout_loss(model, heldout, cfg.label_blur))
                checked = step
            if held is not None and held < best:
                best = held
                checkpoint.write_state(best_ck, {"model": model.state_dict(), "step": step, "heldout_score": held},
                                       f"the best weights so far (step {step})")
            if done or timed:
                checkpoint.save(ck, model, opt, sampler, step, elapsed, cfg, best=best)
                last_ck = time.time()
            if done or timed or held is not None:
                log(log_path, model=tag or cfg.arch, step=step, elapsed_s=round(elapsed),
                    loss=round(float(np.mean(losses[-100:])), 4) if losses else None,
                    heldout=round(held, 4) if held is not None else None)
        if done:
            break
        feats, cells, weights, positions = sampler.batch(cfg.batch)
        loss = loss_fn(model, feats, cells, weights, cfg.label_blur)
        if cfg.instrument_weight and hasattr(model, "position_loss"):
            loss = loss + cfg.instrument_weight * model.position_loss(torch.from_numpy(feats),
                                                                      torch.from_numpy(positions))
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
        chosen = checkpoint.load_state(best_ck)
        model.load_state_dict(chosen["model"])
        log(log_path, msg="best checkpoint", model=tag or cfg.arch, step=chosen["step"],
            heldout=round(checkpoint.heldout_score(chosen), 4))
    model.eval()
    return step, elapsed, losses


def train(cfg: MixerConfig) -> dict:
    """Train (or resume) the mixer and the seed-style baseline, export, evaluate, write the card.

    The checkpoint folder is held for the run (:func:`training.checkpoint.claimed`): a second run
    given the same folder is refused.
    """
    with checkpoint.claimed(Path(cfg.checkpoint_dir)):
        return _train(cfg)


def _train(cfg: MixerConfig) -> dict:
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    ckdir = Path(cfg.checkpoint_dir)
    ckdir.mkdir(parents=True, exist_ok=True)
    log_path = ckdir / "log.jsonl"
    separator = load_separator(cfg)
    for folder in str(cfg.train_dir).split(","):
        if folder:
            refuse_validation_set(folder)
    tracks = load_tracks(cfg.train_dir, ckdir / "cache", cfg.seed, log_path,
                         keep_solo=cfg.seed_tracks if cfg.baseline_minutes > 0 else 0, separator=separator,
                         accompaniment=cfg.accompaniment)
    val = load_tracks(cfg.val_dir, ckdir / "cache", cfg.seed + 500, log_path,
                      keep_solo=10**6 if cfg.baseline_minutes > 0 else 0, separator=separator,
                      accompaniment=cfg.accompaniment)
    results = {}
    if cfg.arch.startswith("gauss") and cfg.members > 1:
        results[cfg.arch] = _train_members(cfg, tracks, len(val), ckdir, log_path)
    for arch, minutes in ((cfg.arch, cfg.minutes), ("seed", cfg.baseline_minutes)):
        if arch in results or (arch == "seed" and (cfg.arch == "seed" or minutes <= 0)):
            continue
        sub = MixerConfig(**{**asdict(cfg), "arch": arch, "members": 1})
        results[arch] = _train_one(sub, tracks, len(val), ckdir, log_path, cfg.seed, f"-{arch}", minutes)
    return mixer_eval.finish(cfg, results, tracks, val, log_path, training_command(cfg), separator)


def _split(tracks: list[TrackData], holdout: float, seed: int) -> tuple[list[TrackData], list[TrackData]]:
    """``(fit, held out)``: ``holdout`` of the tracks, drawn with ``seed``, held out to pick the checkpoint."""
    order = np.random.default_rng(seed).permutation(len(tracks))
    n_held = int(round(holdout * len(tracks)))
    return [tracks[i] for i in order[n_held:]], [tracks[i] for i in order[:n_held]]


def _train_one(cfg: MixerConfig, tracks: list[TrackData], n_val: int, ckdir: Path, log_path, seed: int, tag: str,
               minutes: float):
    """Train one single model of ``cfg.arch`` from ``seed`` (its own held-out draw, initial weights and
    batches); checkpoints ``last{tag}.pt`` / ``best{tag}.pt``. Returns ``(model, steps, seconds, losses)``."""
    fit_tracks, heldout = _split(tracks, cfg.holdout, seed)
    log(log_path, msg="data", model=tag, train_tracks=len(fit_tracks), heldout_tracks=len(heldout),
        val_tracks=n_val, train_active_frames=int(sum(t.active.sum() for t in fit_tracks)))
    torch.manual_seed(seed)
    model = build_model(cfg)
    if not (ckdir / f"last{tag}.pt").exists():
        init_normalisation(model, fit_tracks)
    seed_style = cfg.arch == "seed"
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4 if seed_style else cfg.lr, weight_decay=cfg.weight_decay)
    sampler = FrameSampler(fit_tracks, seed, raw=seed_style)
    if seed_style:
        cfg = MixerConfig(**{**asdict(cfg), "batch": 32})
    steps, elapsed, losses = fit(model, opt, sampler, cfg, ckdir, minutes * 60, log_path, tag=tag,
                                 heldout=[t for t in heldout if not seed_style or t.solo_mag is not None])
    return model, steps, elapsed, losses


def _train_members(cfg: MixerConfig, tracks: list[TrackData], n_val: int, ckdir: Path, log_path):
    """Train the ``cfg.members`` members of a :class:`training.mixer_model.GaussEnsemble` one after the other
    (member ``m`` from seed ``cfg.seed + m``, each with the whole time budget and step limit; member 0 is the
    single mixer of ``cfg.seed``), and return the ensemble as :func:`_train_one` returns a model."""
    single = MixerConfig(**{**asdict(cfg), "members": 1})
    ensemble = build_model(cfg)
    steps, elapsed, losses = 0, 0.0, []
    for m, member in enumerate(ensemble.members):
        tag = "-" + mixer_eval.member_tag(cfg.arch, m)
        trained, s, e, lo = _train_one(single, tracks, n_val, ckdir, log_path, cfg.seed + m, tag, cfg.minutes)
        member.load_state_dict(trained.state_dict())
        steps, elapsed, losses = steps + s, elapsed + e, lo
    return ensemble.eval(), steps, elapsed, losses


def training_command(cfg: MixerConfig) -> str:
    stems = (f" --hidden {cfg.hidden}" if cfg.hidden != 32 else "") + (
        f" --members {cfg.members}" if cfg.members > 1 else "") + (
        f" --feature-noise {cfg.feature_noise:g}" if cfg.feature_noise != 0.3 else "") + f" --stems {cfg.stems}" + (
        f" --separator {cfg.separator}" if cfg.separator else "") + (
        f" --accompaniment {cfg.accompaniment}" if cfg.stems == "separated" and cfg.accompaniment != "spectra" else "") + (
        f" --version {cfg.version}" if cfg.version else "") + (
        f" --select-every {cfg.select_every}" if cfg.select_every else "") + (
        f" --instrument-weight {cfg.instrument_weight:g}" if cfg.instrument_weight else "") + (
        f" --max-steps {cfg.max_steps}" if cfg.max_steps else "")
    return (f"jazzremix train-mixer{'' if cfg.arch == 'gauss' else ' --arch ' + cfg.arch} --train {cfg.train_dir} "
            f"--val {cfg.val_dir} --out {cfg.out} "
            f"--minutes {cfg.minutes:g} --baseline-minutes {cfg.baseline_minutes:g} --seed {cfg.seed}{stems}")
