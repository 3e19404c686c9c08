"""``jazzremix train-separator``: train a separator (training extra: PyTorch) and export it to ONNX."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("train-separator", help="train a separator on a synthesised dataset (needs the train extra)")
    p.add_argument("--arch", choices=["mask", "seed"], default="mask", help="mask: the default model; seed: the paper's")
    p.add_argument("--train", default="data/train", metavar="DIR")
    p.add_argument("--val", default="data/val", metavar="DIR")
    p.add_argument("--out", default=None, metavar="FILE", help="ONNX file to write (default models/separator.onnx "
                   "for mask, checkpoints/separator-seed.onnx for seed)")
    p.add_argument("--checkpoints", default=None, metavar="DIR", help="checkpoint folder (resumes from it)")
    p.add_argument("--minutes", type=float, default=55.0, help="training time budget")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--frames", type=int, default=64, help="frames per training window")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--width", type=int, default=256, help="bottleneck width of the mask architecture")
    p.add_argument("--remix", type=float, default=0.0, metavar="P",
                   help="share of examples that remix the solo and accompaniment of different tracks")
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--half", action="store_true", help="store weights as float16")
    p.add_argument("--card", default=None, metavar="FILE", help="model card path (default: beside the model; "
                   "models/separator-seed.json for the seed architecture, whose weights are not shipped)")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        from jazzremix_gui.training.train_separator import SeparatorConfig, train
    except ImportError as exc:
        from jazzremix_gui.core.errors import JazzRemixError

        raise JazzRemixError(f"training needs the train extra (pip install '.[train]'): {exc}") from None
    out = args.out or ("models/separator.onnx" if args.arch == "mask" else "checkpoints/separator-seed.onnx")
    cfg = SeparatorConfig(arch=args.arch, train_dir=args.train, val_dir=args.val, out=out,
                          checkpoint_dir=args.checkpoints or f"checkpoints/separator-{args.arch}", minutes=args.minutes,
                          seed=args.seed, threads=args.threads, batch=args.batch, frames=args.frames,
                          lr=args.lr or (1e-3 if args.arch == "mask" else 1e-4), max_steps=args.max_steps,
                          half=args.half, width=args.width, remix=args.remix,
                          card=args.card or ("models/separator-seed.json" if args.arch == "seed" else ""))
    card = train(cfg)
    med = card["validation"]["median_sdr_db"]
    print(f"{out}: median solo SDR {med['solo']:.2f} dB (oracle {med['oracle_solo']:.2f}), "
          f"accompaniment {med['accompaniment']:.2f} dB (oracle {med['oracle_accompaniment']:.2f})")
    return 0
