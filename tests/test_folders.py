"""Output folders a job creates go again where it leaves them empty; nothing else is ever removed."""

import subprocess
import sys

from jazzremix_gui.core.files import folders


def test_only_the_empty_folders_made_go(tmp_path):
    (tmp_path / "there").mkdir()
    made = folders.make(tmp_path / "there" / "a" / "b" / "c")
    assert made == [tmp_path / "there" / "a", tmp_path / "there" / "a" / "b", tmp_path / "there" / "a" / "b" / "c"]
    folders.make(tmp_path / "there" / "a" / "kept")
    (tmp_path / "there" / "a" / "kept" / "take.wav").write_bytes(b"x")
    assert folders.make(tmp_path / "there") == []  # already there: not this job's
    removed = folders.remove_empty()
    assert removed == [tmp_path / "there" / "a" / "b" / "c", tmp_path / "there" / "a" / "b"]
    assert (tmp_path / "there" / "a" / "kept" / "take.wav").exists() and (tmp_path / "there").is_dir()
    assert folders.remove_empty() == []  # forgotten once looked at


def test_a_failed_separation_leaves_no_folder_behind(tmp_path):
    (tmp_path / "text.wav").write_text("not audio")
    p = subprocess.run([sys.executable, "-m", "jazzremix_gui", "separate", str(tmp_path / "text.wav"), "-o",
                        str(tmp_path / "new" / "a" / "b")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "not a readable audio file" in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["text.wav"]
    assert f"removed the output folder {tmp_path / 'new' / 'a' / 'b'} (and the folders made for it, up to " \
           f"{tmp_path / 'new'}) again: nothing was written in it" in p.stderr
