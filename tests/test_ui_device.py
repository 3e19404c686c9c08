"""Playback survives the audio device: a JACK dummy server stopped during playback, then started again.

The test runs its own JACK server under a name of its own (``JACK_DEFAULT_SERVER``), so it never
stops a server that other tests or programs use. It needs ``jackd``; without it, it skips.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.playback import devices
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)

pytestmark = pytest.mark.skipif(shutil.which("jackd") is None or shutil.which("jack_lsp") is None,
                                reason="needs jackd and jack_lsp (apt: jackd2)")


def start_jack(name: str) -> subprocess.Popen:
    proc = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "JACK_NO_AUDIO_RESERVATION": "1"})
    for _ in range(50):
        if subprocess.run(["jack_lsp", "-s", name], capture_output=True).returncode == 0:
            return proc
        time.sleep(0.1)
    proc.kill()
    pytest.skip("the JACK dummy server did not start")


def stop_jack(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def own_jack(monkeypatch):
    """A private JACK dummy server; PortAudio rescans for it, and again for the default server afterwards."""
    name = f"jazzremix-test-{os.getpid()}"
    monkeypatch.setenv("JACK_DEFAULT_SERVER", name)
    procs = [start_jack(name)]
    assert devices.rescan() is None
    yield name, procs
    for p in procs:
        if p.poll() is None:
            stop_jack(p)
    monkeypatch.undo()
    assert devices.rescan() in (None, "no audio output device was found")  # a second stuck stream recovers too
    assert not glob.glob(os.path.join(tempfile.gettempdir(), "jazzremix-portaudio-*"))  # no copy left behind


def play_until_running(qtbot, w):
    engine = w.player.engine
    qtbot.waitUntil(lambda: w.player.ready, timeout=10000)
    w.toggle_play()
    start = engine.callbacks
    qtbot.waitUntil(lambda: engine.callbacks > start + 3 and engine.playing, timeout=5000)


def test_device_loss_is_reported_recovered_and_quit_is_quick(qtbot, own_jack, tiny_models, tmp_path):
    from jazzremix_gui.ui.main_window import MainWindow
    from jazzremix_gui.ui.settings import Settings

    name, procs = own_jack
    w = MainWindow(Settings(tmp_path / "settings.ini"),
                   model_paths=(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx")))
    qtbot.addWidget(w)
    w.keeper.ask = lambda box: QMessageBox.StandardButton.Discard
    w.show()
    track = open_and_wait(qtbot, w, write_track(tmp_path / "gone.wav", seconds=8.0))
    play_until_running(qtbot, w)
    lost = []
    w.player.device_lost.connect(lost.append)

    t0 = time.monotonic()
    stop_jack(procs.pop())
    qtbot.waitUntil(lambda: bool(lost), timeout=3000)
    assert time.monotonic() - t0 < 1.5  # noticed within about a second
    assert "stopped responding" in lost[0] and "Playback stopped" in w.message.text() and w.message.isVisible()
    assert not w.player.engine.playing and w.transport.play.text() == "▶ Play"
    assert not w.transport.play.isEnabled()

    t0 = time.monotonic()  # the window stays responsive: editing works, the event loop turns
    w.edit(10.0, 0.5)
    qtbot.wait(100)
    assert track.state.value() == (10.0, 0.5) and time.monotonic() - t0 < 0.5

    procs.append(start_jack(name))  # the server comes back: playback reconnects by itself
    qtbot.waitUntil(lambda: w.player.ready and not w.player.engine.lost, timeout=8000)
    assert not w.message.isVisible() and w.transport.play.isEnabled()
    play_until_running(qtbot, w)

    stop_jack(procs.pop())  # lost again, then quit at once (before the loss is even noticed)
    t0 = time.monotonic()
    w.close()
    assert time.monotonic() - t0 < 1.0
    assert w.player.engine.stream is None
