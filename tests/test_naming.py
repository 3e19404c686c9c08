"""Folder expansion, the --filename template and the collision refusal."""

import pytest

from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.services import naming


def touch(p):
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"x")
    return p


def test_folders_expand_recursively_in_stable_order(tmp_path):
    for rel in ("set/b/Take 2.flac", "set/a/take1.wav", "set/a/z.MP3", "set/notes.txt", "set/.hidden/x.wav",
                "set/cover.jpg", "set/a/.take1.wav.part"):
        touch(tmp_path / rel)
    single = touch(tmp_path / "solo.aiff")
    items, notes = naming.expand_inputs([tmp_path / "set", single])
    assert [i.path.relative_to(tmp_path).as_posix() for i in items] == [
        "set/a/take1.wav", "set/a/z.MP3", "set/b/Take 2.flac", "solo.aiff"]
    assert [i.subfolder for i in items] == ["a", "a", "b", ""]
    assert notes == [f"{tmp_path / 'set'}: skipped 2 non-audio files"]
    touch(tmp_path / "set" / "stems" / "take1.solo.wav")  # a previous run's output inside the input folder
    again, _ = naming.expand_inputs([tmp_path / "set"], skip=tmp_path / "set" / "stems")
    assert [i.path for i in again] == [i.path for i in items[:3]]
    _, notes = naming.expand_inputs([touch(tmp_path / "empty" / "readme.md").parent])
    assert any("no audio files" in n for n in notes)


def test_template_placeholders(tmp_path):
    item = naming.InputFile(tmp_path / "gigs" / "take1.flac", "2024/may")
    got = naming.output_paths(item, tmp_path / "out", ("solo", "remix"), "mp3", "{subfolder}/{folder}-{name}_{stem}.{ext}")
    assert got == {"solo": tmp_path / "out/2024/may/gigs-take1_solo.mp3",
                   "remix": tmp_path / "out/2024/may/gigs-take1_remix.mp3"}
    default = naming.output_paths(naming.InputFile(tmp_path / "a.wav"), tmp_path, ("solo",), "wav")
    assert default == {"solo": tmp_path / "a.solo.wav"}  # DESIGN.md section 3 layout
    assert naming.output_paths(naming.InputFile(tmp_path / "a.wav"), tmp_path, ("solo",), "wav",
                               "{subfolder}/{name}.{stem}.{ext}") == default  # empty subfolder: no stray '/'


@pytest.mark.parametrize("template,message", [("{name}.{ext}", "must contain {stem}"),
                                              ("{name}.{stem}.{kind}", "unknown placeholder {kind}"),
                                              ("../{name}.{stem}.{ext}", "inside the output folder"),
                                              ("{name.{stem}", "--filename")])
def test_bad_templates_refused(template, message):
    with pytest.raises(AudioWriteError, match=message.replace("{", r"\{").replace("}", r"\}")):
        naming.check_template(template)


def test_collision_names_both_inputs(tmp_path):
    a, b = naming.InputFile(tmp_path / "a" / "take.wav", "a"), naming.InputFile(tmp_path / "b" / "take.flac", "b")
    plans = {str(i.path): naming.output_paths(i, tmp_path, ("solo",), "wav") for i in (a, b)}
    with pytest.raises(AudioWriteError) as err:
        naming.check_collisions(plans)
    assert str(a.path) in str(err.value) and str(b.path) in str(err.value)
    plans = {str(i.path): naming.output_paths(i, tmp_path, ("solo",), "wav", "{subfolder}/{name}.{stem}.{ext}")
             for i in (a, b)}
    naming.check_collisions(plans)  # {subfolder} keeps them apart


def test_existing_outputs_are_refused_unless_overwrite_and_a_harder_refusal_wins(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.solo.wav").write_bytes(b"x")
    (out / "c.accompaniment.wav").symlink_to(out / "nowhere")  # a dangling link is there too
    plans = {k: naming.output_paths(naming.InputFile(tmp_path / f"{k}.wav"), out, ("solo", "accompaniment"), "wav")
             for k in ("a", "b", "c")}
    plans["d"] = {"solo": tmp_path / "d.solo.wav"}  # outside the folder
    (tmp_path / "d.solo.wav").write_bytes(b"y")
    found = naming.refused_outputs(plans, (), out)
    assert list(found) == ["b", "c", "d"]
    assert found["b"] == f"b: its solo file {out / 'b.solo.wav'} already exists: not overwritten; {naming.OVERWRITE_HINT}"
    assert "accompaniment file" in found["c"] and "outside the output folder" in found["d"]
    assert list(naming.refused_outputs(plans, (), out, overwrite=True)) == ["d"]


def test_one_file_named_twice_is_one_input(tmp_path):
    """``take.wav`` and ``../folder/take.wav`` are one file: taken once (it was refused as two inputs writing the
    same outputs), and said."""
    (tmp_path / "d").mkdir()
    take = tmp_path / "d" / "take.wav"
    take.write_bytes(b"x")
    other = tmp_path / "d" / ".." / "d" / "take.wav"
    inputs, notes = naming.expand_inputs([take, other, tmp_path / "d"])  # the folder finds it a third time
    assert [i.path for i in inputs] == [take]
    assert notes == [f"{other}: the same file as {take}; taken once"]  # the same name twice needs no line
