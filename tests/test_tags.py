"""Tags in every output format, read back with mutagen; the input's tags (an MP3's ID3 date) carried to the stems."""

import os

import numpy as np
import pytest
import soundfile as sf
from mutagen import File as MutagenFile
from mutagen.id3 import ID3, TCON, TDRC, TIT2, TPE1, TRCK

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import tags
from jazzremix_gui.core.audio.formats import FORMATS, OutputSpec
from jazzremix_gui.core.audio.headroom import write_mastered
from jazzremix_gui.core.errors import AudioWriteError

RATE = 44100
SOURCE = {"title": "Body and Soul", "artist": "Coleman Hawkins", "album": "Vol. 1", "date": "1939-10-11",
          "genre": "Jazz", "tracknumber": "3/12"}


def _signal(seconds=1.0):
    return (0.1 * np.random.default_rng(1).standard_normal((int(seconds * RATE), 2))).astype(np.float32)


def _mutagen_fields(path, ext) -> dict:
    """What mutagen itself reads in the file, by the format's own keys."""
    f = MutagenFile(path)
    assert f is not None and f.tags is not None, f"mutagen finds no tags in {path}"
    if ext in ("flac", "ogg"):
        t = f.tags
        return {k: t[v][0] for k, v in (("title", "TITLE"), ("artist", "ARTIST"), ("album", "ALBUM"),
                                        ("date", "DATE"), ("genre", "GENRE"), ("tracknumber", "TRACKNUMBER"),
                                        ("comment", "COMMENT")) if v in t}
    t = f.tags
    assert isinstance(t, ID3)
    out = {k: str(t[v].text[0]) for k, v in (("title", "TIT2"), ("artist", "TPE1"), ("album", "TALB"),
                                             ("date", "TDRC"), ("genre", "TCON"), ("tracknumber", "TRCK"))
           if v in t}
    out["comment"] = str(t.getall("COMM")[0].text[0])
    return out


@pytest.mark.parametrize("ext", ["wav", "flac", "aiff", "mp3", "ogg"])
def test_every_format_holds_every_tag(tmp_path, ext):
    if ext not in FORMATS:
        pytest.skip(f"this libsndfile writes no {ext}")
    path = tmp_path / f"take.{ext}"
    t = tags.output_tags(SOURCE, "take", "accompaniment", {"separator": "sep-9", "mixer": "mix-4"})
    x = _signal()
    write_mastered(path, x, RATE, OutputSpec(ext, 24), "limit", t)
    got = _mutagen_fields(path, ext)
    assert got == {"title": "Body and Soul (accompaniment)", "artist": "Coleman Hawkins", "album": "Vol. 1",
                   "date": "1939-10-11", "genre": "Jazz", "tracknumber": "3/12",
                   "comment": f"accompaniment made by {tags.SOFTWARE} (separator sep-9, mixer mix-4)"}
    y, rate = sf.read(path, dtype="float32")  # the audio is intact behind the tags
    assert rate == RATE and y.shape == x.shape
    if ext in ("wav", "aiff"):
        assert np.abs(y - x).max() < 2 ** -22
    assert tags.read_tags(path)["date"] == "1939-10-11"


@pytest.mark.parametrize("ext", ["wav", "flac", "aiff", "mp3", "ogg"])
def test_the_containers_own_mutagen_type_reads_what_all_of_them_read(tmp_path, ext):
    if ext not in FORMATS:
        pytest.skip(f"this libsndfile writes no {ext}")
    path = tmp_path / f"take.{ext}"
    write_mastered(path, _signal(), RATE, OutputSpec(ext, 24), "limit", tags.output_tags(SOURCE, "take", "solo"))
    fields, container = tags._soundfile_tags(path)
    assert container in tags.MUTAGEN_TYPES
    every = tags._mutagen_tags(path)  # every type mutagen has
    assert every["artist"] == "Coleman Hawkins" and tags._mutagen_tags(path, container) == every
    assert tags.read_tags(path) == {**fields, **every}
    for other in tags.MUTAGEN_TYPES:  # a container named wrongly: none of its types takes the file, so all are tried
        assert tags._mutagen_tags(path, other) == every


def test_an_mp3_inputs_id3_tags_reach_the_stems(tmp_path, tiny_models):
    if "mp3" not in FORMATS:
        pytest.skip("this libsndfile writes no MP3")
    src = tmp_path / "seg1.mp3"
    sf.write(src, _signal(2.0), RATE, format="MP3")
    id3 = ID3()
    for frame in (TIT2(encoding=3, text=["Stardust"]), TPE1(encoding=3, text=["Lionel Hampton"]),
                  TDRC(encoding=3, text=["1947"]), TCON(encoding=3, text=["Swing"]), TRCK(encoding=3, text=["7"])):
        id3.add(frame)
    id3.save(src)
    assert tags.read_tags(src)["date"] == "1947"
    (tmp_path / "o").mkdir()
    reports = pipeline.separate_file(src, tmp_path / "o", spec=OutputSpec("aiff", 24), solo="residual",
                                     model=pipeline.load_model(tiny_models / "separator.onnx"))
    solo = _mutagen_fields(reports[0].path, "aiff")
    acc = _mutagen_fields(reports[1].path, "aiff")
    assert solo["title"] == "Stardust (solo, residual)" and acc["title"] == "Stardust (accompaniment)"
    for got in (solo, acc):
        assert (got["artist"], got["date"], got["genre"], got["tracknumber"]) == ("Lionel Hampton", "1947", "Swing",
                                                                                   "7")
        assert "separator tiny-sep-c0" in got["comment"]


def test_a_file_that_cannot_be_tagged_is_an_error(tmp_path):
    path = tmp_path / "not-flac.bin"
    path.write_bytes(b"RIFF....WAVEfmt ")
    with pytest.raises(AudioWriteError, match="cannot write its tags"):
        tags.write_tags(path, "flac", {"title": "x"})


def test_a_file_name_that_is_not_utf8_is_tagged(tmp_path):
    path = os.fsencode(tmp_path) + b"/take-\xff\xfe.flac"
    write_mastered(os.fsdecode(path), _signal(0.5), RATE, OutputSpec("flac", 16), "limit",
                   tags.output_tags(SOURCE, "take", "solo"))
    with open(path, "rb") as fh:
        assert MutagenFile(fh).tags["DATE"] == ["1939-10-11"]
    assert tags.read_tags(os.fsdecode(path))["title"] == "Body and Soul (solo)"


def test_a_title_from_a_non_utf8_name_is_written_readable(tmp_path):
    name = os.fsdecode(b"take-\xff")  # what the input's stem is when its name is not UTF-8
    path = tmp_path / "t.mp3"
    if "mp3" not in FORMATS:
        pytest.skip("this libsndfile writes no MP3")
    write_mastered(path, _signal(0.5), RATE, OutputSpec("mp3"), "limit", tags.output_tags({}, name, "remix"))
    assert str(MutagenFile(path).tags["TIT2"]) == "take-\ufffd (remix)"
