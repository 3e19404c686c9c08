"""The app's export, from the dialog to the report: :class:`ExportController`.

Steps, each off the UI thread where it computes: the export dialog (or a given plan); the overs
check (:func:`services.exporting.predicted_overs` renders every output once, in a worker); the
questions (overs, files to replace) on the main thread; the files written by
:func:`services.exporting.export_track` in a worker, with progress per stem and Cancel within a
block; then the report (:class:`ui.export_report.ExportReportDialog`). The window shows the
controller's progress and asks it to cancel; it never reaches inside.
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.services import annotations
from jazzremix_gui.services.exporting import export_track, overs_warning, predicted_overs, preflight
from jazzremix_gui.ui.dialogs import ExportDialog
from jazzremix_gui.ui.export_report import ExportReportDialog
from jazzremix_gui.ui.worker import make_runner


class ExportController(QObject):
    """Exports one track at a time; exports queue apart from processing and playback preparation.

    Parameters
    ----------
    settings : Settings
        The export dialog's remembered choices.
    parent : QWidget
        Parent of the dialogs and questions (the main window).

    Signals
    -------
    started(): an export (its overs check included) began: show progress and Cancel.
    progressed(float, str): fraction of the whole export done, and what is being written.
    succeeded(list): the :class:`ClipReport` s of the files written, in the plan's order.
    failed(str): one line, nothing written.
    cancelled(): stopped on request (Cancel, or a question answered No), nothing written.
    finished(): always last, after any of the three.

    Attributes
    ----------
    reports : list of ClipReport or None
        The last export's reports (None until one succeeds, and again when the next starts).
    report_dialog : ExportReportDialog or None
        The last report shown.
    """

    started = Signal()
    progressed = Signal(float, str)
    succeeded = Signal(list)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, settings, parent):
        super().__init__(parent)
        self.settings = settings
        self.parent_widget = parent
        self.runner = make_runner(1, self)
        self.job = None
        self.reports = None
        self.solo_silent: tuple = ()  # where the solo is silent in the export under way (seconds)
        self.report_dialog = None

    @property
    def busy(self) -> bool:
        """Whether an export (or its overs check) is under way."""
        return self.job is not None

    def start(self, track, plan=None, confirm: bool = True):
        """Export ``track`` (its analysis finished) by ``plan``, or by the export dialog when ``plan`` is None.

        With ``confirm``, the outputs are first checked for overs in a worker and the engineer is asked
        about them and about files to replace. Returns the first job started (the check or the writing),
        or None when nothing starts (no track, the dialog cancelled, an export under way).
        """
        if track is None or track.state is None or self.busy:
            return None
        dlg = None
        if plan is None:
            dlg = ExportDialog(track.path, self.settings, self.parent_widget)
            if not dlg.exec():
                return None
            plan = dlg.plan()
        problem = self._problem(lambda: preflight(track.path, plan))
        if problem:  # said before any work or question: an impossible plan, a name too long, the input as an output
            self.started.emit()
            self._failed(problem)
            self._finish()
            return None
        if dlg is not None:
            dlg.remember()  # only choices that can go are offered again next time
        stems = track.processed.stems
        pan, gain = track.state.mix(len(stems), stems.rate), None  # a window at a time: nothing whole-length
        # everything the workers need, copied now: later edits cannot reach them
        models = {"separator": track.processed.separator_version, "mixer": track.processed.mixer_version}
        record = annotations.snapshot(track)
        order = (record, stems, pan, gain, plan, models)
        self.reports = None
        self.solo_silent = pan.solo_silent  # said in the report: what the files were written with
        self.started.emit()
        if not confirm:
            return self._write(*order)
        self.progressed.emit(0.0, "checking levels")

        def check(job):  # one output at a time: progress, and a cancel heard between them
            found = {}
            for i, kind in enumerate(plan.kinds):
                job.progress(i / len(plan.kinds), f"checking the levels of the {kind}")
                found.update(predicted_overs(stems, pan, gain, replace(plan, kinds=(kind,)), record.path))
            return found

        self.job = self.runner.submit(check, "check overs", on_progress=lambda f, m, eta: self.progressed.emit(f, m),
                                      on_success=lambda found: self._checked(found, order),
                                      on_error=lambda message: (self._failed(message), self._finish()),
                                      on_cancel=lambda: (self._cancelled(), self._finish()))
        return self.job

    @staticmethod
    def _problem(check) -> str:
        """``check()``'s error as one line ('' when it passes)."""
        try:
            check()
        except JazzRemixError as exc:
            return str(exc)
        except OSError as exc:
            return describe_os_error(exc, "cannot write there")
        return ""

    def _checked(self, found: dict, order) -> None:
        """Main thread: ask about overs and files to replace, then write (or stop)."""
        record, stems, pan, gain, plan, models = order
        if self.job is not None and self.job.is_cancelled():  # Cancel came while the result was on its way
            self._cancelled()
            self._finish()
            return
        targets = {}
        problem = self._problem(lambda: targets.update(preflight(record.path, plan)))  # again: the folder may
        if problem:  # have changed while the levels were checked; never left busy by an error here
            self._failed(problem)
            self._finish()
            return
        warning = overs_warning(found, plan.clip)
        ok = not warning or QMessageBox.question(self.parent_widget, "Export: overs", warning + "\n\nExport?") \
            == QMessageBox.StandardButton.Yes
        existing = [p for p in targets.values() if os.path.lexists(p)] if ok else []
        if existing:
            names = "\n".join(str(p) for p in existing)
            ok = QMessageBox.question(self.parent_widget, "Overwrite files?",
                                      f"These files exist and will be replaced:\n{names}") \
                == QMessageBox.StandardButton.Yes
        if ok:
            self._write(*order)
        else:  # declined: said like a cancel (nothing written), not left without a word
            self._cancelled()
            self._finish()

    def _write(self, record, stems, pan, gain, plan, models):
        def work(job):
            reports = export_track(record.path, stems, pan, gain, plan, job, models)
            annotations.record_export(record)
            return reports

        self.job = self.runner.submit(work, "export", on_success=self._succeeded, on_error=self._failed,
                                      on_progress=lambda f, m, eta: self.progressed.emit(f, m),
                                      on_cancel=self._cancelled, on_done=self._finish)
        return self.job

    def _succeeded(self, reports) -> None:
        self.reports = list(reports)
        self.succeeded.emit(self.reports)
        self.report_dialog = ExportReportDialog(self.reports, self.parent_widget, self.solo_silent)
        self.report_dialog.show()

    def _failed(self, message: str) -> None:
        self.failed.emit(message)

    def _cancelled(self) -> None:
        self.cancelled.emit()

    def _finish(self) -> None:
        """The export ended (written, failed, cancelled or declined)."""
        self.job = None
        self.finished.emit()

    def cancel(self) -> None:
        """Stop the export under way (its files appear whole or not at all)."""
        if self.job is not None:
            self.job.cancel()

    def shutdown(self, wait_ms: int) -> bool:
        """Cancel the export under way and wait at most ``wait_ms`` for it to clean up; returns whether it ended."""
        self.runner.cancel_all()
        return self.runner.wait(wait_ms)
