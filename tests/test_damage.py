"""Damaged inputs: processed to their decoded length by every command, one warning, no raw decoder output."""

import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.core.audio import audio_io, damage
from jazzremix_gui.core.errors import AudioReadError
from tiny_models import tiny_mixer, tiny_separator

RATE = 44100


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("damage_models")
    return tiny_separator(d / "sep.onnx"), tiny_mixer(d / "mix.onnx")


def _signal(seconds=3.0, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 330 * t + 1)], 1).astype(np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Whole files of each format, and copies cut at a fraction of their bytes."""
    d = tmp_path_factory.mktemp("damaged")
    x = _signal()
    out = {}
    for ext, kw in (("wav", {"subtype": "PCM_16"}), ("aiff", {"subtype": "PCM_24"}), ("flac", {}), ("ogg", {}),
                    ("mp3", {"bitrate_mode": "VARIABLE"})):
        whole = d / f"whole.{ext}"
        sf.write(whole, x, RATE, **kw)
        data = whole.read_bytes()
        cut = d / f"cut.{ext}"
        cut.write_bytes(data[: int(len(data) * (0.7 if ext == "ogg" else 0.45))])  # Vorbis headers take ~4 kB
        out[ext] = (whole, cut)
    return out


def test_whole_files_are_not_damaged_and_read_exactly(files):
    for ext, (whole, _) in files.items():
        meta = audio_io.info(whole)
        assert meta.damage is None and meta.warnings() == [], ext
        audio, _ = audio_io.read_audio(whole)
        ref, _ = sf.read(whole, dtype="float32", always_2d=True)  # soundfile's one-call read is right
        assert np.array_equal(audio, ref), ext
        # blocks of any size give the same samples (soundfile's block reads of a VBR MP3 do not)
        assert np.array_equal(np.concatenate(list(audio_io.read_blocks(whole, 5000))), ref), ext


def test_cut_files_are_damaged_and_read_to_their_decoded_length(files):
    for ext, (whole, cut) in files.items():
        meta = audio_io.info(cut)
        full = audio_io.info(whole).frames
        assert meta.damage is not None, ext
        assert 0 < meta.frames < 0.8 * full, (ext, meta.frames, full)
        line = meta.warnings()[0]
        assert "\n" not in line and str(cut) in line and "damaged" in line and "processed to the decoded length" in line
        if ext != "ogg":  # Ogg records no length: the warning says so instead of a figure
            assert meta.damage.claimed == full, ext
            missing = (full - meta.frames) / RATE
            assert f"({missing:.2f} s," in line, (ext, line)
        else:
            assert "cut off" in line and "at least" in line and "Ogg records no total length" in line
        audio, _ = audio_io.read_audio(cut)
        assert audio.shape == (meta.frames, 2) and np.isfinite(audio).all()
        ref, _ = audio_io.read_audio(whole)
        n = min(meta.frames, 4096)  # what decodes is the start of the recording
        assert np.abs(audio[:n] - ref[:n]).max() < 1e-6 if ext in ("wav", "aiff", "flac") else True


def test_lying_header_is_damage_not_an_error(tmp_path):
    path = tmp_path / "lies.wav"
    sf.write(path, _signal(0.5), RATE, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    data[40:44] = (10 * RATE * 4).to_bytes(4, "little")  # data chunk: "10 seconds"
    path.write_bytes(bytes(data))
    meta = audio_io.info(path)
    assert meta.frames == RATE // 2 and meta.damage.claimed == 10 * RATE
    assert "9.50 s, 95% missing" in meta.warnings()[0]


@pytest.mark.parametrize("subtype, rate", [("VORBIS", 44100), ("OPUS", 48000)])
def test_ogg_missing_its_last_byte_is_damaged_with_the_length_its_last_page_announces(tmp_path, subtype, rate):
    path = tmp_path / "x.ogg"
    noisy = _signal(3.0, rate) + 0.05 * np.random.default_rng(0).standard_normal((3 * rate, 2)).astype(np.float32)
    sf.write(path, noisy, rate, format="OGG", subtype=subtype)  # several pages (a short tone fits in one)
    whole = audio_io.probe(path).frames
    path.write_bytes(path.read_bytes()[:-1])  # the last page is cut: libsndfile counts to the page before
    meta = audio_io.probe(path)
    assert meta.damage is not None and meta.frames < whole
    assert abs(meta.damage.claimed - whole) <= 2 * 1152 and "at least" in meta.warnings()[0]


@pytest.mark.parametrize("fmt, ext", [("WAVEX", "wav"), ("W64", "w64"), ("RF64", "rf64")])
def test_other_pcm_containers_cut_short_are_damaged(tmp_path, fmt, ext):
    path = tmp_path / f"cut.{ext}"
    sf.write(path, _signal(1.0), RATE, format=fmt, subtype="PCM_16")
    whole = audio_io.probe(path)
    assert whole.damage is None and whole.frames == RATE
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    meta = audio_io.probe(path)
    assert meta.damage.claimed == RATE and meta.frames < RATE // 2 + 100 and "missing)" in meta.warnings()[0]


def test_au_cut_short_is_damaged(tmp_path):
    path = tmp_path / "cut.au"
    sf.write(path, _signal(1.0), RATE, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[: 24 + RATE * 2])  # half of the 4-byte frames
    meta = audio_io.info(path)
    assert meta.frames == RATE // 2 and meta.damage.claimed == RATE and "(0.50 s, 50% missing)" in meta.warnings()[0]


def test_flac_of_unknown_total_is_its_decoded_length(tmp_path):
    """STREAMINFO total 0 means "unknown": libsndfile then announces 2**63 - 1 frames; nothing may trust that."""
    path = tmp_path / "unknown.flac"
    sf.write(path, _signal(1.0), RATE)
    data = bytearray(path.read_bytes())
    data[21] &= 0xF0  # the 36-bit total: low 4 bits of byte 21 and bytes 22..25
    data[22:26] = bytes(4)
    path.write_bytes(bytes(data))
    assert sf.info(path).frames == 2 ** 63 - 1
    meta = audio_io.info(path)
    assert meta.frames == RATE and meta.damage is None
    assert audio_io.read_audio(path)[0].shape == (RATE, 2)


def test_paf_block_rounding_is_no_damage(tmp_path):
    path = tmp_path / "x.paf"
    sf.write(path, _signal(0.1)[:4096], RATE, subtype="PCM_24")
    assert sf.info(path).frames == 4100  # libsndfile announces whole 10-frame blocks
    meta = audio_io.info(path)
    assert meta.frames == 4096 and meta.damage is None and audio_io.read_audio(path)[0].shape == (4096, 2)


def test_a_name_that_is_not_utf8_reads_and_writes(tmp_path):
    import os

    name = os.fsdecode(b"take-\xff\xfe.wav")
    sf.write(tmp_path / "plain.wav", _signal(0.2), RATE, subtype="PCM_16")
    (tmp_path / name).write_bytes((tmp_path / "plain.wav").read_bytes())
    audio, _ = audio_io.read_audio(tmp_path / name)
    assert audio.shape == (int(0.2 * RATE), 2)
    audio_io.write_audio(tmp_path / ("out-" + name), audio, RATE)
    assert sf.info(os.fsencode(tmp_path / ("out-" + name))).frames == audio.shape[0]


@pytest.mark.parametrize("content, words", [
    (bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), "random or unknown data"),
    (b"\x89PNG\r\n\x1a\n" + bytes(2000), "a PNG image"),
    (b"hello, this is a note\n" * 50, "a text file"),
])
def test_not_audio_gets_a_specific_message(tmp_path, content, words):
    path = tmp_path / "song.mp3"
    path.write_bytes(content)
    with pytest.raises(AudioReadError) as err:
        audio_io.info(path)
    msg = str(err.value)
    assert words in msg and "not a readable audio file" in msg and "\n" not in msg
    assert "does not exist" not in msg and "regular file" not in msg


def test_header_only_is_an_error_naming_the_claim(tmp_path):
    path = tmp_path / "head.wav"
    sf.write(path, _signal(1.0), RATE, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:44])
    with pytest.raises(AudioReadError, match="cut off after the header"):
        audio_io.info(path)


def test_decoder_output_is_captured_at_the_file_descriptor():
    import ctypes

    libc = ctypes.CDLL(None)
    with damage.decoder_output() as out:
        for text in (b"[src/libmpg123/parse.c:do_readahead():1083] warning: Cannot read next header\n",
                     b"Warning: Xing stream size off\nWarning: Xing stream size off\n"):
            libc.write(2, text, len(text))
    assert damage.fold(out.text) == "Cannot read next header; Xing stream size off"


def test_every_command_uses_the_decoded_length_and_warns_once(tmp_path, files, models, capfd):
    cut = files["mp3"][1]
    n = audio_io.probe(cut).frames
    sep, mix = map(str, models)
    commands = {
        "separate": ["separate", str(cut), "--out", str(tmp_path / "stems"), "--model", sep],
        "remix": ["remix", str(cut), "--out", str(tmp_path / "remix.wav"), "--model", sep, "--mixer", mix],
        "remix --pan --gain": ["remix", str(cut), "--out", str(tmp_path / "r2.wav"), "--model", sep, "--pan", "0",
                               "--gain", "1"],
        "suggest": ["suggest", str(cut), "--json", "--model", sep, "--mixer", mix],
    }
    capfd.readouterr()
    for name, argv in commands.items():  # one process, as the app or a script runs them: each command warns
        assert main(argv) == 0, name
        err = capfd.readouterr().err
        warned = [ln for ln in err.splitlines() if f"{cut}: damaged MP3" in ln]
        assert len(warned) == 1 and warned[0].startswith("jazzremix: warning: "), (name, err)
        assert "[src/" not in err and "Xing" not in err.replace(warned[0], ""), (name, err)
    assert sf.read(tmp_path / "stems" / "cut.solo.wav")[0].shape == (n,)
    assert sf.read(tmp_path / "remix.wav")[0].shape == sf.read(tmp_path / "r2.wav")[0].shape == (n, 2)


def test_one_warning_line_and_no_raw_decoder_lines_on_the_terminal(tmp_path, files, models):
    """As a user runs it (a subprocess: file descriptor 2 is the terminal's)."""
    cut_mp3, cut_flac, rand = files["mp3"][1], tmp_path / "cut_flac.flac", tmp_path / "noise.mp3"
    cut_flac.write_bytes(files["flac"][1].read_bytes())
    rand.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8)))
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui", "separate", str(cut_mp3), str(cut_flac), str(rand),
                           "--out", str(tmp_path / "o"), "--model", str(models[0])],
                          capture_output=True, text=True, timeout=120)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    for path in (cut_mp3, cut_flac):
        warned = [ln for ln in lines if f"{path}: damaged " in ln]
        assert len(warned) == 1 and warned[0].startswith("jazzremix: warning: "), lines
    assert sum(str(rand) in ln and ln.startswith("jazzremix: error:") for ln in lines) == 1, lines
    raw = [ln for ln in lines if not ln.startswith(("jazzremix: ", "file ", "  ", "created the output folder "))]
    assert raw == [], raw
    assert sf.info(tmp_path / "o" / "cut.solo.wav").frames == audio_io.info(cut_mp3).frames
