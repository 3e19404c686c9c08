"""Dialogs: export options, preferences (output device, models) and About (models, their cards, provider)."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QTextBrowser,
                               QVBoxLayout, QWidget)

from jazzremix_gui import __version__
from jazzremix_gui.core import device, logs, pipeline
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.errors import ModelError
from jazzremix_gui.core.models import card_meta
from jazzremix_gui.playback import devices
from jazzremix_gui.core.audio.formats import FORMATS, LOSSY, MP3_BITRATES
from jazzremix_gui.services import cache
from jazzremix_gui.services.exporting import KINDS, ExportPlan
from jazzremix_gui.ui.settings import OPTIONS

#: File-dialog filter of the recordings the app opens.
AUDIO_FILTER = "Audio files (*.wav *.flac *.mp3 *.ogg *.aif *.aiff);;All files (*)"
FORMAT_LABELS = {"wav": "WAV", "flac": "FLAC", "aiff": "AIFF", "mp3": "MP3", "ogg": "OGG Vorbis"}
CLIP_LABELS = {"limit": "Limit to -1 dBTP (transparent look-ahead limiter)",
               "rescale": "Rescale the whole file to -1 dBTP", "clamp": "Clip (hard)",
               "none": "Keep overs (32-bit float only)"}

SOLO_LABELS = {"mono": "mono", "remix": "stereo, panned as in the remix", "stereo": "stereo, as recorded",
               "residual": "residual: recording − accompaniment (stems add up)"}


def _path_row(edit: QLineEdit, pick) -> QWidget:
    w = QWidget()
    row = QHBoxLayout(w)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    b = QPushButton("Browse…")
    b.clicked.connect(pick)
    row.addWidget(b)
    return w


class ExportDialog(QDialog):
    """Choose what to export, the format, bit depth and folder; :meth:`plan` returns the choice."""

    def __init__(self, input_path, settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.input_path = Path(input_path)
        form = QFormLayout(self)
        self.kinds = {k: QCheckBox(label) for k, label in
                      (("solo", "Solo"), ("accompaniment", "Accompaniment (stereo)"), ("remix", "Remix (stereo)"))}
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        for cb in self.kinds.values():
            cb.setChecked(True)
            col.addWidget(cb)
        form.addRow("Files", box)
        self.solo = QComboBox()
        for mode, label in SOLO_LABELS.items():
            self.solo.addItem(label, mode)
        self.solo.setCurrentIndex(max(0, self.solo.findData(settings["solo_mode"])))
        self.solo.setToolTip("Residual: the recording minus the accompaniment, so the two stems add up to the "
                             "recording (both stems always share one gain)")
        form.addRow("Solo as", self.solo)
        self.loudness = QComboBox()
        self.loudness.addItem("as loud as the recording (BS.1770, peaks kept under -1 dBTP)", "match")
        self.loudness.addItem("as computed", "keep")
        self.loudness.setCurrentIndex(max(0, self.loudness.findData(settings["loudness"])))
        form.addRow("Remix loudness", self.loudness)
        self.fmt = QComboBox()
        for ext in FORMATS:
            self.fmt.addItem(FORMAT_LABELS.get(ext, ext.upper()), ext)
        self.fmt.setCurrentIndex(max(0, self.fmt.findData(settings["format"])))
        form.addRow("Format", self.fmt)
        self.bits = QComboBox()
        for b, label in ((16, "16-bit (TPDF dither)"), (24, "24-bit"), (32, "32-bit float")):
            self.bits.addItem(label, b)
        self.bits.setCurrentIndex(max(0, self.bits.findData(settings["bits"])))
        form.addRow("Bit depth", self.bits)
        self.bitrate = QComboBox()
        for kbps in MP3_BITRATES:
            self.bitrate.addItem(f"{kbps} kbit/s", kbps)
        self.bitrate.setCurrentIndex(max(0, self.bitrate.findData(int(settings["bitrate"]))))
        form.addRow("MP3 bitrate", self.bitrate)
        self.clip = QComboBox()
        for mode, label in CLIP_LABELS.items():
            self.clip.addItem(label, mode)
        self.clip.setCurrentIndex(max(0, self.clip.findData(settings["clip"])))
        self.clip.setToolTip("What happens to samples beyond full scale (the app warns before exporting any)")
        form.addRow("Overs", self.clip)
        self.fmt.currentIndexChanged.connect(self._format_changed)
        self.bits.currentIndexChanged.connect(self._format_changed)
        self._format_changed()
        default = self.input_path.parent if os.access(self.input_path.parent, os.W_OK) else Path.home()
        self.folder = QLineEdit(settings["out_dir"] or str(default))
        form.addRow("Folder", _path_row(self.folder, self._pick_folder))
        self.names = QLabel()
        self.names.setWordWrap(True)
        form.addRow("Names", self.names)
        self.problem = QLabel()  # why Export was not taken (the folder), shown in place of a second dialog
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #e0655a;")
        self.problem.hide()
        form.addRow(self.problem)
        for w in (*self.kinds.values(), self.fmt):
            (w.toggled if isinstance(w, QCheckBox) else w.currentIndexChanged).connect(self._update_names)
        self._update_names()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.settings = settings

    def _format_changed(self) -> None:
        flac = self.fmt.currentData() == "flac"
        item = self.bits.model().item(2)
        item.setEnabled(not flac)  # FLAC holds no float samples
        if flac and self.bits.currentData() == 32:
            self.bits.setCurrentIndex(1)
        self.bits.setEnabled(self.fmt.currentData() not in LOSSY)
        self.bitrate.setEnabled(self.fmt.currentData() == "mp3")
        floats = self.fmt.currentData() not in LOSSY and self.bits.currentData() == 32
        self.clip.model().item(self.clip.findData("none")).setEnabled(floats)  # overs survive only in floats
        if not floats and self.clip.currentData() == "none":
            self.clip.setCurrentIndex(self.clip.findData("limit"))

    def accept(self) -> None:
        """Export only into a folder named in full: an empty box meant the folder the app was started from."""
        text = os.path.expanduser(self.folder.text().strip())
        if not text or not os.path.isabs(text):
            self.problem.setText("Choose the folder to export into: a full path (Browse...)."
                                 if not text else f"{text}: give the folder's full path (Browse...).")
            self.problem.show()
            return
        self.folder.setText(text)
        super().accept()

    def _pick_folder(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Export folder", self.folder.text())
        if d:
            self.folder.setText(d)

    def _update_names(self) -> None:
        self.names.setText(", ".join(p.name for p in self.plan().paths(self.input_path).values()) or "(nothing)")

    def plan(self) -> ExportPlan:
        kinds = tuple(k for k in KINDS if self.kinds[k].isChecked())
        return ExportPlan(Path(self.folder.text()), kinds, self.fmt.currentData(), int(self.bits.currentData()),
                          self.solo.currentData(), self.clip.currentData(), int(self.bitrate.currentData()),
                          loudness=self.loudness.currentData())

    def remember(self) -> None:
        p = self.plan()
        self.settings["format"], self.settings["bits"] = p.fmt, p.bits
        self.settings["clip"], self.settings["bitrate"] = p.clip, p.bitrate
        self.settings["solo_mode"], self.settings["out_dir"] = p.solo, str(p.out_dir)
        self.settings["loudness"] = p.loudness


def _separator_step(path: str) -> str:
    """The Wiener step of the separator Preferences name (the shipped one when empty), in words: from its card
    when the card vouches for the file (no ONNX session on the UI thread), else from the loaded model."""
    try:
        meta = card_meta(path or pipeline.default_model_path("separator"), "separator") \
            or pipeline.load_model(path or None, "separator").meta
    except (ModelError, OSError, ValueError):
        return "no separator found"
    return f"pan-aware {meta.pan_aware}" if meta.pan_aware else "plain Wiener step"


class PreferencesDialog(QDialog):
    """Output device and model files."""

    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        form = QFormLayout(self)
        self.device = QComboBox()
        self.device.addItem("System default", "")
        reason = devices.unavailable_reason()
        for d in devices.output_devices():
            self.device.addItem(f"{d.label}, {d.default_rate} Hz", d.label)
        self.device.setCurrentIndex(max(0, self.device.findData(settings["output_device"])))
        form.addRow("Output device", self.device)
        if reason:
            form.addRow("", QLabel(f"Playback unavailable: {reason}"))
        self.sep = QLineEdit(settings["separator_path"])
        self.sep.setPlaceholderText(f"default: {pipeline.default_model_path('separator')}")
        self.mix = QLineEdit(settings["mixer_path"])
        self.mix.setPlaceholderText(f"default: {pipeline.default_model_path('mixer')}")
        form.addRow("Separator model", _path_row(self.sep, lambda: self._pick(self.sep)))
        form.addRow("Mixer model", _path_row(self.mix, lambda: self._pick(self.mix)))
        self.wiener_step = QComboBox()
        own = _separator_step(settings["separator_path"])
        for value, text in (("model", f"As the separator says ({own})"),
                            ("pan-aware", "Pan-aware: use where the solo sits between the speakers"),
                            ("plain", "Plain Wiener step (both channels the same solo)")):
            self.wiener_step.addItem(text, value)
        self.wiener_step.setCurrentIndex(max(0, self.wiener_step.findData(settings["wiener_step"])))
        self.wiener_step.setToolTip("Pan-aware separation (stereo recordings): the network hears the channels "
                                    "weighted toward the solo's side, each channel gets the solo's share by the pan "
                                    "law and sounds from other directions count less; mono recordings are left as "
                                    "they are. On validation no training saw it lifted sep-mask-2.0 by +2.7 dB on "
                                    "the solo and +1.3 dB on the accompaniment (median SDR). Applies to the tracks "
                                    "processed next.")
        form.addRow("Separation", self.wiener_step)
        self.mono_comb = QCheckBox("Mono material: keep the solo to the partials of its own pitch")
        self.mono_comb.setChecked(bool(settings["mono_comb"]))
        self.mono_comb.setToolTip("A mono recording (or a mono record transferred in stereo) has no side to separate "
                                  "by: the solo is kept to the partials of its own pitch and turned down where it has "
                                  "none, the rest goes to the accompaniment (+0.14 and +0.22 dB of solo a track on "
                                  "unseen instruments, rules r28 and r32). Untick to hear the network's separation as "
                                  "it is. Applies to the tracks processed next.")
        form.addRow("", self.mono_comb)
        self.compute = QComboBox()
        for value, text in (("auto", "Automatic (CUDA GPU when it works, else the CPU)"), ("cpu", "CPU only"),
                            ("cuda", "CUDA GPU (warns and uses the CPU when CUDA fails)")):
            self.compute.addItem(text, value)
        self.compute.setCurrentIndex(max(0, self.compute.findData(settings["device"])))
        form.addRow("Run models on", self.compute)
        if not device.cuda_built_in():
            form.addRow("", QLabel("This ONNX Runtime has no CUDA support: the CPU is used."))
        self.cache_limit = QSpinBox()
        limits = OPTIONS["cache_limit_mb"]  # the range the setting takes (0: keep no results), not one of its own
        self.cache_limit.setRange(limits.lo, limits.hi)
        self.cache_limit.setSingleStep(500)
        self.cache_limit.setSuffix(" MB")
        self.cache_limit.setValue(settings["cache_limit_mb"])
        self.cache_limit.setToolTip("Separated stems of the tracks you opened are kept so that they open at once "
                                    "next time; the least recently used go first when this limit is reached")
        self.cache_used = QLabel()
        clear = QPushButton("Clear cache")
        clear.setToolTip("Delete every stored result now (your edits are kept)")
        clear.clicked.connect(self.clear_cache)
        row = QWidget()
        r = QHBoxLayout(row)
        r.setContentsMargins(0, 0, 0, 0)
        for w in (self.cache_limit, self.cache_used, clear):
            r.addWidget(w)
        form.addRow("Results cache", row)
        self._show_cache()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(620, 200)

    def _show_cache(self) -> None:
        self.cache_used.setText(f"{cache.size_bytes() / 2 ** 20:.0f} MB used")

    def clear_cache(self) -> None:
        cache.clear()
        self._show_cache()

    def _pick(self, edit: QLineEdit) -> None:
        f, _ = QFileDialog.getOpenFileName(self, "Model", str(paths.models_dir()), "ONNX models (*.onnx)")
        if f:
            edit.setText(f)

    def apply(self) -> bool:
        """Store the choices; returns True when the output device changed."""
        changed = self.device.currentData() != self.settings["output_device"]
        self.settings["output_device"] = self.device.currentData()
        self.settings["separator_path"] = self.sep.text().strip()
        self.settings["mixer_path"] = self.mix.text().strip()
        self.settings["device"] = self.compute.currentData()
        self.settings["wiener_step"] = self.wiener_step.currentData()
        self.settings["mono_comb"] = self.mono_comb.isChecked()
        self.settings["cache_limit_mb"] = self.cache_limit.value()
        cache.trim(self.cache_limit.value() * 2 ** 20)
        device.set_device(self.compute.currentData())  # used from the next track processed
        return changed


def card_html(value, depth: int = 0) -> str:
    """A model card (parsed JSON) as nested HTML tables: objects as key/value rows, lists of objects as
    tables with a column per key, other lists as comma-separated text; long histories are shortened."""
    if isinstance(value, dict):
        rows = "".join(f"<tr><td valign='top'><b>{html.escape(str(k))}</b></td><td>{card_html(v, depth + 1)}</td>"
                       "</tr>" for k, v in value.items())
        return f"<table border='1' cellspacing='0' cellpadding='3'>{rows}</table>"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            shown = value if len(value) <= CARD_ROWS else value[:CARD_ROWS // 2] + value[-CARD_ROWS // 2:]
            keys = list(dict.fromkeys(k for v in shown for k in v))
            head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
            body = "".join("<tr>" + "".join(f"<td>{card_html(v.get(k, ''), depth + 1)}</td>" for k in keys)
                           + "</tr>" for v in shown)
            more = f"<p><i>{len(value) - len(shown)} more rows in the card file</i></p>" if len(shown) < len(value) \
                else ""
            return f"<table border='1' cellspacing='0' cellpadding='3'><tr>{head}</tr>{body}</table>{more}"
        return html.escape(", ".join(_scalar(v) for v in value))
    return html.escape(_scalar(value))


def _scalar(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return json.dumps(v) if isinstance(v, (list, dict)) else str(v)


#: Rows of a list shown in the About box (the first and last halves).
CARD_ROWS = 12


def model_report(separator_path=None, mixer_path=None) -> str:
    """HTML describing both models (metadata, card as tables, the provider they run on) or why one is missing."""
    parts = []
    for kind, path in (("separator", separator_path), ("mixer", mixer_path)):
        try:
            m = pipeline.load_model(path or None, kind)
        except ModelError as exc:
            parts.append(f"<h3>{kind.title()}</h3><p><i>not installed: {html.escape(str(exc))}</i></p>")
            continue
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{html.escape(str(v))}</td></tr>" for k, v in (
            ("file", m.path), ("version", m.meta.version), ("architecture", m.meta.architecture),
            ("hop", m.meta.hop), ("context frames", m.meta.context_frames), ("input", m.meta.input_kind),
            ("runs on", m.provider)))
        card = m.path.with_suffix(".json")
        card_part = ""
        if card.exists():
            try:
                card_part = f"<p>Model card ({card.name}):</p>{card_html(json.loads(card.read_text()))}"
            except (OSError, ValueError):
                card_part = f"<p>Model card ({card.name}): unreadable</p>"
        parts.append(f"<h3>{kind.title()}</h3><table cellpadding='3'>{rows}</table>{card_part}")
    return "".join(parts)


def build_text() -> str:
    """The ONNX Runtime build in a small grey line: GPU providers it has are named as options, not as in use."""
    version, gpu = device.runtime_build()
    extra = f"; it can also use {', '.join(gpu)} where a GPU works" if gpu else ""
    return f"<p style='color:#8a8a8a'>ONNX Runtime {version}{extra}.</p>"


class AboutDialog(QDialog):
    def __init__(self, separator_path=None, mixer_path=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("About Jazz Remix")
        col = QVBoxLayout(self)
        self.text = QTextBrowser()
        models = model_report(separator_path, mixer_path)  # loads them: the provider is known after
        self.text.setHtml(
            f"<h2>Jazz Remix {__version__}</h2><p>Separate a jazz recording into its solo and its accompaniment, "
            "and place the solo anew. After Mimilakis et al., AES WIMP 2016.</p>"
            f"<p>Models run on: <b>{device.last_provider() or 'not loaded'}</b></p>{build_text()}"
            + (f"<p>Log file: {logs.log_file()}</p>" if logs.log_file() else "") + models)
        col.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.resize(640, 560)
