"""``jazzremix batch SOURCE... --out DIR [--scheduler ADDRESS] [--remix]``: whole archives on a Dask cluster.

Needs the ``batch`` extra (``dask.distributed``). Without ``--scheduler`` it starts a local
cluster of worker processes (one per core); with it, it uses an existing cluster. Every
worker must see SOURCE, DIR and the models at the same paths (a shared filesystem).
"""

from __future__ import annotations

import importlib.util
import sys

from jazzremix_gui.cli.common import add_model_option, error
from jazzremix_gui.cli.separate_cmd import prepare_out_dir
from jazzremix_gui.core.files import interrupts
from jazzremix_gui.core.audio.formats import FORMATS, OutputSpec

INSTALL_HINT = "pip install 'jazzremix-gui[batch]'"


def register(sub) -> None:
    p = sub.add_parser("batch", help="separate, suggest (and remix) whole folders on a Dask cluster (batch extra)",
                       description="For each audio file in SOURCE (files, or folders searched recursively) write "
                                   "DIR/<sub-folder>/<name>.solo.<ext> and <name>.accompaniment.<ext> (and "
                                   "<name>.remix.<ext> with --remix, at the suggested pan and gain), and one line "
                                   "per input in DIR/manifest.jsonl. A re-run skips inputs already done with the "
                                   "same models and options; Ctrl+C stops cleanly and the same command resumes. "
                                   "All workers must see SOURCE, DIR and the models at the same paths.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="audio files or folders (recursive)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler (tcp://host:8786) or its "
                   "scheduler file (.json); default: a local cluster of worker processes")
    p.add_argument("--dashboard", metavar="HOST:PORT", help="where the local cluster's dashboard listens (default: "
                   "127.0.0.1:8787, this machine only; 0.0.0.0:8787 opens it to the network, without a "
                   "password)")
    p.add_argument("--workers", type=int, metavar="N", help="local cluster size (default: one worker per core)")
    p.add_argument("--model-threads", type=int, metavar="T", help="ONNX Runtime threads per worker (default: each "
                   "machine's cores / its worker processes)")
    p.add_argument("--remix", action="store_true", help="also write the remix at the suggested pan and gain")
    p.add_argument("--format", choices=list(FORMATS), default="wav",
                   help="file format (overs are limited to -1 dBTP, as separate's default --clip limit)")
    p.add_argument("--bits", type=int, choices=[16, 24, 32], default=24, help="bit depth (32 = float, WAV only)")
    p.add_argument("--retry-failed", action="store_true", help="try again inputs that failed in an earlier run")
    add_model_option(p, "separator")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model (default: your fine-tuned one, else the shipped one)")
    p.set_defaults(func=run)


def _describe(record: dict) -> str:
    """``INPUT: done`` or the error line (which names the input)."""
    if record["status"] == "done":
        return f"{record['input']}: done" + "".join(f"\n  warning: {w}" for w in record.get("warnings") or [])
    err = record["error"] or "failed"
    return err if err.startswith(record["input"]) else f"{record['input']}: failed: {err}"


def _reporter(total: int):
    """``(on_record, close)``: a tqdm bar on a terminal, else one line per input."""
    if not sys.stderr.isatty():
        def line(record, tally):
            print(f"[{tally.done + tally.failed}/{total}] {_describe(record)}", file=sys.stderr, flush=True)
        return line, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True)

    def update(record, tally):
        if record["status"] == "failed" or record.get("warnings"):
            bar.write(_describe(record), file=sys.stderr)
        bar.set_postfix_str(f"done {tally.done}, failed {tally.failed}, "
                            f"{tally.audio_hours_per_hour():.0f} audio h/h", refresh=False)
        bar.update(1)
    return update, bar.close


def run(args) -> int:
    if importlib.util.find_spec("distributed") is None:
        error(f"batch needs the batch extra (dask.distributed): {INSTALL_HINT}")
        return 1
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.services.batch import runner, sources, task
    from jazzremix_gui.services.batch.manifest import Manifest

    for name in ("workers", "model_threads"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            error(f"--{name.replace('_', '-')} {getattr(args, name)}: must be at least 1")
            return 2
    if args.scheduler and args.dashboard:
        error("--dashboard places the local cluster's dashboard; an existing scheduler has its own")
        return 2
    if args.scheduler and args.workers:
        error("--workers sizes the local cluster; on an existing cluster start workers with `dask worker`")
        return 2
    OutputSpec(args.format, args.bits).check()
    inputs = sources.collect(args.sources, args.out)
    refused = task.refused_inputs([i.path for i in inputs], [i.out_dir for i in inputs], args.format, bool(args.remix))
    for line in refused.values():  # an output that is an input, or outside --out: that input alone, before any work
        error(line)
    inputs = [i for i in inputs if str(i.path) not in refused]
    if not inputs:
        if not refused:
            error(f"no audio files in {' '.join(args.sources)}")
        return 1
    out = prepare_out_dir(args.out)
    models = {kind: {"path": str(s.path), **task.model_identity(s)} for kind, s in
              (("separator", pipeline.load_model(args.model, "separator")),
               ("mixer", pipeline.load_model(args.mixer, "mixer")))}
    options = {"format": args.format, "bits": args.bits, "remix": bool(args.remix)}
    with Manifest(out) as manifest:
        if manifest.skipped:
            print(f"{manifest.path}: {manifest.skipped} unreadable line{'s' * (manifest.skipped != 1)} skipped "
                  f"({manifest.first_problem})", file=sys.stderr)
        plan = manifest.plan(inputs, {k: {"version": v["version"], "sha256": v["sha256"]} for k, v in models.items()},
                             options, args.retry_failed)
        print(f"{len(inputs)} inputs: {len(plan.todo)} to do, {plan.skipped_done} done earlier, "
              f"{plan.skipped_failed} failed earlier" + (" (unchanged; --retry-failed tries them again)"
                                                         if plan.skipped_failed else ""), file=sys.stderr)
        if not plan.todo:
            return 1 if plan.skipped_failed or refused else 0
        client, cluster = runner.connect(args.scheduler, args.workers, args.dashboard)
        try:
            link = runner.dashboard_link(client)
            print(f"dashboard: {link}" if link else f"dashboard: none (it needs bokeh: {INSTALL_HINT})", file=sys.stderr)
            specs = [task.TaskSpec(str(item.path), str(item.out_dir), args.format, args.bits, bool(args.remix),
                                   models, args.model_threads, known=known) for item, known in plan.todo]
            on_record, close = _reporter(len(specs))
            tally = runner.Tally()
            try:
                runner.run(client, manifest, specs, on_record, tally)
            except KeyboardInterrupt as exc:
                close()
                error(f"{interrupts.describe(exc)}: stopped after {tally.done} done and {tally.failed} failed in "
                      "this run; run the same command again to resume")
                return interrupts.exit_status(exc)
            finally:
                close()
        finally:
            runner.disconnect(client, cluster)
    amount = f"{tally.audio_s / 3600:.2f} h" if tally.audio_s >= 3600 else f"{tally.audio_s / 60:.1f} min"
    print(f"{tally.done} done, {tally.failed} failed ({tally.retried} retries); {amount} of audio at "
          f"{tally.audio_hours_per_hour():.0f} audio hours per hour; manifest: {manifest.path}", file=sys.stderr)
    return 1 if tally.failed or plan.skipped_failed or refused else 0
