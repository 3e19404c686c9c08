"""``jazzremix render SESSION.jrs`` writes the bytes the app's export writes, from a session made in the app."""

import json
import shutil

import numpy as np
import pytest

from jazzremix_gui.cli.main import main
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.signal import automation
from jazzremix_gui.core.signal.sections import Section
from jazzremix_gui.services.exporting import ExportPlan
from jazzremix_gui.ui import actions, tracks
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)
from test_ui_export import run_export
from jazzremix_gui.services.remix_writer import render_remix


def three_sections(monkeypatch):
    """The tiny mixer finds one section; give every analysis (app and CLI alike) three, to test automation."""
    from jazzremix_gui.core.signal import mixer

    def find_sections(posts, active, times, *args, **kw):
        post = np.full((19, 21), 1 / 399)
        end = float(times[-1]) if len(times) else 14.0
        return [Section(0.0, 4.0, False, post, 0.0, 1.0), Section(4.0, 9.0, True, post, -30.0, 1.5),
                Section(9.0, end, True, post, 20.0, 0.5)]

    monkeypatch.setattr(mixer, "find_sections", find_sections)


@pytest.mark.parametrize("fmt,bits,auto", [("wav", 16, True), ("flac", 24, False)])
def test_render_equals_app_export(qtbot, window, tiny_models, tmp_path, monkeypatch, fmt, bits, auto):
    three_sections(monkeypatch)
    src = write_track(tmp_path / "tune.wav", seconds=14.0)
    track = open_and_wait(qtbot, window, src)
    window.edit(-25.0, 1.9)  # hot enough for overs: the clip mode is part of what must match
    if auto:
        assert track.state.has_sections
        track.state.set_automation(True)
        track.state.set_value(1, 40.0, 2.0)  # the engineer's edit of the second section
    sess = tmp_path / "tune.jrs"
    actions.save_session(window, str(sess))
    app_out, cli_out = tmp_path / "app", tmp_path / "cli"
    app_out.mkdir()
    plan = ExportPlan(app_out, ("solo", "accompaniment", "remix"), fmt, bits, solo="mono")
    written = run_export(qtbot, window, plan)
    models = ["--model", str(tiny_models / "separator.onnx"), "--mixer", str(tiny_models / "mixer.onnx")]
    args = ["render", str(sess), "--format", fmt, "--bits", str(bits), *models]
    assert main([*args, "--out", str(cli_out)]) == 0
    for p in written:
        assert (cli_out / p.name).read_bytes() == p.read_bytes(), p.name
    if auto:  # a second render into the same folder: refused unless --overwrite, the first files as they were
        stamps = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cli_out.iterdir()}
        assert main([*args, "--out", str(cli_out)]) == 1
        assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cli_out.iterdir()} == stamps
        assert main([*args, "--out", str(cli_out), "--overwrite"]) == 0
        assert {p.name: p.read_bytes() for p in cli_out.iterdir()} == {k: v[0] for k, v in stamps.items()}
    if auto:  # the per-section values, not the whole-track one, were rendered
        import soundfile as sf

        remix, rate = sf.read(app_out / f"tune.remix.{fmt}", dtype="float32")
        whole = render_remix(track.processed.stems, -25.0, 1.9)
        part = slice(int(5 * rate), int(8 * rate))  # second section: 40 deg, gain 2.0
        assert np.abs(remix[part] - whole[part]).max() > 0.05
    # without the app's cache: separated again, still the same bytes
    shutil.rmtree(paths.cache_dir() / "tracks", ignore_errors=True)
    assert main([*args, "--out", str(tmp_path / "cli2")]) == 0
    for p in written:
        assert (tmp_path / "cli2" / p.name).read_bytes() == p.read_bytes(), p.name


def test_render_refuses_bad_session_and_stems(tmp_path, capsys):
    bad = tmp_path / "x.jrs"
    bad.write_text("{}")
    assert main(["render", str(bad), "--out", str(tmp_path / "o")]) == 1
    assert "x.jrs: not a valid Jazz Remix session (format is missing)" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # refused before the output folder is made
    assert main(["render", str(bad), "--out", str(tmp_path / "o"), "--stems", "drums"]) == 2  # a usage error
    assert "--stems drums" in capsys.readouterr().err


def test_session_curves_match_the_app_mix_state(qtbot):
    from test_ui_state import suggestion_with_sections
    from jazzremix_gui.ui.mixstate import MixState

    st = MixState(suggestion_with_sections())
    st.set_automation(True)
    st.set_value(1, -45.0, 2.0)
    mix = st.to_json()
    pan, gain = automation.session_curves(mix, suggestion_with_sections(), 800, 100)
    app_pan, app_gain = st.automation_curves(800, 100)
    np.testing.assert_array_equal(pan, app_pan)
    np.testing.assert_array_equal(gain, app_gain)
    st.set_automation(False)
    assert automation.session_curves(st.to_json(), suggestion_with_sections(), 800, 100) == (10.0, 0.8)


def test_remix_default_is_per_section():
    from test_ui_state import suggestion_with_sections

    sugg = suggestion_with_sections()
    pan, gain = automation.suggestion_curves(sugg, 800, 100)
    assert pan[300] == -30.0 and gain[700] == 0.5 and pan[100] == 0.0
    assert automation.suggestion_curves(sugg, 800, 100, whole_track=True) == (10.0, 0.8)


def test_the_solo_side_is_saved_opened_and_rendered(qtbot, window, tiny_models, tmp_path):
    """A track separated with the solo's side given (Solo side...): the session keeps the side, opening it
    separates with it, and ``jazzremix render`` writes the app export's bytes; a side out of range is refused."""
    from jazzremix_gui.services import session

    src = write_track(tmp_path / "side.wav", seconds=6.0)
    track = open_and_wait(qtbot, window, src)
    assert window.manager.set_solo_side(track, -20.0)
    qtbot.waitUntil(lambda: track.status == tracks.READY, timeout=20000)
    assert track.processed.separator_version.endswith("solo -20")
    sess = tmp_path / "side.jrs"
    actions.save_session(window, str(sess))
    data = json.loads(sess.read_text())
    assert data["solo_side_deg"] == -20.0 and data["separator_version"].endswith("solo -20")
    app_out, cli_out = tmp_path / "app", tmp_path / "cli"
    app_out.mkdir()
    written = run_export(qtbot, window, ExportPlan(app_out, ("solo", "accompaniment", "remix"), "wav", 24))
    models = ["--model", str(tiny_models / "separator.onnx"), "--mixer", str(tiny_models / "mixer.onnx")]
    shutil.rmtree(paths.cache_dir() / "tracks", ignore_errors=True)  # separated again by render, with the side
    assert main(["render", str(sess), "--out", str(cli_out), *models]) == 0
    for p in written:
        assert (cli_out / p.name).read_bytes() == p.read_bytes(), p.name
    window.manager.remove(track)
    actions.open_session(window, str(sess))
    opened = window.manager.find(src)
    qtbot.waitUntil(lambda: opened.status == tracks.READY, timeout=20000)
    assert opened.solo_side == -20.0 and opened.processed.separator_version.endswith("solo -20")
    data["solo_side_deg"] = 60.0
    with pytest.raises(session.SessionError, match="solo_side_deg"):
        session.load_session(_write(tmp_path / "bad.jrs", data))


def _write(path, data):
    import json

    path.write_text(json.dumps(data))
    return path


def _render_gives_the_export(qtbot, window, tiny_models, tmp_path, sess) -> None:
    """The open track exported as mono solo and accompaniment (24-bit WAV), then ``render`` of its session ``sess``
    with the cache emptied: the same bytes."""
    app_out = tmp_path / "app"
    app_out.mkdir()
    written = run_export(qtbot, window, ExportPlan(app_out, ("solo", "accompaniment"), "wav", 24, solo="mono"))
    shutil.rmtree(paths.cache_dir() / "tracks", ignore_errors=True)  # separated again by render
    models = ["--model", str(tiny_models / "separator.onnx"), "--mixer", str(tiny_models / "mixer.onnx")]
    assert main(["render", str(sess), "--stems", "solo,accompaniment", "--bits", "24", "--out",
                 str(tmp_path / "cli"), *models]) == 0
    for f in written:
        assert (tmp_path / "cli" / f.name).read_bytes() == f.read_bytes(), f.name


def test_mono_material_without_the_comb_in_preferences_is_saved_and_rendered(qtbot, window, tiny_models, tmp_path):
    """Preferences left mono material without the pitch comb: the track's stems say so, the session records it and
    ``render`` separates the same way, so its files are the export's bytes; the Preferences box keeps the choice."""
    import soundfile as sf

    from jazzremix_gui.services import session
    from jazzremix_gui.ui.dialogs import PreferencesDialog
    from jazzremix_gui.ui.settings import Settings

    dlg = PreferencesDialog(window.settings)
    qtbot.addWidget(dlg)
    assert dlg.mono_comb.isChecked()  # on unless the engineer unticks it
    dlg.mono_comb.setChecked(False)
    dlg.apply()
    assert Settings(tmp_path / "settings.ini")["mono_comb"] is False
    src = tmp_path / "mono.wav"
    sf.write(str(src), sf.read(str(write_track(tmp_path / "st.wav", seconds=6.0)), dtype="float32")[0].mean(axis=1),
             44100, subtype="FLOAT")
    track = open_and_wait(qtbot, window, src)
    p = track.processed
    assert not p.mono_comb and p.stems.pitch_comb_s == 0 and p.separator_version.endswith("without the mono comb")
    sess = tmp_path / "mono.jrs"
    assert actions.save_session(window, str(sess)) and session.read_session(sess)["mono_comb"] is False
    from jazzremix_gui.services import validation

    with pytest.raises(validation.Invalid, match="mono_comb is"):
        session.check_session(dict(session.read_session(sess), mono_comb="no"))
    window.settings["mono_comb"] = True  # Preferences now say on; a session says how its stems were made
    with_comb = tmp_path / "with.jrs"
    with_comb.write_text(json.dumps(dict(session.read_session(sess), mono_comb=True)))
    actions.open_session(window, str(with_comb))  # open already without the comb: separated again with it
    qtbot.waitUntil(lambda: track.processed is not p and track.status == tracks.READY, timeout=20000)
    assert track.processed.mono_comb and track.processed.stems.pitch_comb_s > 0
    again = track.processed
    actions.open_session(window, str(sess))  # and back without it
    qtbot.waitUntil(lambda: track.processed is not again and track.status == tracks.READY, timeout=20000)
    assert not track.processed.mono_comb and track.processed.stems.pitch_comb_s == 0
    _render_gives_the_export(qtbot, window, tiny_models, tmp_path, sess)


def test_the_wiener_step_chosen_in_preferences_is_saved_and_rendered(qtbot, window, tiny_models, tmp_path):
    """Preferences > Separation chose another step than the separator's own: the session says which, and ``render``
    separates with it, so its files are the export's bytes (an adversarial pass, 2026-12-06: render used the
    model's own step, its solo up to 0.25 off the app's)."""
    from jazzremix_gui.services import session

    window.settings["wiener_step"] = "pan-aware"  # the tiny separator's own step is the plain one
    src = write_track(tmp_path / "step.wav", seconds=6.0)
    track = open_and_wait(qtbot, window, src)
    assert track.wiener_step is True and "pan-aware" in track.processed.separator_version
    sess = tmp_path / "step.jrs"
    assert actions.save_session(window, str(sess)) and session.read_session(sess)["wiener_step"] == "pan-aware"
    _render_gives_the_export(qtbot, window, tiny_models, tmp_path, sess)
