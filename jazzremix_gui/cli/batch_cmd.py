"""``jazzremix batch SOURCE... --out DIR [--scheduler ADDRESS] [--remix]``: whole archives on a Dask cluster.

Needs the ``batch`` extra (``dask.distributed``). Without ``--scheduler`` it starts a local
cluster of worker processes (one per core); with it, it uses an existing cluster. Every
worker must see SOURCE, DIR and the models at the same paths (a shared filesystem). The
output options are those of ``separate`` and ``remix`` (:mod:`cli.output_options`); they
travel to the workers in each :class:`services.batch.task.TaskSpec` and the manifest records
them, so a re-run with other options redoes the inputs. ``--json`` prints one JSON object on
stdout at the end and nothing else there.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from jazzremix_gui.cli.common import add_model_option, error, note
from jazzremix_gui.cli.output_options import add_loudness_option, add_output_options, outputs_json, spec_from
from jazzremix_gui.cli.separate_cmd import SOLO_HELP, prepare_out_dir, shared_gain_db
from jazzremix_gui.cli.streams import one_line
from jazzremix_gui.core.files import interrupts
from jazzremix_gui.services import naming, remix_writer

INSTALL_HINT = "pip install 'jazzremix-gui[batch]'"


def register(sub) -> None:
    p = sub.add_parser("batch", help="separate, suggest (and remix) whole folders on a Dask cluster (batch extra)",
                       description="For each audio file in SOURCE (files, or folders searched recursively) write "
                                   "DIR/<sub-folder>/<name>.solo.<ext> and <name>.accompaniment.<ext> (and "
                                   "<name>.remix.<ext> with --remix, at the suggested pan and gain), or as "
                                   "--filename says, and one line per input in DIR/manifest.jsonl. The output "
                                   "options are those of separate and remix. A re-run skips inputs already done "
                                   "with the same models and options (and redoes one whose file changed or whose "
                                   "outputs are incomplete); an input whose files are there from other options or "
                                   "models, or not from this batch, is refused unless --overwrite. Ctrl+C stops "
                                   "cleanly and the same command resumes. All workers must see SOURCE, DIR and the "
                                   "models at the same paths.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="audio files or folders (recursive)")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler (tcp://host:8786) or its "
                   "scheduler file (.json); default: a local cluster of worker processes")
    p.add_argument("--dashboard", metavar="HOST:PORT", help="where the local cluster's dashboard listens (default: "
                   "127.0.0.1:8787, this machine only; 0.0.0.0:8787 opens it to the network, without a "
                   "password)")
    p.add_argument("--workers", type=int, metavar="N", help="local cluster size (default: one worker per core)")
    p.add_argument("--model-threads", type=int, metavar="T", help="ONNX Runtime threads per worker (default: each "
                   "machine's cores / its worker processes)")
    p.add_argument("--remix", action="store_true", help="also write the remix at the suggested pan and gain "
                   "(per section, as jazzremix remix)")
    p.add_argument("--solo", choices=remix_writer.SEPARATE_SOLO_MODES, default="mono", help=SOLO_HELP)
    add_loudness_option(p)
    add_output_options(p, default_template=naming.BATCH_TEMPLATE)
    p.add_argument("--keep-mono", action="store_true", help="a mono recording gives a mono accompaniment")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout at the end: each input's "
                   "files, error or skipped state, the counts and the options (nothing else on stdout)")
    p.add_argument("--retry-failed", action="store_true", help="try again inputs that failed in an earlier run")
    add_model_option(p, "separator")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model (default: your fine-tuned one, else the shipped one)")
    p.set_defaults(func=run)


def _describe(record: dict, reports: dict | None = None) -> str:
    """:func:`_lines` joined."""
    return "\n".join(_lines(record, reports))


def _lines(record: dict, reports: dict | None = None) -> list[str]:
    """``INPUT: done`` or the error line (which names the input); then its warnings, what the separator heard
    differently (:func:`core.signal.input_level.heard_lines`), and what the clip mode did to each file that went
    beyond full scale (``reports``: kind -> ClipReport). A terminal gets each through :func:`one_line`: a name's
    control characters escaped, the lines still lines."""
    from jazzremix_gui.core.signal.input_level import heard_lines, heard_of

    if record["status"] == "done":
        heard = heard_lines(heard_of(record))
        return [f"{record['input']}: done", *(f"  warning: {w}" for w in record.get("warnings") or []),
                *(f"  {line}" for line in heard), *(f"  {r.describe()}" for r in _hot(reports))]
    err = record["error"] or "failed"
    return [err if err.startswith(record["input"]) else f"{record['input']}: failed: {err}"]


def _hot(reports: dict | None) -> list:
    """The clip reports of files that went beyond full scale."""
    return [r for r in (reports or {}).values() if r.over]


def _reporter(total: int):
    """``(on_record, close)``: a tqdm bar on a terminal, else one line per input; on stderr."""
    if not sys.stderr.isatty():
        def line(record, tally, reports):
            first, *rest = _lines(record, reports)
            for text in [f"[{tally.done + tally.failed}/{total}] {first}", *rest]:
                print(one_line(text), file=sys.stderr, flush=True)
        return line, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True)

    def update(record, tally, reports):
        lines = _lines(record, reports)
        if record["status"] == "failed" or len(lines) > 1:  # warnings, what was heard differently, overs
            for text in lines:
                bar.write(one_line(text), file=sys.stderr)
        bar.set_postfix_str(f"done {tally.done}, failed {tally.failed}, "
                            f"{tally.audio_hours_per_hour():.0f} audio h/h", refresh=False)
        bar.update(1)
    return update, bar.close


class Summary:
    """What ``--json`` prints: one entry per input in the batch's order, the counts, the options.

    Each entry has ``input``, ``status`` (``written``, ``skipped`` or ``failed``) and ``outputs``:
    for a file written in this run, :func:`cli.output_options.outputs_json` of its clip reports
    (and ``shared_gain_db`` when ``rescale`` scaled both stems, ``suggestion``, ``warnings``); for
    a skipped one, ``{"stem", "path"}`` of the files an earlier run wrote and ``earlier`` (the
    state it was skipped in: ``done``, ``failed`` with its ``error``, or ``unchanged``: touched but
    the same bytes, hashed again on a worker); for a failed or refused one, ``error`` (one line).
    """

    def __init__(self, inputs, options: dict, active: bool = True):
        #: Entries by input, in the batch's order; nothing is kept unless ``active`` (``--json`` given).
        self.entries = {str(i.path): {"input": str(i.path)} for i in inputs} if active else {}
        self.options, self.active = options, active

    def _put(self, entry: dict) -> None:
        if self.active:
            self.entries[entry["input"]] = entry

    def failed(self, path: str, line: str) -> None:
        self._put({"input": path, "status": "failed", "error": line, "outputs": []})

    def skipped(self, record: dict, earlier: str) -> None:
        self._put({"input": record["input"], "status": "skipped", "earlier": earlier, "error": record.get("error"),
                   "outputs": [{"stem": k, "path": p} for k, p in (record.get("outputs") or {}).items()]})

    def record(self, record: dict, reports: dict | None = None) -> None:
        """One result of this run (the runner's ``on_record``)."""
        if record["status"] != "done":
            return self.failed(record["input"], _describe(record))
        if record.get("unchanged"):
            return self.skipped(record, "unchanged")
        reports = reports or {}
        entry = {"input": record["input"], "status": "written", "outputs": outputs_json(reports, self.options["solo"])}
        shared = shared_gain_db([reports[k] for k in ("solo", "accompaniment") if k in reports])
        if shared is not None:
            entry["shared_gain_db"] = shared
        self._put(entry | {"suggestion": record.get("suggestion"), "warnings": record.get("warnings") or []})

    def text(self, manifest, interrupted: bool = False) -> str:
        """The JSON object, on one line."""
        files = [e for e in self.entries.values() if "status" in e]  # inputs not reached when stopped: left out
        counts = {s: sum(e["status"] == s for e in files) for s in ("written", "skipped", "failed")}
        earlier = sum(e.get("earlier") == "failed" for e in files)
        return json.dumps({"files": files, **counts, "failed_earlier": earlier, "interrupted": interrupted,
                           "options": self.options, "manifest": str(manifest)})


@contextmanager
def _stdout_on_stderr(active: bool):
    """While ``active`` (``--json``): file descriptor 1 points at stderr, so that whatever the local workers (which
    inherit it) or a library print lands there, and stdout holds the JSON object alone."""
    try:
        sys.stdout.flush()
        saved = os.dup(1) if active else None
    except OSError:  # no descriptor 1 to point anywhere
        saved = None
    if saved is None:
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _task_specs(args, spec, inputs) -> list:
    """One TaskSpec per input (``services.naming.InputFile``) with the command's output options (``spec``: their
    checked OutputSpec)."""
    from jazzremix_gui.services.batch import task

    base = task.TaskSpec("", str(Path(args.out).resolve()), spec.fmt, spec.bits, bool(args.remix),
                         bitrate=spec.bitrate, clip=args.clip, template=args.filename, solo=args.solo,
                         keep_mono=args.keep_mono, loudness=args.loudness)
    return [dataclasses.replace(base, input=str(i.path), subfolder=i.subfolder) for i in inputs]


def run(args) -> int:
    if importlib.util.find_spec("distributed") is None:
        error(f"batch needs the batch extra (dask.distributed): {INSTALL_HINT}")
        return 1
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.services.batch import sources, task
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
    spec = spec_from(args)  # format, bits, bitrate, clip mode and template checked before the folders are searched
    naming.check_template(args.filename)
    inputs = sources.collect(args.sources, args.out)
    specs = _task_specs(args, spec, inputs)
    kept, skipped = naming.without_earlier_outputs({i: s.targets() for i, s in zip(inputs, specs)})
    if skipped:  # --out is a source folder: an earlier run's stems there are not inputs
        note(skipped)
        specs = [s for i, s in zip(inputs, specs) if i in kept]
        inputs = list(kept)
    summary = Summary(inputs, specs[0].options() if specs else {}, args.json)
    refused = task.refused_inputs(specs)
    for path, line in refused.items():  # an output that is an input, or outside --out: that input alone, before any work
        error(line)
        summary.failed(path, line)
    specs = [s for s in specs if s.input not in refused]
    if not specs:
        if not refused:
            error(f"no audio files in {' '.join(args.sources)}")
        return _finish(args, summary, Path(args.out) / "manifest.jsonl", 1)
    out = prepare_out_dir(args.out)
    models = {kind: {"path": str(s.path), **task.model_identity(s)} for kind, s in
              (("separator", pipeline.load_model(args.model, "separator")),
               ("mixer", pipeline.load_model(args.mixer, "mixer")))}
    with Manifest(out) as manifest:
        if manifest.skipped:
            print(f"{manifest.path}: {manifest.skipped} unreadable line{'s' * (manifest.skipped != 1)} skipped "
                  f"({manifest.first_problem})", file=sys.stderr)
        by_input = {s.input: s for s in specs}
        plan = manifest.plan([i for i in inputs if str(i.path) in by_input],
                             {k: {"version": v["version"], "sha256": v["sha256"]} for k, v in models.items()},
                             specs[0].options(), args.retry_failed)
        for _, rec in plan.skipped:
            summary.skipped(rec, rec["status"])
        if not args.overwrite:  # to do with other options or models, but files are there: refused, not written over
            there = naming.existing({str(item.path): by_input[str(item.path)].targets()
                                     for item, known in plan.todo if known is None})
            for path, line in there.items():
                error(line)
                summary.failed(path, line)
            refused.update(there)
            plan.todo = [(item, known) for item, known in plan.todo if str(item.path) not in there]
        print(f"{len(inputs)} input{'s' * (len(inputs) != 1)}: {len(plan.todo)} to do, "
              f"{plan.skipped_done} done earlier, "
              f"{plan.skipped_failed} failed earlier" + (" (unchanged; --retry-failed tries them again)"
                                                         if plan.skipped_failed else ""), file=sys.stderr)
        if not plan.todo:
            return _finish(args, summary, manifest.path, 1 if plan.skipped_failed or refused else 0)
        todo = [dataclasses.replace(by_input[str(item.path)], models=models, threads=args.model_threads, known=known)
                for item, known in plan.todo]
        with _stdout_on_stderr(args.json):
            tally, stopped = _run_on_cluster(args, manifest, todo, summary)
    if stopped is not None:
        error(f"{interrupts.describe(stopped)}: stopped after {tally.done} done and {tally.failed} failed in "
              "this run; run the same command again to resume")
        return _finish(args, summary, manifest.path, interrupts.exit_status(stopped), interrupted=True)
    amount = f"{tally.audio_s / 3600:.2f} h" if tally.audio_s >= 3600 else f"{tally.audio_s / 60:.1f} min"
    print(f"{tally.done} done, {tally.failed} failed ({tally.retried} retries); {amount} of audio at "
          f"{tally.audio_hours_per_hour():.0f} audio hours per hour; manifest: {manifest.path}", file=sys.stderr)
    return _finish(args, summary, manifest.path, 1 if tally.failed or plan.skipped_failed or refused else 0)


def _run_on_cluster(args, manifest, todo: list, summary: Summary):
    """Connect, run the tasks, leave; returns the tally and the KeyboardInterrupt that stopped it (or None)."""
    from jazzremix_gui.services.batch import runner

    client, cluster = runner.connect(args.scheduler, args.workers, args.dashboard)
    try:
        link = runner.dashboard_link(client)
        print(f"dashboard: {link}" if link else f"dashboard: none (it needs bokeh: {INSTALL_HINT})", file=sys.stderr)
        show, close = _reporter(len(todo))

        def on_record(record, tally, reports):
            summary.record(record, reports)
            show(record, tally, reports)

        tally = runner.Tally()
        try:
            runner.run(client, manifest, todo, on_record, tally)
        except KeyboardInterrupt as exc:
            return tally, exc
        finally:
            close()
    finally:
        runner.disconnect(client, cluster)
    return tally, None


def _finish(args, summary: Summary, manifest, status: int, interrupted: bool = False) -> int:
    """Print the ``--json`` object (when asked) and return the exit status."""
    if args.json:
        print(summary.text(manifest, interrupted))
    return status
