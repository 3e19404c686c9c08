"""One writer behind every door: ``remix``, ``render``, the app's export and ``batch --remix`` write the same samples.

One recording, rendered through the four entry points with a whole-track mix (the tiny
mixer's own one-section suggestion) and with a per-section mix (three sections), gives
identical remixes; render, export and batch also give identical stems, all carrying tags.
"""

import dataclasses
import json

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import automation, mixer
from jazzremix_gui.core.signal.sections import Section
from jazzremix_gui.services import session
from jazzremix_gui.services.batch import task
from jazzremix_gui.services.exporting import ExportPlan, export_track
from tiny_models import tiny_pair
from jazzremix_gui.services.remix_writer import render_remix

RATE = 44100


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return tiny_pair(tmp_path_factory.mktemp("door_models"))


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    t = np.arange(int(RATE * 4.0)) / RATE
    rng = np.random.default_rng(5)
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.25 * np.sin(2 * np.pi * 220 * t)], 1)
    x += 0.05 * rng.standard_normal(x.shape)
    path = tmp_path_factory.mktemp("door_song") / "tune.wav"
    with sf.SoundFile(path, "w", RATE, 2, "PCM_24") as f:
        f.title, f.artist = "Tune", "Band"
        f.write(x.astype(np.float32))
    return path


def with_sections(monkeypatch):
    real = mixer.MixerStream.finish

    def finish(self, *args, **kwargs):
        sugg = real(self, *args, **kwargs)
        cuts = [(0.0, 1.37, -30.0, 0.4), (1.37, 2.9, 20.0, 1.8), (2.9, 4.0, 0.0, 1.0)]
        return dataclasses.replace(sugg, sections=[Section(a, b, True, sugg.posterior, p, g) for a, b, p, g in cuts])

    monkeypatch.setattr(mixer.MixerStream, "finish", finish)


def read(path):
    return sf.read(path, dtype="float32")[0]


@pytest.mark.parametrize("mix", ["whole-track", "per-section"])
def test_four_doors_write_the_same_samples(tmp_path, song, models, monkeypatch, mix):
    if mix == "per-section":
        with_sections(monkeypatch)
    sep = pipeline.load_model(str(models[0]), "separator")
    mxr = pipeline.load_model(str(models[1]), "mixer")
    analysis = pipeline.analyse(song, None, sep, mxr, keep_stems=True)  # what the app holds once a track is ready
    sugg, stems = analysis.suggestion, analysis.stems
    assert len(sugg.sections) == (3 if mix == "per-section" else 1)
    flags = ["--model", str(models[0]), "--mixer", str(models[1])]

    # 1. jazzremix remix (the suggestion: per section unless there is one)
    assert main(["remix", str(song), "--out", str(tmp_path / "remix.wav"), "--loudness", "keep", *flags]) == 0
    # 2. the app's export of the suggestion as the mix state gives it (per-sample curves, or one cell)
    pan, gain = automation.suggestion_curves(sugg, len(stems), stems.rate)
    app = tmp_path / "app"
    app.mkdir()
    export_track(song, stems, pan, gain, ExportPlan(app, ("solo", "accompaniment", "remix"), loudness="keep"),
                 models={"separator": sep.meta.version, "mixer": mxr.meta.version})
    # 3. jazzremix render of a session holding that mix
    sections = [{"start": s.start, "end": s.end, "active": s.active, "pan_deg": s.pan_deg, "gain": s.gain,
                 "suggested_pan_deg": s.pan_deg, "suggested_gain": s.gain} for s in sugg.sections]
    jrs = tmp_path / "tune.jrs"
    jrs.write_text(json.dumps({"format": session.FORMAT, "version": session.VERSION, "input": str(song),
                               "mix": {"pan_deg": sugg.pan_deg, "gain": sugg.gain,
                                       "automation": mix == "per-section", "sections": sections}}))
    assert main(["render", str(jrs), "--out", str(tmp_path / "render"), "--loudness", "keep", *flags]) == 0
    # 4. batch --remix's task, as a worker runs it
    ident = {k: {"path": str(m.path), **task.model_identity(m)} for k, m in (("separator", sep), ("mixer", mxr))}
    result = task.process(task.TaskSpec(str(song), str(tmp_path / "batch"), remix=True, models=ident))
    assert result["status"] == "done", result["error"]

    want = read(tmp_path / "remix.wav")
    ref = render_remix(stems, pan, gain)
    assert np.abs(want - ref).max() < 1e-4  # the mix asked for (24 bits aside)
    for folder in ("app", "render", "batch"):
        np.testing.assert_array_equal(read(tmp_path / folder / "tune.remix.wav"), want, err_msg=folder)
        for stem in ("solo", "accompaniment"):
            np.testing.assert_array_equal(read(tmp_path / folder / f"tune.{stem}.wav"),
                                          read(app / f"tune.{stem}.wav"), err_msg=f"{folder} {stem}")
        assert sf.info(tmp_path / folder / "tune.remix.wav").extra_info is not None
        with sf.SoundFile(tmp_path / folder / "tune.remix.wav") as f:
            assert f.artist == "Band" and "Tune" in f.title, folder  # batch carries the tags too
    if mix == "per-section":  # the sections are in what was written
        whole = render_remix(stems, sugg.pan_deg, sugg.gain)
        assert np.abs(want[int(1.5 * RATE): int(2.8 * RATE)] - whole[int(1.5 * RATE): int(2.8 * RATE)]).max() > 0.05
