"""``scripts/notes_to_library.py``: a folder of notes named by pitch becomes a sample library, every pitch checked.

The recorded trumpet, trombone and clarinet of experiment e41 come from the Tone.js instruments' MP3s this way; a
file that is not the pitch of its name (their clarinet's "F#6" is an F6) is left out and named, never mislabelled.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from jazzremix_gui.training.synth.sampled import load_library

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import notes_to_library  # noqa: E402


def _tone(path: Path, midi: float, seconds: float = 1.0) -> None:
    t = np.arange(int(44100 * seconds)) / 44100
    hz = 440.0 * 2 ** ((midi - 69) / 12)
    x = sum(0.2 / k * np.sin(2 * np.pi * k * hz * t) for k in range(1, 5))
    sf.write(path, np.stack([x, x], axis=1), 44100, format="MP3")


def _repo(tmp_path: Path, notes: dict) -> Path:
    work = tmp_path / "src"
    (work / "trumpet").mkdir(parents=True)
    for name, midi in notes.items():
        _tone(work / "trumpet" / name, midi)
    (work / "trumpet" / "A3.m4a").write_bytes(b"not read")
    run = dict(cwd=work, check=True, capture_output=True)
    subprocess.run(["git", "init", "-q"], **run)
    subprocess.run(["git", "add", "."], **run)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "notes"], **run)
    return work


def test_names_give_midi_keys():
    assert notes_to_library.key_of("C4.mp3") == 60
    assert notes_to_library.key_of("As3.mp3") == 58
    assert notes_to_library.key_of("Fs6.mp3") == 90
    assert notes_to_library.key_of("E3.mp3") == 52
    for other in ("Es4.mp3", "Bs2.mp3", "C4.m4a", "README.md", "c4.mp3"):
        assert notes_to_library.key_of(other) is None


def test_a_library_is_written_and_a_wrong_pitch_left_out(tmp_path):
    src = _repo(tmp_path, {"C4.mp3": 60, "As4.mp3": 70, "D5.mp3": 73})  # D5 holds a C#5
    dest = tmp_path / "samples"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "notes_to_library.py"), "tonejs-trumpet", str(src),
                           str(dest)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "2 files in" in done.stdout and "left out, not the pitch of their name: D5.mp3" in done.stdout
    out = dest / "tonejs-trumpet"
    assert sorted(p.name for p in out.iterdir()) == ["bb4_mf_rr1.flac", "c4_mf_rr1.flac", "layout.json"]
    assert not (dest / "tonejs-trumpet.partial").exists()
    library = load_library(out)
    assert library.keys == (60, 70) and library.role == "solo"
    x, rate = sf.read(out / "c4_mf_rr1.flac")
    assert rate == 44100 and x.ndim == 1
    heard = notes_to_library.heard_key(x, rate)
    assert heard is not None and abs(heard - 60) < 0.1
    again = subprocess.run([sys.executable, str(ROOT / "scripts" / "notes_to_library.py"), "tonejs-trumpet", str(src),
                            str(dest)], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0 and "is there" in again.stdout


def test_a_note_at_another_rate_stops_the_run_and_leaves_no_folder(tmp_path):
    src = _repo(tmp_path, {"C4.mp3": 60})
    t = np.arange(48000) / 48000
    sf.write(src / "trumpet" / "D4.mp3", np.stack([0.2 * np.sin(2 * np.pi * 293.7 * t)] * 2, axis=1), 48000,
             format="MP3")
    subprocess.run(["git", "add", "."], cwd=src, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "48k"], cwd=src, check=True)
    dest = tmp_path / "samples"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "notes_to_library.py"), "tonejs-trumpet", str(src),
                           str(dest)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "trumpet/D4.mp3: 48000 Hz, 44100 expected" in done.stderr
    assert not dest.exists() or not any(dest.iterdir())  # neither the library nor its partial folder
