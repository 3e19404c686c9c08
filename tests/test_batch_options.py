"""``jazzremix batch`` takes the output options of ``separate``/``remix`` and ``--json`` (issue #24 item 3).

Cheap: two one-second inputs, tiny models, one local worker; the samples written are checked,
not only the messages.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tiny_models import tiny_mixer, tiny_separator

pytest.importorskip("distributed")

from jazzremix_gui.cli.main import main  # noqa: E402
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.signal import automation  # noqa: E402
from jazzremix_gui.services import naming  # noqa: E402
from jazzremix_gui.services.batch import manifest as mf  # noqa: E402
from jazzremix_gui.services.batch import sources, task  # noqa: E402
from jazzremix_gui.services.remix_writer import Mix, render_remix  # noqa: E402

RATE = 44100


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch_options_models")
    return tiny_separator(d / "sep.onnx", context=2), tiny_mixer(d / "mix.onnx")


def make_inputs(src: Path) -> list:
    """Two one-second stereo recordings in sub-folders, 32-bit float, peaks near 3 (so that the stems go beyond
    full scale and the clip modes have work)."""
    rng = np.random.default_rng(1)
    paths = []
    for i, folder in enumerate(("a", "b/c")):
        t = np.arange(RATE) / RATE
        x = 3.0 * np.sin(2 * np.pi * (220 + 110 * i) * t)[:, None] * [1.0, 0.6] + 0.1 * rng.standard_normal((RATE, 2))
        path = src / folder / f"take{i}.wav"
        path.parent.mkdir(parents=True)
        sf.write(path, x.astype(np.float32), RATE, subtype="FLOAT")
        paths.append(path)
    return paths


def batch(capfd, *args, models):
    """Run ``jazzremix batch`` with one local worker; ``(status, stdout, stderr)`` at the file descriptors."""
    capfd.readouterr()
    rc = main(["batch", *map(str, args), "--workers", "1", "--model", str(models[0]), "--mixer", str(models[1])])
    out, err = capfd.readouterr()
    return rc, out, err


def records(out: Path) -> list:
    return [json.loads(line) for line in (out / mf.NAME).read_text().splitlines() if line.strip()]


def read(path) -> np.ndarray:
    return sf.read(path, dtype="float64", always_2d=True)[0]


def test_float_residual_stems_keep_remix_and_json(tmp_path, models, capfd):
    """32-bit float, --clip none, --solo residual, --remix --loudness keep, --json: then a re-run with other options
    (16-bit FLAC, rescale, a template) redoes every input, and one with the same options skips them all."""
    src, out = tmp_path / "src", tmp_path / "out"
    inputs = make_inputs(src)
    rc, stdout, err = batch(capfd, src, "--out", out, "--bits", "32", "--clip", "none", "--solo", "residual",
                            "--remix", "--loudness", "keep", "--json", models=models)
    assert rc == 0, err
    assert stdout.count("\n") == 1  # the JSON object, alone
    summary = json.loads(stdout)
    assert (summary["written"], summary["skipped"], summary["failed"]) == (2, 0, 0)
    assert summary["options"] == {"format": "wav", "bits": 32, "bitrate": 320, "clip": "none",
                                  "filename": naming.BATCH_TEMPLATE, "solo": "residual", "keep_mono": False,
                                  "remix": True, "loudness": "keep"}
    on_disk = {p for p in out.rglob("*.wav")}
    assert {Path(o["path"]) for f in summary["files"] for o in f["outputs"]} == on_disk
    assert on_disk == {out / "a" / f"take0.{k}.wav" for k in ("solo", "accompaniment", "remix")} | \
        {out / "b/c" / f"take1.{k}.wav" for k in ("solo", "accompaniment", "remix")}
    recs = {r["input"]: r for r in records(out)}
    sep, mix = pipeline.load_model(models[0], "separator"), pipeline.load_model(models[1], "mixer")
    for path, entry in zip(inputs, summary["files"]):
        assert entry["input"] == str(path) and entry["status"] == "written"
        outs = {o["stem"]: o for o in entry["outputs"]}
        assert set(outs) == {"solo", "accompaniment", "remix"} and outs["solo"]["solo_mode"] == "residual"
        assert all(o["clip_mode"] == "none" for o in outs.values())
        assert recs[str(path)]["options"] == summary["options"]
        assert entry["suggestion"] == recs[str(path)]["suggestion"]
        x = read(path)
        solo, acc, remix = (read(outs[k]["path"]) for k in ("solo", "accompaniment", "remix"))
        assert solo.shape == acc.shape == x.shape and np.abs(solo).max() > 1.0  # the overs kept, in float
        np.testing.assert_allclose(solo + acc, x, atol=1e-6)  # the stems add up to the input
        ref = pipeline.analyse(path, separator=sep, mixer=mix)
        np.testing.assert_allclose(acc, ref.stems.accompaniment, atol=1e-6)
        pan, gain = Mix(automation.suggestion_automation(ref.suggestion, x.shape[0], RATE)).window(0, x.shape[0])
        np.testing.assert_allclose(remix, render_remix(ref.stems, pan, gain), atol=1e-6)
    first = {p: read(p) for p in on_disk}

    # other options writing the same names: refused before any work, the earlier files as they were
    rc, stdout, err = batch(capfd, src, "--out", out, "--bits", "32", "--clip", "none", "--solo", "residual",
                            "--json", models=models)
    assert rc == 1 and err.count("already exists: not overwritten; pass --overwrite") == 2
    summary = json.loads(stdout)
    assert (summary["written"], summary["failed"]) == (0, 2) and len(records(out)) == 2
    assert all(np.array_equal(read(p), x) for p, x in first.items())

    # other options: every input redone, 16-bit FLAC named by the template, both stems rescaled by one factor
    template = "{name}-{stem}.{ext}"
    rc, stdout, err = batch(capfd, src, "-o", out, "--format", "flac", "--bits", "16", "--clip", "rescale",
                            "--solo", "residual", "--filename", template, "--json", models=models)
    assert rc == 0, err
    summary = json.loads(stdout)
    assert (summary["written"], summary["skipped"]) == (2, 0) and "2 to do" in err
    assert len(records(out)) == 4
    for path, entry in zip(inputs, summary["files"]):
        outs = {o["stem"]: o for o in entry["outputs"]}
        assert set(outs) == {"solo", "accompaniment"}
        assert {o["path"] for o in outs.values()} == {str(out / f"{path.stem}-{k}.flac") for k in outs}
        for o in outs.values():
            info = sf.info(o["path"])
            assert (info.format, info.subtype, info.samplerate) == ("FLAC", "PCM_16", RATE)
        db = entry["shared_gain_db"]
        assert db < -1 and outs["solo"]["rescaled_db"] == outs["accompaniment"]["rescaled_db"] == db
        gains = []
        for k in ("solo", "accompaniment"):
            before = first[out / path.parent.relative_to(src) / f"{path.stem}.{k}.wav"]
            now = read(outs[k]["path"])
            gains.append(np.sum(now * before) / np.sum(before * before))  # least squares
            assert np.abs(now - gains[-1] * before).max() < 1e-4  # that factor, 16-bit dither apart
        assert math.isclose(*gains, rel_tol=1e-5) and 20 * math.log10(gains[0]) == pytest.approx(db, abs=0.006)

    # the same options again: nothing to do (no cluster), every input skipped, said in the JSON
    rc, stdout, err = batch(capfd, src, "--out", out, "--format", "flac", "--bits", "16", "--clip", "rescale",
                            "--solo", "residual", "--filename", template, "--json", models=models)
    summary = json.loads(stdout)
    assert rc == 0 and (summary["written"], summary["skipped"], summary["failed"]) == (0, 2, 0)
    assert all(f["status"] == "skipped" and f["earlier"] == "done" and len(f["outputs"]) == 2
               for f in summary["files"])
    assert len(records(out)) == 4


def test_templates_that_leave_the_folder_are_refused(tmp_path, models, capfd):
    src, out, elsewhere = tmp_path / "src", tmp_path / "out", tmp_path / "elsewhere"
    make_inputs(src)
    rc, stdout, err = batch(capfd, src, "--out", out, "--filename", "../{name}.{stem}.{ext}", models=models)
    assert rc == 2 and stdout == ""  # a usage error
    assert err.strip() == "jazzremix: error: --filename '../{name}.{stem}.{ext}': must stay inside the output folder"
    out.mkdir()
    elsewhere.mkdir()
    (out / "a").symlink_to(elsewhere)  # {folder} of the first input leads out of the output folder
    rc, stdout, err = batch(capfd, src, "--out", out, "--filename", "{folder}/{name}.{stem}.{ext}", "--json",
                            models=models)
    summary = json.loads(stdout)
    lines = [ln for ln in err.splitlines() if ln.startswith("jazzremix: error: ")]
    assert rc == 1 and len(lines) == 1 and "would be written outside the output folder" in lines[0]
    assert str(src / "a" / "take0.wav") in lines[0]
    assert [f["status"] for f in summary["files"]] == ["failed", "written"]
    assert not list(elsewhere.iterdir()) and (out / "c" / "take1.solo.wav").is_file()
    assert [r["input"] for r in records(out)] == [str(src / "b/c/take1.wav")]


def test_old_manifest_lines_read_with_what_batches_wrote_then(tmp_path):
    """A line from before these options (``format``, ``bits``, ``remix`` only) was written with the defaults, its
    remix as computed: the same run skips it, a run with another option or the remix matched redoes it."""
    song = tmp_path / "src" / "take.wav"
    song.parent.mkdir()
    sf.write(song, np.zeros((100, 2), np.float32), RATE)
    out = tmp_path / "out"
    (item,) = sources.collect([song.parent], out)
    spec = task.TaskSpec(str(item.path), str(out.resolve()), remix=True)
    outputs = {k: str(p) for k, p in spec.targets().items()}
    out.mkdir()
    for p in outputs.values():
        Path(p).write_bytes(b"x")
    st = song.stat()
    old = {"input": str(item.path), "status": "done", "size": st.st_size, "mtime_ns": st.st_mtime_ns, "models": {},
           "options": {"format": "wav", "bits": 24, "remix": True}, "outputs": outputs}
    (out / mf.NAME).write_text(json.dumps(old) + "\n")

    def todo(**options):
        import dataclasses

        with mf.Manifest(out) as m:
            return len(m.plan([item], {}, dataclasses.replace(spec, **options).options()).todo)

    assert todo() == 0  # the defaults, the remix as computed: what it was written with
    assert todo(bitrate=128) == 0  # an MP3 option, for WAV files
    assert todo(loudness="match") == 1 and todo(clip="rescale") == 1 and todo(solo="residual") == 1
    assert todo(template="{name}.{stem}.{ext}") == 1 and todo(bits=16) == 1 and todo(keep_mono=True) == 1
    assert mf.comparable({"format": "wav", "bits": 24, "remix": False}) == \
        mf.comparable({"format": "wav", "bits": 24, "remix": False, "loudness": "match", "bitrate": 128})


def test_task_mono_input_stereo_solo_keep_mono_mp3(tmp_path, models):
    """The worker's task alone (no cluster): a mono recording with --solo stereo --keep-mono into 128 kbit/s MP3."""
    song = tmp_path / "mono.wav"
    t = np.arange(RATE) / RATE
    sf.write(song, (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), RATE, subtype="PCM_24")
    ident = {k: {"path": str(m), **task.model_identity(pipeline.load_model(str(m), k))}
             for k, m in (("separator", models[0]), ("mixer", models[1]))}
    sizes = {}
    for kbps in (128, 320):
        spec = task.TaskSpec(str(song), str(tmp_path / f"out{kbps}"), "mp3", models=ident, bitrate=kbps, solo="stereo",
                             keep_mono=True, template="{stem}/{name}.{ext}")
        result = task.process(spec)
        assert result["status"] == "done", result["error"]
        solo, acc = (Path(result["outputs"][k]) for k in ("solo", "accompaniment"))
        assert solo == tmp_path / f"out{kbps}" / "solo" / "mono.mp3"
        assert (sf.info(solo).format, sf.info(solo).channels, sf.info(acc).channels) == ("MP3", 2, 1)
        assert set(result["reports"]) == {"solo", "accompaniment"}
        sizes[kbps] = acc.stat().st_size
    assert 2 < sizes[320] / sizes[128] < 3  # the bitrate asked for
