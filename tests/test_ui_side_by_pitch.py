"""The app's side chosen by pitch: where another part holds its place, the legend's "let the pitch choose" link and
the Solo side dialog's choice separate the track again toward the side whose solo is a single line; the track then
holds that side (its session saves the degrees, so a render needs no choice), and the status bar says why."""

import numpy as np
import soundfile as sf

from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.services import session
from jazzremix_gui.ui import track_list, tracks
from test_side_by_pitch import RATE, _two_sides
from test_ui_app import _click_link, open_and_wait, window  # noqa: F401 (the fixture)


def test_let_the_pitch_choose_separates_toward_the_line_and_the_track_keeps_that_side(qtbot, window, tmp_path,
                                                                                     monkeypatch):
    window.settings["wiener_step"] = "pan-aware"  # the tiny separator's own step is the plain one
    path = tmp_path / "two.wav"
    sf.write(str(path), _two_sides(), RATE, subtype="FLOAT")
    track = open_and_wait(qtbot, window, path)
    read = track.processed
    assert abs(read.stems.recorded_pan_deg + 35.0) < 3.0 and len(read.stems.others_deg) == 1  # the chord read
    assert "href='side:auto'>let the pitch choose</a>" in window.codebook.legend.text
    offered = []

    def pick(parent, title, label, items, current, editable):
        offered.extend(items)
        return items[-1], True

    monkeypatch.setattr(track_list.QInputDialog, "getItem", pick)
    assert track_list.ask_solo_side(window, track) == SOLO_SIDE_AUTO and offered[-1] == track_list.BY_PITCH
    said = []
    window.manager.notice.connect(lambda t, why: said.append(why))
    _click_link(qtbot, window.codebook, "side:auto")
    qtbot.waitUntil(lambda: track.status == tracks.READY and track.processed is not read, timeout=20000)
    chose = track.processed.side_choice
    assert chose is not None and abs(chose.side_deg - 30.0) <= 2.0 and track.solo_side == chose.side_deg
    assert abs(track.processed.stems.recorded_pan_deg - 30.0) < 5.0
    assert not np.allclose(np.asarray(track.processed.stems.solo), np.asarray(read.stems.solo))
    assert any("Solo side by pitch: separated toward 30° R" in s for s in said)
    legend = window.codebook.legend.text
    assert "toward the side the pitch chose (one line in this much of its loud frames: 34.1° L " in legend
    assert "30° R 99 %)" in legend and track.unsaved
    assert "href='side:read'" in window.codebook.legend.text  # and back to the separator's reading
    assert session.session_dict(track)["solo_side_deg"] == chose.side_deg  # degrees: a render chooses nothing


def test_the_apps_job_chooses_first_and_its_progress_only_moves_on(tmp_path, tiny_models, monkeypatch):
    """``services.processing.process_track`` with the side "auto": the choice, then the separation toward it; the
    progress it reports never goes back."""
    from jazzremix_gui.core.files import paths
    from jazzremix_gui.services import processing

    monkeypatch.setattr(paths, "cache_dir", lambda: tmp_path / "cache")
    seen = []

    class Job:
        partial = staticmethod(lambda *a: None)
        is_cancelled = staticmethod(lambda: False)

        @staticmethod
        def progress(fraction, message=""):
            seen.append(fraction)

    song = tmp_path / "two.wav"
    sf.write(str(song), _two_sides(), RATE, subtype="FLOAT")
    done = processing.process_track(song, Job(), str(tiny_models / "separator.onnx"),
                                    str(tiny_models / "mixer.onnx"), pan_aware=True, solo_side=SOLO_SIDE_AUTO)
    assert done.side_choice is not None and abs(done.side_choice.side_deg - 30.0) <= 2.0
    assert done.separator_version.endswith(f"solo {done.side_choice.side_deg:g}")
    assert seen == sorted(seen) and seen[-1] == 1.0
