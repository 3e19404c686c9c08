"""The track loop: plan, render, mix, degrade and write one track; many in parallel.

Layout (DESIGN.md §3): ``DIR/track_00000/{mixture,solo,accompaniment}.wav`` (stereo,
44.1 kHz, 32-bit float) and ``meta.json``, plus ``DIR/dataset.json`` (the options).
Each file is written to a temporary name and renamed; ``meta.json`` is written last, so
a track counts as finished exactly when its ``meta.json`` exists and a rerun skips it.

Determinism: track ``i`` of a run with ``--seed K`` draws everything from
``SeedSequence([K, i])`` (children: arrangement, mix, degradations, variety), so the
bytes do not depend on ``--jobs`` or on which tracks were already there.

Variety (synth-2.0): with ``variety > 0`` each part gets its own timbre and room
(:mod:`.timbre`), tracks without horns get horn backgrounds or a counter-line more
often, and old-media damage is added (:mod:`.old_media`). All of it draws from the
fourth child seed only, so ``variety=0`` (with ``level_profile="wide"``) writes exactly the
tracks of synth-1.0. WAV files are written
with :func:`scipy.io.wavfile.write` (no timestamped PEAK chunk, unlike libsndfile).
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from jazzremix_gui.core.files.atomic import atomic_path, write_text

from . import additive, drumkit, keys, lookalike as look, sampled
from .arrangement import Arrangement, plan_track, track_seed_sequence
from .degrade import degrade
from .mixdown import LEVEL_PROFILES, gains_to_pan, mix, pan_gains
from .old_media import old_media
from .timbre import augment_part
from .render import RATE, SynthError, SynthOptionError, check_soundfonts, fluidsynth_binary, is_kit_only, render_part
from .val_arrangement import VAL_GENERATOR, plan_val_track

GENERATOR_VERSION = "synth-2.0"
#: Generator name written for ``variety=0`` (those tracks are bit-identical to synth-1.0's).
GENERATOR_V1 = "synth-1.0"
#: Probability that a track without horns gets them anyway, at ``variety=1``.
EXTRA_HORNS = 0.35


GENERATORS = ("train", "val")


def generator_name(variety: float, generator: str = "train") -> str:
    """``synth-1.0`` for ``variety == 0`` (same tracks as before), else ``synth-2.0``; the
    validation generator's tracks are ``val-1.0`` (:mod:`.val_arrangement`)."""
    if generator == "val":
        return VAL_GENERATOR
    return GENERATOR_V1 if variety == 0 else GENERATOR_VERSION


def is_validation_set(folder: str | os.PathLike) -> bool:
    """True for a dataset written by the validation generator (never to be trained on)."""
    info = Path(folder) / "dataset.json"
    if not info.is_file():
        return False
    try:
        return str(json.loads(info.read_text()).get("generator", "")).startswith("val")
    except (OSError, ValueError):
        return False


def refuse_validation_set(folder: str | os.PathLike) -> None:
    """Raise :class:`SynthError` when ``folder`` is a validation set (training data only)."""
    if is_validation_set(folder):
        raise SynthError(f"{folder} was written by the validation generator ({VAL_GENERATOR}): it is for "
                         "validation only, never for training")


def _val_soundfonts(parts, soundfonts: list[str], rng) -> dict:
    """Soundfont of each part of a validation track: drums from a kit-only soundfont three times
    in four when one is given, every other part from one melodic soundfont (or, one part in
    five, another)."""
    kits = [s for s in soundfonts if is_kit_only(s)]
    melodic = [s for s in soundfonts if s not in kits]
    primary = melodic[int(rng.integers(len(melodic)))]
    out = {}
    for p in parts:
        if p.drum and kits and rng.random() < 0.75:
            out[p.name] = kits[int(rng.integers(len(kits)))]
        else:
            out[p.name] = primary if rng.random() < 0.8 else melodic[int(rng.integers(len(melodic)))]
    return out
STEMS = ("mixture", "solo", "accompaniment")


def track_name(index: int) -> str:
    """Folder name of track ``index`` (``track_00042``)."""
    return f"track_{index:05d}"


def is_finished(track_dir: str | os.PathLike) -> bool:
    """A track is finished when its ``meta.json`` exists (it is written last)."""
    return (Path(track_dir) / "meta.json").is_file()


def _write_wav(path: Path, audio: np.ndarray) -> None:
    with atomic_path(path, ".wav") as tmp:
        wavfile.write(str(tmp), RATE, np.ascontiguousarray(audio, dtype=np.float32))


def _write_json(path: Path, data: dict) -> None:
    write_text(path, json.dumps(data, indent=1, sort_keys=False) + "\n")


def render_track(seed: int, index: int, seconds: float, soundfonts: list[str],
                 degradation_strength: float = 1.0, force: dict | None = None, level_profile: str = "real",
                 variety: float = 0.0, generator: str = "train", additive_solo: float = 0.0,
                 solo_voices: tuple = ("harmonic",), lookalike: float = 0.0, sampled_solo: float = 0.0,
                 samples: str | None = None, sampled_bass: float = 0.0, sampled_comp: float = 0.0,
                 sampled_drums: float = 0.0, sampled_horns: float = 0.0, comp_keys: float = 0.0):
    """Make one track in memory.

    Parameters
    ----------
    seed, index : int
        Run seed and track index.
    seconds : float
        Length in seconds.
    soundfonts : list of str
        Checked soundfont paths to draw from.
    degradation_strength : float
        Scales the probability of every degradation (0 = clean).
    force : dict, optional
        Debug/demo overrides of arrangement choices: ``style``, ``instrument``.
    level_profile : {'real', 'wide'}
        Solo-level distribution (:func:`mixdown.solo_level_db`).
    variety : float
        Probability scale of the synth-2.0 additions (per-part timbre and room, extra
        horn sections, old-media damage); 0 = synth-1.0 tracks.
    generator : {'train', 'val'}
        ``val``: the arrangement comes from :mod:`.val_arrangement` and ``soundfonts``
        must be validation-only ones (drum parts take a kit-only soundfont when given).
    additive_solo : float
        Probability that the solo is played by a random additive voice (:mod:`.additive`) instead of
        a soundfont (training only; 0 draws nothing, so the other tracks' bits do not change).
    solo_voices : tuple of str
        Kinds of additive voice (:data:`.additive.KINDS`) drawn from, evenly; one kind draws nothing more
        (``harmonic`` alone: the tracks made before the option, bit for bit).
    lookalike : float
        Probability, drawn separately for each, of a twin section and of a soundfont swap in the
        solo (:mod:`.lookalike`; training only; 0 draws nothing: the tracks made before the option).
    sampled_solo : float
        Probability that the solo is played from a recorded solo library of ``samples``
        (:mod:`.sampled`; drawn evenly when there are several) instead of a soundfont, when no
        additive voice was drawn (training only; 0 draws nothing: the tracks made before the option).
    samples : str, optional
        The sample library folders, comma-separated (needed when a ``sampled_*`` probability is > 0).
    sampled_bass : float
        Probability that the bass part is played from a recorded bass library of ``samples``
        (training only; 0 draws nothing: the tracks made before the option).
    sampled_comp : float
        Probability that the chord part (``comp``, whichever instrument the arrangement gave it) is
        played from a recorded comp library of ``samples``, a piano (training only; 0 draws nothing).
    sampled_drums : float
        Probability that the drum part is played from a recorded drum kit of ``samples`` (:mod:`.drumkit`;
        not a brush part; training only; 0 draws nothing).
    sampled_horns : float
        Probability that the horn backgrounds or counter-line (``horn1``, ``horn2`` ..., whichever wind
        instruments the arrangement gave them), when the track has any, are played from a recorded horn
        library of ``samples`` (one library per track, a voice drawn for each part): a recorded saxophone
        in the accompaniment, so that the timbre alone does not say "solo" (training only; 0 draws nothing).
    comp_keys : float
        Probability that the chord parts not played from a library are played on keys (:mod:`.keys`: an organ,
        often holding its voicings, or an electric piano; training only; 0 draws nothing).

    Returns
    -------
    stems : dict of str to numpy.ndarray
        ``mixture``, ``solo``, ``accompaniment``: float32, shape (n, 2), with
        ``mixture == solo + accompaniment`` exactly.
    meta : dict
        The track's meta.json content.
    """
    # spawn(12)'s first eleven children are spawn(11)'s (and spawn(10)'s first ten): earlier options' draws as before
    arr_ss, mix_ss, deg_ss, var_ss, voice_ss, look_ss, sampled_ss, bass_ss, comp_ss, drums_ss, horn_ss, keys_ss = \
        track_seed_sequence(seed, index).spawn(12)
    look_rng = np.random.default_rng(look_ss) if lookalike > 0 and generator != "val" else None
    var_rng = np.random.default_rng(var_ss)
    horns = EXTRA_HORNS * min(variety, 1.0)
    mix_rng, deg_rng = np.random.default_rng(mix_ss), np.random.default_rng(deg_ss)
    n = int(round(seconds * RATE))
    if generator == "val":
        arr = Arrangement(*plan_val_track(seconds, np.random.default_rng(arr_ss)))
        sf_of = _val_soundfonts(arr.parts, soundfonts, mix_rng)
    else:
        twin = lookalike if look_rng is not None else 0.0
        arr = plan_track(seed, index, seconds, np.random.default_rng(arr_ss), horns, var_rng, twin, look_rng) \
            if not force else _forced_plan(seed, index, seconds, np.random.default_rng(arr_ss), force, horns, var_rng,
                                           twin, look_rng)
        primary = int(mix_rng.integers(len(soundfonts)))
        sf_of = {}
        for p in arr.parts:
            k = primary if (len(soundfonts) == 1 or mix_rng.random() < 0.75) else \
                int(mix_rng.integers(len(soundfonts)))
            sf_of[p.name] = soundfonts[k]
    voice = None
    if additive_solo > 0 and generator != "val":
        voice_rng = np.random.default_rng(voice_ss)
        if voice_rng.random() < additive_solo:
            kind = solo_voices[0] if len(solo_voices) == 1 else solo_voices[int(voice_rng.integers(len(solo_voices)))]
            voice = additive.draw_voice(voice_rng, kind)
    recorded = library = None
    if sampled_solo > 0 and voice is None and generator != "val":
        sampled_rng = np.random.default_rng(sampled_ss)
        if sampled_rng.random() < sampled_solo:
            library = _drawn(_libraries(samples, "solo"), sampled_rng)
            recorded = sampled.draw_voice(sampled_rng, library, arr.solo)
    # accompaniment parts played from recorded libraries: part name -> (voice, library, rng)
    recorded_parts = {}
    for role, p_role, ss in (("bass", sampled_bass, bass_ss), ("comp", sampled_comp, comp_ss),
                             ("drums", sampled_drums, drums_ss), ("horn", sampled_horns, horn_ss)):
        parts = [p for p in arr.parts if (p.name.startswith("horn") if role == "horn" else p.name == role)]
        part = parts[0] if parts else None
        if p_role > 0 and generator != "val" and part is not None and (role != "drums" or drumkit.plays_part(part)):
            role_rng = np.random.default_rng(ss)
            if role_rng.random() < p_role:
                lib = _drawn(_libraries(samples, role), role_rng)
                for q in parts[:1] if role != "horn" else parts:  # a horn section: one library, a voice per part
                    recorded_parts[q.name] = (_voice_module(lib).draw_voice(role_rng, lib, q), lib, role_rng)
    comped_on_keys = {}
    if comp_keys > 0 and generator != "val":
        keys_rng = np.random.default_rng(keys_ss)
        if keys_rng.random() < comp_keys:
            for p in arr.parts:
                if p.name in ("comp", "comp2") and p.name not in recorded_parts:
                    comped_on_keys[p.name] = keys.as_keys(p, keys_rng)
            arr.info["accompaniment_instruments"] = [p.instrument for p in arr.parts[1:]]
    swap = None
    if look_rng is not None and voice is None and recorded is None and len(soundfonts) > 1 and look_rng.random() < lookalike:
        first, second, swap = look.split_solo(arr.solo, look_rng)
        swap["soundfonts"] = [sf_of["solo"], look.other_soundfont(sf_of["solo"], soundfonts, look_rng)]
    with tempfile.TemporaryDirectory(prefix="jazzsynth_") as work:
        renders = {p.name: additive.render_part(p, n, voice, voice_rng) if voice is not None and p.name == "solo"
                   else sampled.render_part(p, n, recorded, library, sampled_rng)
                   if recorded is not None and p.name == "solo"
                   else _voice_module(recorded_parts[p.name][1]).render_part(p, n, *recorded_parts[p.name])
                   if p.name in recorded_parts
                   else render_part(p, sf_of[p.name], n, work) for p in arr.parts[swap is not None:]}
        if swap is not None:
            renders["solo"] = render_part(first, swap["soundfonts"][0], n, work) + \
                render_part(second, swap["soundfonts"][1], n, work)
    if voice is not None:
        sf_of["solo"] = "additive"
    if recorded is not None:
        sf_of["solo"] = f"sampled:{library.name}"
    for name, (_v, lib, _r) in recorded_parts.items():
        sf_of[name] = f"sampled:{lib.name}"
    timbre = {}
    if variety > 0:
        for p in arr.parts:
            renders[p.name], timbre[p.name] = augment_part(renders[p.name], not p.drum, var_rng, variety)
    solo_r = renders.pop("solo")
    solo, acc, mix_info = mix(solo_r, renders, mix_rng, level_profile)
    solo, acc, steps, width = degrade(solo, acc, deg_rng, degradation_strength)
    if variety > 0 and degradation_strength > 0:
        solo, acc, more = old_media(solo, acc, width == 0.0, var_rng, variety * degradation_strength)
        steps = steps + more
    peak = float(np.max(np.abs(solo + acc)))
    target = float(deg_rng.uniform(0.3, 0.95))
    scale = target / max(peak, 1e-9)
    s32 = (solo * scale).astype(np.float32)
    a32 = (acc * scale).astype(np.float32)
    m32 = s32 + a32
    gl, gr = pan_gains(mix_info["pan_deg"])
    gl2, gr2 = (gl + gr) / 2 + width * (gl - gr) / 2, (gl + gr) / 2 - width * (gl - gr) / 2
    meta = {
        "track": track_name(index), "generator": generator_name(variety, generator), "seed": int(seed),
        "index": int(index),
        "seconds": float(seconds), "sample_rate": RATE,
        **arr.info,
        "pan_deg": round(gains_to_pan(gl2, gr2), 3) if width != 1.0 else mix_info["pan_deg"],
        "pan_deg_before_width": mix_info["pan_deg"], "stereo_width": width,
        "pan_law": "constant power: g_L = cos(pan + 45 deg), g_R = sin(pan + 45 deg)",
        "solo_level_db": mix_info["solo_level_db"], "solo_level_profile": level_profile,
        "solo_level_definition": "20 log10(RMS of the solo mono source over its active spans / "
                                 "RMS of the accompaniment mid), before degradations",
        "activity": mix_info["activity"],
        "accompaniment_mix": mix_info["accompaniment_mix"],
        "degradations": steps,
        "output_scale": round(scale, 6), "mixture_peak": round(float(np.max(np.abs(m32))), 4),
        "soundfont": Path(sf_of["solo"]).name,
        "soundfonts": {k: Path(v).name for k, v in sf_of.items()},
    }
    if variety > 0:
        meta["variety"] = float(variety)
        meta["timbre"] = timbre
    if voice is not None:
        meta["solo_voice"] = {"kind": "additive", **additive.describe(voice)}
    if recorded is not None:
        meta["solo_voice"] = {"kind": "sampled", **sampled.describe(recorded)}
    for name, (v, _lib, _r) in recorded_parts.items():
        meta[f"{name}_voice"] = {"kind": "sampled", **sampled.describe(v)}
    if comped_on_keys:
        meta["comp_keys"] = comped_on_keys
    if look_rng is not None:
        meta["lookalike"] = {"p": float(lookalike), "twin_section": arr.info.get("twin_section"),
                             "soundfont_swap": None if swap is None else
                             {**swap, "soundfonts": [Path(x).name for x in swap["soundfonts"]]}}
    return {"mixture": m32, "solo": s32, "accompaniment": a32}, meta


def _voice_module(library):
    """The module that draws and renders a recorded part from ``library``: a drum kit's or a pitched library's."""
    return drumkit if isinstance(library, drumkit.Kit) else sampled


@functools.lru_cache(maxsize=None)
def _libraries(folders: str | None, role: str | None = None) -> tuple:
    """The libraries of a comma-separated list of folders, those of ``role`` only when it is given."""
    names = [f.strip() for f in (folders or "").split(",") if f.strip()]
    if not names:
        raise SynthError("--sampled-solo, --sampled-bass, --sampled-comp, --sampled-drums and --sampled-horns need "
                         "--samples DIR[,DIR...] (recorded sample libraries)")
    libs = tuple(drumkit.load_kit(f) if drumkit.is_kit(f) else sampled.load_library(f) for f in names)
    if len({lib.name for lib in libs}) < len(libs):
        raise SynthError("--samples: two folders of the same name")
    if role is None:
        return libs
    chosen = tuple(lib for lib in libs if lib.role == role)
    if not chosen:
        raise SynthError(f"--samples holds no {role} library (a {role} library's layout.json says \"role\": "
                         f"\"{role}\"; libraries given: {', '.join(f'{lib.name} ({lib.role})' for lib in libs)})")
    return chosen


def _drawn(libs: tuple, rng: np.random.Generator):
    """One of ``libs``, drawn evenly; one library draws nothing (the tracks made with a single one, bit for bit)."""
    return libs[0] if len(libs) == 1 else libs[int(rng.integers(len(libs)))]


def _forced_plan(seed, index, seconds, rng, force, extra_horns=0.0, extra_rng=None, twin=0.0, twin_rng=None):
    from . import arrangement as A
    old = A._deal
    try:
        def deal(s, i, items, salt):
            if items is A.STYLE_NAMES and "style" in force:
                return force["style"]
            if items is A.SOLO_NAMES and "instrument" in force:
                return force["instrument"]
            return old(s, i, items, salt)
        A._deal = deal
        return A.plan_track(seed, index, seconds, rng, extra_horns, extra_rng, twin, twin_rng)
    finally:
        A._deal = old


def generate_track(out_dir: str | os.PathLike, seed: int, index: int, seconds: float,
                   soundfonts: list[str], degradation_strength: float = 1.0, level_profile: str = "real",
                   variety: float = 0.0, generator: str = "train", additive_solo: float = 0.0,
                   solo_voices: tuple = ("harmonic",), lookalike: float = 0.0, sampled_solo: float = 0.0,
                   samples: str | None = None, sampled_bass: float = 0.0, sampled_comp: float = 0.0,
                   sampled_drums: float = 0.0, sampled_horns: float = 0.0, comp_keys: float = 0.0) -> str:
    """Make track ``index`` under ``out_dir`` unless it is finished. Returns its name."""
    d = Path(out_dir) / track_name(index)
    if is_finished(d):
        return d.name
    d.mkdir(parents=True, exist_ok=True)
    stems, meta = render_track(seed, index, seconds, soundfonts, degradation_strength,
                               level_profile=level_profile, variety=variety, generator=generator,
                               additive_solo=additive_solo, solo_voices=solo_voices, lookalike=lookalike,
                               sampled_solo=sampled_solo, samples=samples, sampled_bass=sampled_bass,
                               sampled_comp=sampled_comp, sampled_drums=sampled_drums, sampled_horns=sampled_horns,
                               comp_keys=comp_keys)
    for name in STEMS:
        _write_wav(d / f"{name}.wav", stems[name])
    _write_json(d / "meta.json", meta)
    return d.name


#: Longest track ``synth`` renders (seconds): one hour.
MAX_SECONDS = 3600


def generate_dataset(out_dir: str | os.PathLike, tracks: int, seconds: float, seed: int,
                     soundfonts: list[str] | None = None, jobs: int = 2, degradation_strength: float = 1.0,
                     progress=None, level_profile: str = "real", variety: float = 0.0,
                     generator: str = "train", additive_solo: float = 0.0,
                     solo_voices: tuple = ("harmonic",), lookalike: float = 0.0, sampled_solo: float = 0.0,
                     samples: str | None = None, sampled_bass: float = 0.0,
                     sampled_comp: float = 0.0, sampled_drums: float = 0.0, sampled_horns: float = 0.0,
                     comp_keys: float = 0.0) -> list[str]:
    """Write (or complete) a dataset of ``tracks`` tracks.

    Parameters
    ----------
    out_dir : path
        Dataset folder (created).
    tracks : int
        Number of tracks (indices 0 .. tracks-1).
    seconds : float
        Length of each track in seconds.
    seed : int
        Run seed. Use different seeds for training and validation sets: track seeds are
        ``SeedSequence([seed, index])``, so two seeds never share a track.
    soundfonts : list of str, optional
        Soundfont paths (default: the installed Debian GM soundfonts).
    jobs : int
        Worker processes.
    progress : callable, optional
        ``progress(done, total, name)`` after each track.
    level_profile : {'real', 'wide'}
        Solo-level distribution (:func:`mixdown.solo_level_db`); a folder made before the
        option existed counts as ``wide``.
    variety : float
        Scale of the synth-2.0 additions (see the module docstring); 0 = synth-1.0.
    generator : {'train', 'val'}
        ``val``: the validation-only arrangements and soundfonts (:mod:`.val_arrangement`,
        :data:`.render.VALIDATION_SOUNDFONTS`), for a validation set that shares neither
        with any training set.
    additive_solo : float
        Probability per track of an additive solo voice instead of a soundfont (:mod:`.additive`;
        training sets only).
    solo_voices : tuple of str
        Kinds of additive voice drawn from (:data:`.additive.KINDS`; default ``harmonic`` only).
    lookalike : float
        Probability per track of each look-alike addition (:mod:`.lookalike`; training sets only).
    sampled_solo : float
        Probability per track that the solo is played from a solo library of ``samples``
        (:mod:`.sampled`; training sets only).
    samples : str, optional
        The sample library folders, comma-separated (needed, and checked, when ``sampled_solo`` or
        ``sampled_bass`` > 0).
    sampled_bass : float
        Probability per track that the bass part is played from a bass library of ``samples``
        (training sets only).
    sampled_comp : float
        Probability per track that the chord part is played from a comp library of ``samples``
        (training sets only).
    sampled_drums : float
        Probability per track that a drum part not played with brushes is played from a drum kit of
        ``samples`` (:mod:`.drumkit`; training sets only).
    sampled_horns : float
        Probability per track with horn parts that they are played from a horn library of ``samples``
        (training sets only).
    comp_keys : float
        Probability per track that its chord parts are played on keys, an organ or an electric piano (:mod:`.keys`;
        training sets only).

    Returns
    -------
    list of str
        Track names, in index order.

    Raises
    ------
    SynthError
        Bad options, missing program or soundfont, or a folder made with other options.
    """
    if not (tracks >= 1 and 0 < seconds <= MAX_SECONDS and jobs >= 1):  # NaN fails every comparison
        raise SynthOptionError(f"--tracks and --jobs must be 1 or more, --seconds above 0 and at most {MAX_SECONDS}")
    if level_profile not in LEVEL_PROFILES:
        raise SynthOptionError(f"unknown --level-profile '{level_profile}' (one of {', '.join(LEVEL_PROFILES)})")
    if generator not in GENERATORS:
        raise SynthOptionError(f"unknown --generator '{generator}' (one of {', '.join(GENERATORS)})")
    fluidsynth_binary()
    sfs = check_soundfonts(soundfonts, generator)
    out = Path(out_dir)
    if variety < 0:
        raise SynthOptionError("--variety must be 0 or more")
    if not 0.0 <= additive_solo <= 1.0:
        raise SynthOptionError("--additive-solo is a probability: 0 to 1")
    if additive_solo > 0 and generator == "val":
        raise SynthOptionError("--additive-solo is for training sets: the validation generator uses only its own "
                               "soundfonts")
    if not 0.0 <= lookalike <= 1.0:
        raise SynthOptionError("--lookalike is a probability: 0 to 1")
    if lookalike > 0 and generator == "val":
        raise SynthOptionError("--lookalike is for training sets: the validation generator has its own arrangements")
    for role, p_role in (("solo", sampled_solo), ("bass", sampled_bass), ("comp", sampled_comp),
                         ("drums", sampled_drums), ("horns", sampled_horns)):
        if not 0.0 <= p_role <= 1.0:
            raise SynthOptionError(f"--sampled-{role} is a probability: 0 to 1")
        if p_role > 0 and generator == "val":
            raise SynthOptionError(f"--sampled-{role} is for training sets: the validation generator uses only its own "
                             "soundfonts")
        if p_role > 0:
            _libraries(samples, "horn" if role == "horns" else role)  # the folders are checked before any track
    if not 0.0 <= comp_keys <= 1.0:
        raise SynthOptionError("--comp-keys is a probability: 0 to 1")
    if comp_keys > 0 and generator == "val":
        raise SynthOptionError("--comp-keys is for training sets: the validation generator has its own arrangements")
    solo_voices = tuple(solo_voices)
    if not solo_voices or any(k not in additive.KINDS for k in solo_voices) or len(set(solo_voices)) < len(solo_voices):
        raise SynthOptionError(f"--solo-voices: one or more of {', '.join(additive.KINDS)}, each once")
    opts = {"generator": generator_name(variety, generator), "seed": int(seed), "seconds": float(seconds),
            "soundfonts": [Path(s).name for s in sfs], "degradation_strength": float(degradation_strength),
            "level_profile": level_profile}
    if variety > 0:
        opts["variety"] = float(variety)
    if additive_solo > 0:
        opts["additive_solo"] = float(additive_solo)
    if solo_voices != ("harmonic",):
        opts["solo_voices"] = list(solo_voices)
    if lookalike > 0:
        opts["lookalike"] = float(lookalike)
    if sampled_solo > 0:
        opts["sampled_solo"] = float(sampled_solo)
    if sampled_bass > 0:
        opts["sampled_bass"] = float(sampled_bass)
    if sampled_comp > 0:
        opts["sampled_comp"] = float(sampled_comp)
    if sampled_drums > 0:
        opts["sampled_drums"] = float(sampled_drums)
    if sampled_horns > 0:
        opts["sampled_horns"] = float(sampled_horns)
    if comp_keys > 0:
        opts["comp_keys"] = float(comp_keys)
    if sampled_solo > 0 or sampled_bass > 0 or sampled_comp > 0 or sampled_drums > 0 or sampled_horns > 0:
        opts["samples"] = ",".join(lib.name for lib in _libraries(samples))
    out.mkdir(parents=True, exist_ok=True)  # once every option is known good: a refused run makes no folder
    info_path = out / "dataset.json"
    if info_path.is_file():
        try:
            old = json.loads(info_path.read_text())
            if not isinstance(old, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError) as exc:
            raise SynthError(f"{info_path} is not a dataset description this program wrote ({exc}); use another "
                             "--out folder") from None
        keys = list(opts) + [k for k in ("variety", "additive_solo", "solo_voices", "lookalike", "sampled_solo",
                                         "sampled_bass", "sampled_comp", "sampled_drums", "sampled_horns", "samples",
                                         "comp_keys")
                             if k in old and k not in opts]
        old_opts = {k: old.get(k, "wide" if k == "level_profile" else None) for k in keys}
        opts_all = {k: opts.get(k) for k in keys}
        if old_opts != opts_all:
            raise SynthError(f"{out} was made with other options ({old_opts}); use another --out folder")
    _write_json(info_path, {**opts, "tracks": max(int(tracks), int(json.loads(info_path.read_text()).get("tracks", 0))
                                                  if info_path.is_file() else int(tracks))})
    names = [track_name(i) for i in range(tracks)]
    todo = [i for i in range(tracks) if not is_finished(out / names[i])]
    done = tracks - len(todo)
    if progress:
        progress(done, tracks, "")
    args = (seconds, sfs, degradation_strength, level_profile, variety, generator, additive_solo, solo_voices,
            lookalike, sampled_solo, samples, sampled_bass, sampled_comp, sampled_drums, sampled_horns, comp_keys)
    if jobs == 1 or len(todo) <= 1:
        try:
            for i in todo:
                generate_track(out, seed, i, *args)
                done += 1
                if progress:
                    progress(done, tracks, names[i])
        except BaseException:  # an interrupt or an error: the track under way is not left half made
            clean_partial(out)
            raise
        return names
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        futs = [pool.submit(generate_track, out, seed, i, *args) for i in todo]
        for f in as_completed(futs):
            name = f.result()
            done += 1
            if progress:
                progress(done, tracks, name)
    except BaseException:  # SIGTERM or Ctrl+C: the queued tracks are dropped, not made first (they once were)
        pool.shutdown(wait=True, cancel_futures=True)  # the tracks under way end; then no half-made folder stays
        clean_partial(out)
        raise
    pool.shutdown()
    return names


def clean_partial(out_dir: str | os.PathLike) -> int:
    """Remove unfinished track folders (no meta.json). Returns how many were removed."""
    k = 0
    for d in Path(out_dir).glob("track_*"):
        if d.is_dir() and not is_finished(d):
            shutil.rmtree(d)
            k += 1
    return k
