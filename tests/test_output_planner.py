"""The output planner's one rule (#23.1): no output is an input, another planned output, or outside --out.

Each case of the hostile run's "data loss" and "writes outside --out" findings, refused per
input in one line before any work; the files the user owns keep their bytes.
"""

import hashlib
import os

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.services import naming
from tiny_models import tiny_mixer, tiny_separator

RATE = 44100


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("planner_models")
    return str(tiny_separator(d / "sep.onnx", context=2)), str(tiny_mixer(d / "mix.onnx"))


def write(path, seconds=1.0, seed=0):
    x = 0.3 * np.random.default_rng(seed).standard_normal((int(seconds * RATE), 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, x.astype(np.float32), RATE, subtype="PCM_24")
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def errors(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("jazzremix: error:")]


def test_remix_onto_its_input_is_refused(tmp_path, models, capsys):
    x = write(tmp_path / "x.wav")
    before = digest(x)
    assert main(["remix", str(x), "--out", str(x), "--model", models[0], "--pan", "0", "--gain", "1"]) != 0
    assert digest(x) == before
    [line] = errors(capsys)
    assert f"{x}: its remix file {x} is this input: refused, so it is not overwritten" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.wav"]


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_remix_onto_a_link_of_its_input_is_refused(tmp_path, models, capsys, link):
    x = write(tmp_path / "x.wav")
    other = tmp_path / "y.wav"
    (os.link if link == "hard" else os.symlink)(x, other)
    before = digest(x)
    assert main(["remix", str(x), "--out", str(other), "--model", models[0], "--pan", "0", "--gain", "1"]) != 0
    assert digest(x) == before and other.exists()
    assert "is this input: refused" in errors(capsys)[0]


def test_separate_refuses_the_input_another_input_would_overwrite(tmp_path, models, capsys):
    d = tmp_path / "d"
    a, a_solo = write(d / "a.wav", seed=1), write(d / "a.solo.wav", seed=2)
    before = digest(a_solo)
    assert main(["separate", str(a), str(a_solo), "--out", str(d), "--model", models[0]]) == 1
    [line] = errors(capsys)
    assert line == (f"jazzremix: error: {a}: its solo file {a_solo} is an input of this command ({a_solo}): "
                    "refused, so it is not overwritten")
    assert digest(a_solo) == before  # the second input kept its bytes and was itself separated
    assert sorted(p.name for p in d.iterdir()) == ["a.solo.accompaniment.wav", "a.solo.solo.wav", "a.solo.wav",
                                                   "a.wav"]


def test_separate_refuses_a_template_that_names_the_input(tmp_path, models, capsys):
    d = tmp_path / "d"
    solo = write(d / "solo.wav")
    before = digest(solo)
    assert main(["separate", str(solo), "--out", str(d), "--filename", "{stem}.{ext}", "--model", models[0]]) == 1
    assert "its solo file" in errors(capsys)[0] and digest(solo) == before
    assert sorted(p.name for p in d.iterdir()) == ["solo.wav"]


def test_folder_placeholder_cannot_leave_the_output_folder(tmp_path, models, capsys):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    k = write(d / "k.wav")
    out = d / "out"
    assert main(["separate", str(d / "sub" / ".." / "k.wav"), "--out", str(out), "--filename",
                 "{folder}/{name}.{stem}.{ext}", "--model", models[0]]) == 1
    [line] = errors(capsys)
    assert "would be written outside the output folder" in line
    assert sorted(p.name for p in d.iterdir()) == ["k.wav", "sub"]  # nothing written; the folder made is gone
    assert k.exists()


def test_a_link_to_a_folder_is_not_walked(tmp_path, models, capsys):
    real = tmp_path / "real"
    write(real / "t.wav")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    out = tmp_path / "out"
    assert main(["separate", str(link), "--out", str(out), "--model", models[0]]) == 1
    [line] = errors(capsys)
    assert line == f"jazzremix: error: {link}: a link to a folder ({real}); links are not followed, give the folder " \
                   "itself"
    assert not out.exists() or not any(out.iterdir())


def test_refusals_rule_by_rule(tmp_path):
    a, b = write(tmp_path / "a.wav"), write(tmp_path / "b.wav")
    out = tmp_path / "out"
    out.mkdir()
    plans = {"a": {"solo": out / "a.solo.wav"}, "b": {"solo": out / "a.solo.wav"}, "c": {"solo": b},
             "d": {"solo": out / ".." / "d.wav"}, "e": {"solo": out / "e.wav"}}
    got = naming.refusals(plans, [a, b], out)
    assert sorted(got) == ["b", "c", "d"]
    assert got["b"].startswith("a and b would both write")
    assert "is an input of this command" in got["c"] and "outside the output folder" in got["d"]
    assert naming.refusals({"a": {"solo": out / "a.solo.wav"}}, [a], out) == {}


def session_file(path, recording):
    import json

    path.write_text(json.dumps({"format": "jazzremix-session", "version": 2, "input": str(recording),
                                "mix": {"pan_deg": 0.0, "gain": 1.0}}))
    return path


def test_render_refuses_to_write_over_its_recording(tmp_path, models, capsys):
    d = tmp_path / "d"
    solo = write(d / "solo.wav")
    before = digest(solo)
    jrs = session_file(tmp_path / "s.jrs", solo)
    assert main(["render", str(jrs), "--out", str(d), "--filename", "{stem}.{ext}", "--model", models[0],
                 "--mixer", models[1]]) == 1
    [line] = errors(capsys)
    assert f"its solo file {solo} is this input: refused" in line
    assert digest(solo) == before and sorted(p.name for p in d.iterdir()) == ["solo.wav"]


def test_render_cannot_leave_the_output_folder(tmp_path, models, capsys):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    k = write(d / "k.wav")
    jrs = session_file(tmp_path / "s.jrs", d / "sub" / ".." / "k.wav")
    out = d / "out"
    assert main(["render", str(jrs), "--out", str(out), "--filename", "{folder}/{name}.{stem}.{ext}",
                 "--model", models[0], "--mixer", models[1]]) == 1
    assert "would be written outside the output folder" in errors(capsys)[0]
    assert sorted(p.name for p in d.iterdir()) == ["k.wav", "sub"] and k.exists()  # the folder made is gone


def test_the_app_export_refuses_to_write_over_its_recording(tmp_path):
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.errors import AudioWriteError
    from jazzremix_gui.services.exporting import ExportPlan, export_track

    solo = write(tmp_path / "solo.wav")
    before = digest(solo)
    stems = pipeline.Stems(np.zeros(RATE, np.float32), np.zeros((RATE, 2), np.float32), RATE, "t")
    with pytest.raises(AudioWriteError, match="is this input: refused"):
        export_track(solo, stems, 0.0, 1.0, ExportPlan(tmp_path, template="{stem}.{ext}"))
    assert digest(solo) == before and sorted(p.name for p in tmp_path.iterdir()) == ["solo.wav"]


def test_batch_refuses_an_input_another_input_would_overwrite(tmp_path, models, capsys):
    pytest.importorskip("distributed")
    d = tmp_path / "d"
    a, a_solo = write(d / "a.wav", seed=1), write(d / "a.solo.wav", seed=2)
    before = digest(a_solo)
    assert main(["batch", str(a), str(a_solo), "--out", str(d), "--remix", "--workers", "1", "--model", models[0],
                 "--mixer", models[1]]) == 1
    [line] = errors(capsys)
    assert line == (f"jazzremix: error: {a}: its solo file {a_solo} is an input of this command ({a_solo}): "
                    "refused, so it is not overwritten")
    assert digest(a_solo) == before
    assert {"a.solo.solo.wav", "a.solo.accompaniment.wav", "a.solo.remix.wav"} <= {p.name for p in d.iterdir()}
    assert not (d / "a.accompaniment.wav").exists()
