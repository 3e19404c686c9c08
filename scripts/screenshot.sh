#!/usr/bin/env bash
# Run the Jazz Remix app under Xvfb, drive it into a state and grab the screen with ImageMagick.
#
#   scripts/screenshot.sh STATE OUT.png [FILE ...]
#
# STATE: empty | main (FILEs opened, wait until processed) | processing (drop FILE, grab mid-separation)
#        | other-side (processed, then separated again with the solo where another part holds its place)
#        | by-pitch (processed, then separated again with the side the pitch chooses: the legend's link)
#        | adapted (processed, then separated again by the separator adapted to it, the context menu open)
#        | again (processed and edited, then grabbed while it is separated again with a solo side given)
#        | edited (processed, per-section automation on, a cell picked, playing in a loop)
#        | silent (processed, the solo made silent in a loop region from 20 to 45 % of the track, the Edit menu open)
#        | export (export dialog over a processed track) | report (an export's report, a passage's solo made silent
#        first) | about | preferences
#        | nomodel (no model installed)
# The screen is grabbed with ImageMagick's import, or by Qt where import is missing.
# Environment: JR_SEP / JR_MIX model files (default: the installed ones), JR_SIZE window size (WxH, default
# 1580x960, or "fit": as the app opens on the screen), JR_SCREEN Xvfb screen size (default 1600x1000),
# DISPLAY (default: a new Xvfb :99),
# PY (default .venv/bin/python).
set -euo pipefail
STATE=${1:?state}; OUT=${2:?output png}; shift 2
PY=${PY:-.venv/bin/python}
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:99
  if ! xdpyinfo -display :99 >/dev/null 2>&1; then
    Xvfb :99 -screen 0 "${JR_SCREEN:-1600x1000}x24" >/tmp/jazzremix-xvfb.log 2>&1 &
    XVFB_PID=$!
    trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
    sleep 1
  fi
fi
export QT_QPA_PLATFORM=xcb
export JR_STATE=$STATE JR_OUT=$OUT
"$PY" - "$@" <<'PYEOF'
import os, shutil, subprocess, sys
from pathlib import Path
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from jazzremix_gui.ui.app import make_app
from jazzremix_gui.ui.main_window import MainWindow
from jazzremix_gui.ui import actions
from jazzremix_gui.ui.dialogs import AboutDialog, ExportDialog, PreferencesDialog

state, out, files = os.environ["JR_STATE"], os.environ["JR_OUT"], sys.argv[1:]
app = make_app()
models = (os.environ.get("JR_SEP"), os.environ.get("JR_MIX"))
if state == "nomodel":
    models = ("/nonexistent/separator.onnx", "/nonexistent/mixer.onnx")
w = MainWindow(model_paths=models if any(models) else None)
w.keeper.ask = lambda box: QMessageBox.StandardButton.Discard  # never a modal question at the end
size = os.environ.get("JR_SIZE", "1580x960")
if size != "fit":  # "fit": the size the window chooses for the screen
    w.resize(*map(int, size.split("x")))
    w.move(10, 10)
w.show()

def grab(then_quit=True):
    app.processEvents()
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", out], check=True)
    else:  # no ImageMagick: Qt grabs the root window (the whole X screen) itself
        if not app.primaryScreen().grabWindow(0).save(out):
            sys.exit(f"cannot write {out}")
    print("wrote", out)
    if then_quit:
        QTimer.singleShot(100, w.close)

def drop(paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(Path(p).resolve())) for p in paths])
    pos = QPointF(w.width() / 2, w.height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, enter)
    ev = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, ev)

def when(cond, action, timeout_s=300):
    t = QTimer(w)
    t.setInterval(100)
    left = [timeout_s * 10]
    def tick():
        left[0] -= 1
        if cond() or left[0] <= 0:
            t.stop()
            action()
    t.timeout.connect(tick)
    t.start()

def all_done():
    return bool(w.manager.tracks) and not any(t.busy for t in w.manager.tracks)

if state == "empty":
    QTimer.singleShot(1500, grab)
elif state == "processing":
    QTimer.singleShot(500, lambda: drop(files))
    when(lambda: w.current is not None and w.current.progress > 0.3, lambda: QTimer.singleShot(300, grab))
elif state in ("main", "nomodel"):
    w.open_files(files)
    when(all_done, lambda: QTimer.singleShot(1500, grab))
elif state == "other-side":  # processed, then separated again with the solo where another part holds its place
    w.open_files(files)
    def other_side():
        others = w.current.processed.stems.others_deg
        if not others:
            sys.exit("no other part was named for this file")
        w.separate_with_side(others[0])
        QTimer.singleShot(500, lambda: when(all_done, lambda: QTimer.singleShot(1500, grab)))
    when(all_done, other_side)
elif state == "by-pitch":  # processed, then separated again with the side the pitch chooses (the status bar says it)
    w.open_files(files)
    def by_pitch():
        if not w.current.processed.stems.others_deg:
            sys.exit("no other part was named for this file")
        w.separate_with_side_by_pitch()
        QTimer.singleShot(500, lambda: when(all_done, lambda: QTimer.singleShot(1500, grab)))
    when(all_done, by_pitch)
elif state == "adapted":  # processed, then separated again by the separator adapted to it; its menu shown
    w.open_files(files)
    def adapted():
        w.tracks_panel.act_adapt.trigger()
        def menu():
            from PySide6.QtWidgets import QMenu
            m = QMenu(w)
            m.addActions(w.tracks_panel.list.actions())
            m.popup(w.tracks_panel.list.mapToGlobal(w.tracks_panel.list.rect().center()))
            QTimer.singleShot(800, grab)
        QTimer.singleShot(500, lambda: when(all_done, lambda: QTimer.singleShot(1500, menu), 900))
    when(all_done, adapted)
elif state == "again":  # edited, then Solo side...: the controls wait while it separates again
    w.open_files(files)
    def again():
        w.edit(-25.0, 1.3, False, "Pick on the map")
        w.separate_with_side(-20.0)
        when(lambda: w.current.busy and w.current.progress > 0.3, lambda: QTimer.singleShot(200, grab))
    when(all_done, again)
elif state == "edited":
    w.open_files(files)
    def edit():
        st = w.current.state
        if st.has_sections:
            w.set_automation(True)
            w.select_section(min(1, len(st.bounds) - 1))
        w.edit(-25.0, 1.3, False, "Pick on the map")
        w.transport.loop.setChecked(True)
        w.toggle_play()
        QTimer.singleShot(2500, grab)
    when(lambda: all_done() and (w.player.ready or not w.player.available), edit)
elif state == "silent":  # the solo silent in the loop region (Edit > Solo silent in the loop region)
    w.open_files(files)
    def silent():
        d = w.timeline.duration
        w.transport.loop.setChecked(True)
        w.timeline.set_loop(0.2 * d, 0.45 * d, True)
        w.player.set_loop(0.2 * d, 0.45 * d, True)
        w.act_solo_silent.trigger()
        w.timeline.set_loop(0.55 * d, 0.7 * d, True)  # the next passage chosen, the menu open over it
        edit = next(a for a in w.menuBar().actions() if a.text() == "&Edit")
        QTimer.singleShot(300, lambda: w.menuBar().setActiveAction(edit))
        QTimer.singleShot(1200, grab)
    when(lambda: all_done() and (w.player.ready or not w.player.available), silent)
elif state == "export":
    w.open_files(files)
    def show_export():
        w.transport.meter.set_levels([1.4, 0.9])  # an over on the left: its light holds (the meter's look)
        w.transport.meter.set_levels([0.5, 0.4])
        dlg = ExportDialog(w.current.path, w.settings, w)
        dlg.show()
        dlg.move(w.x() + 500, w.y() + 250)
        QTimer.singleShot(800, lambda: (grab(False), dlg.close(), w.close()))
    when(all_done, show_export)
elif state == "report":  # an export of the stems and the remix into a temporary folder, then its report
    import tempfile
    from jazzremix_gui.services.exporting import ExportPlan
    w.open_files(files)
    folder = Path(tempfile.mkdtemp(prefix="jazzremix-shot-"))
    def export():
        d = w.timeline.duration  # a passage marked first (Edit > Solo silent in the loop region): the report says it
        w.transport.loop.setChecked(True)
        w.timeline.set_loop(0.2 * d, 0.45 * d, True)
        w.act_solo_silent.trigger()
        w.exporter.start(w.current, ExportPlan(folder), confirm=False)
        when(lambda: w.exporter.report_dialog is not None, show_report)
    def show_report():
        w.exporter.report_dialog.move(w.x() + 420, w.y() + 300)
        QTimer.singleShot(800, lambda: (grab(False), shutil.rmtree(folder), w.close()))
    when(all_done, export)
elif state == "about":
    def show_about():
        dlg = AboutDialog(*w.model_paths(), parent=w)
        dlg.show()
        QTimer.singleShot(800, lambda: (grab(False), dlg.close(), w.close()))
    QTimer.singleShot(800, show_about)
elif state == "preferences":
    def show_preferences():
        dlg = PreferencesDialog(w.settings, w)
        dlg.show()
        dlg.move(w.x() + 300, w.y() + 200)
        QTimer.singleShot(800, lambda: (grab(False), dlg.close(), w.close()))
    QTimer.singleShot(800, show_preferences)
sys.exit(app.exec())
PYEOF
