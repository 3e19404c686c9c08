"""How fast a training recipe learns: seconds a step of ``jazzremix train-separator``, resumed from a checkpoint.

    python benchmarks/training_steps.py --command checkpoints/e42/command.txt \\
        --checkpoint checkpoints/e42/run/last.pt [--steps 300] [--repeats 2] [--precision fp32,bf16] [--source DIR]

The recipe is the command file's options (as ``$(cat FILE)`` gives them to ``train-separator``). Each variant (a
``--precision``, and with ``--source DIR`` the package of that checkout in float32 beside this one's: ``git
archive COMMIT | tar -x -C DIR``) resumes it from a copy of the checkpoint in a temporary folder, in a child
process, once with no step to take (start-up, data loading, the validation, the export) and then ``--steps`` steps,
``--repeats`` times, the variants alternating. The figure is the difference over the steps: seconds a step, and
steps a minute. Each run is checked to have taken its steps with no checkpoint among them (one falls every 5
minutes: time fewer steps). A run on a machine where another training runs measures the sharing: stop it first
(``kill -STOP``; its ``--minutes`` do not count the pause, ``training/budget_clock.py``).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from whole_commands import machine_line, run_command  # noqa: E402

#: Options whose values are folders (comma-separated lists of them), made absolute for a child run in another folder.
_FOLDERS = ("--train", "--val")
#: Options this script sets itself, dropped from the recipe with their values.
_OWN = ("--checkpoints", "--out", "--card", "--max-steps", "--precision", "--average-last")


def recipe(command_file: Path) -> list[str]:
    """The command file's options, its folders absolute and the options this script sets left out."""
    tokens, out = [], []
    for token in shlex.split(command_file.read_text()):  # --name=value as --name value
        tokens += token.split("=", 1) if token.startswith("--") and "=" in token else [token]
    i = 0
    while i < len(tokens):
        name = tokens[i]
        if name in _OWN:
            i += 2
            continue
        out.append(name)
        if name in _FOLDERS and i + 1 < len(tokens):
            i += 1
            out.append(",".join(p if Path(p).is_absolute() else str(ROOT / p) for p in tokens[i].split(",")))
        i += 1
    return out


def checkpoint_step(path: Path) -> int:
    """The step a checkpoint holds."""
    from jazzremix_gui.training import checkpoint

    return int(checkpoint.load_state(path)["step"])


def timed_run(base: list[str], ckpt: Path, step: int, steps: int, precision: str, source: str | None,
              scratch: Path) -> float:
    """Wall seconds of the recipe resumed from ``ckpt`` for ``steps`` steps (in a fresh copy of it)."""
    folder = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copy(ckpt, folder / "last.pt")
    args = ["train-separator", *base, "--checkpoints", str(folder), "--max-steps", str(step + steps),
            "--out", str(folder / "s.onnx"), "--card", str(folder / "s.json")]
    if precision != "fp32":  # the default, and the only arithmetic of a checkout before --precision
        args += ["--precision", precision]
    seconds = run_command(args, source)["seconds"]
    took = checkpoint_step(folder / "last.pt") - step
    checks = sum('"loss"' in line for line in (folder / "log.jsonl").read_text().splitlines())
    shutil.rmtree(folder)
    if took != steps:
        raise SystemExit(f"the run took {took} steps, not {steps}: its checkpoint's budget is spent, or the recipe "
                         "stopped early")
    if checks > 1:
        raise SystemExit(f"a checkpoint and its validation fell inside the {steps} timed steps (every 5 minutes): "
                         "time fewer --steps")
    return seconds


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--command", required=True, type=Path, help="a file of train-separator options (a recipe)")
    ap.add_argument("--checkpoint", required=True, type=Path, help="a last.pt of that recipe to resume from")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--precision", default="fp32,bf16", help="comma-separated: fp32, bf16, auto")
    ap.add_argument("--source", default=None, metavar="DIR", help="an earlier checkout, measured beside this one")
    args = ap.parse_args(argv)
    from jazzremix_gui.training.precision import CHOICES

    names = args.precision.split(",")
    if args.steps < 1 or args.repeats < 1 or not set(names) <= set(CHOICES):
        ap.error(f"--steps and --repeats 1 or more, --precision among {', '.join(CHOICES)} (comma-separated)")
    base, step = recipe(args.command), checkpoint_step(args.checkpoint)
    if step == 0:  # --max-steps 0 would mean no limit
        ap.error(f"{args.checkpoint} holds step 0: give a checkpoint of a run that has taken steps")
    # the --source checkout in float32 only: a checkout from before --precision knows no other arithmetic
    variants = ([("fp32", args.source)] if args.source else []) + [(p, None) for p in names]
    print(machine_line(), flush=True)
    print(f"recipe {args.command}, from step {step} of {args.checkpoint}, {args.steps} steps", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        fixed = {v: timed_run(base, args.checkpoint, step, 0, *v, Path(scratch)) for v in variants}
        runs: dict = {v: [] for v in variants}
        for _ in range(args.repeats):
            for v in variants:
                runs[v].append(timed_run(base, args.checkpoint, step, args.steps, *v, Path(scratch)))
    for (precision, source), walls in runs.items():
        per_step = (statistics.median(walls) - fixed[(precision, source)]) / args.steps
        where = f" ({source})" if source else ""
        print(f"{precision}{where}: start-up and export {fixed[(precision, source)]:.1f} s; {args.steps} steps "
              f"{' / '.join(f'{w:.1f}' for w in walls)} s; {per_step:.3f} s a step "
              f"({60 / per_step if per_step > 0 else float('inf'):.0f} a minute)", flush=True)


if __name__ == "__main__":
    main()
