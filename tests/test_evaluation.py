"""`jazzremix evaluate`: the breakdown by condition read from each track's meta.json; the paired comparison with an
earlier evaluation (`--against`)."""

import json

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import evaluation


def test_conditions_from_meta():
    meta = {"instrument": "trumpet", "horn_backgrounds": True,
            "degradations": [{"type": "mono_collapse"}, {"type": "broadcast_band", "low_hz": 200}]}
    assert evaluation.conditions(meta) == {"instrument": "trumpet", "horns": "horns", "channels": "mono",
                                           "band": "band-limited"}
    meta = {"instrument": "flute", "horn_backgrounds": False, "degradations": [{"type": "narrow_stereo"}]}
    assert evaluation.conditions(meta) == {"instrument": "flute", "horns": "no horns", "channels": "stereo",
                                           "band": "full band"}
    assert evaluation.conditions({}) == {}


def test_breakdown_medians_per_condition():
    rows = [{"solo": s, "accompaniment": s + 1, "oracle_solo": 10.0, "oracle_accompaniment": 12.0,
             "conditions": {"instrument": inst, "channels": ch}}
            for s, inst, ch in ((1.0, "trumpet", "mono"), (3.0, "trumpet", "stereo"), (8.0, "flute", "stereo"))]
    rows.append({"solo": 0.0, "accompaniment": 0.0, "oracle_solo": 0.0, "oracle_accompaniment": 0.0,
                 "conditions": {}})
    b = evaluation.breakdown(rows)
    assert list(b) == ["instrument", "channels"]
    assert b["instrument"]["trumpet"] == {"n": 2, "solo": 2.0, "accompaniment": 3.0, "oracle_solo": 10.0,
                                          "oracle_accompaniment": 12.0}
    assert b["channels"]["stereo"]["solo"] == 5.5 and b["channels"]["mono"]["n"] == 1


def _two_track_set(folder):
    """Two one-second tracks (a trumpet with horns, a flute without): a sine solo over noise."""
    rng = np.random.default_rng(0)
    for k, (inst, horns) in enumerate((("trumpet", True), ("flute", False))):
        d = folder / f"track_{k:05d}"
        d.mkdir(parents=True)
        t = np.arange(44100) / 44100
        solo = np.stack([0.2 * np.sin(2 * np.pi * 440 * t)] * 2, 1).astype(np.float32)
        acc = (0.05 * rng.standard_normal((44100, 2))).astype(np.float32)
        for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
            sf.write(d / f"{name}.wav", x, 44100, subtype="FLOAT")
        (d / "meta.json").write_text(json.dumps({"instrument": inst, "horn_backgrounds": horns,
                                                 "degradations": []}))


def test_evaluate_cli_reports_breakdown(tmp_path, capsys):
    from jazzremix_gui.cli.main import main

    _two_track_set(tmp_path / "set")
    assert main(["evaluate", str(tmp_path / "set"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["breakdown"]) == {"instrument", "horns", "channels", "band"}
    assert out["breakdown"]["horns"]["horns"]["n"] == 1
    assert out["tracks"][0]["conditions"]["instrument"] == "trumpet"
    assert main(["evaluate", str(tmp_path / "set")]) == 0
    text = capsys.readouterr().out
    assert "median by instrument:" in text and "trumpet (1)" in text


def test_a_silent_reference_or_a_file_is_refused_before_any_scoring(tmp_path, capsys):
    """An SDR against a silent solo (an accompaniment-only track) is 0 or -100 dB: meaningless, and it moved the
    median; such a track is named before any work. A file given for the dataset is said to be one."""
    from jazzremix_gui.cli.main import main

    _two_track_set(tmp_path / "set")
    sf.write(tmp_path / "set" / "track_00001" / "solo.wav", np.zeros((44100, 2), np.float32), 44100, subtype="FLOAT")
    assert main(["evaluate", str(tmp_path / "set")]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'set' / 'track_00001' / 'solo.wav'}: silent; an SDR against silence means nothing" in err
    assert main(["evaluate", str(tmp_path / "set" / "track_00000" / "mixture.wav")]) == 1
    assert "a file; evaluate takes a dataset folder" in capsys.readouterr().err


def _result(scores, model="m"):
    return {"model": model, "tracks": [{"track": f"track_{i:05d}", "solo": s, "accompaniment": a}
                                       for i, (s, a) in enumerate(scores)]}


def test_the_paired_comparison_reads_track_by_track_and_names_a_broken_track():
    """One track of six falls by 6.5 dB: the medians move by the gap between the middle tracks, the median of the
    per-track differences stays near 0, and that track is named."""
    before = _result([(2.0, 8.0), (4.0, 9.0), (5.0, 10.0), (9.0, 14.0), (10.0, 15.0), (12.0, 16.0)], "old")
    after = _result([(2.1, 8.1), (4.0, 9.0), (5.1, 10.0), (2.5, 7.5), (10.0, 15.1), (11.9, 16.0)], "new")
    comp = evaluation.paired_comparison(after, before)
    med = np.median([t["solo"] for t in after["tracks"]]) - np.median([t["solo"] for t in before["tracks"]])
    assert med < -1.5  # what a difference of medians would have said
    assert comp["against"] == "old" and comp["n_tracks"] == 6
    assert comp["solo"]["median_difference"] == 0.0
    assert comp["solo"]["better"] == 2 and comp["solo"]["worse"] == 2
    assert comp["solo"]["broken"] == [["track_00003", -6.5]] and comp["accompaniment"]["broken"] == [["track_00003", -6.5]]
    text = evaluation.format_comparison(comp)
    assert "track_00003 -6.50" in text and "median of the differences +0.00" in text
    with pytest.raises(evaluation.ComparisonError, match="not in it: track_00005"):
        evaluation.paired_comparison(after, _result([(1.0, 1.0)] * 5))
    with pytest.raises(evaluation.ComparisonError, match="not a 'jazzremix evaluate --json' result"):
        evaluation.paired_comparison(after, {"median": {}})


def test_evaluate_against_an_earlier_evaluation(tmp_path, capsys):
    """--against: the same model against its own earlier JSON reads 0 dB everywhere, on the terminal and in the JSON;
    a file that is not an evaluation is refused before the work (usage, no traceback); another set's tracks are
    refused after it, with this evaluation still printed."""
    from jazzremix_gui.cli.main import main

    _two_track_set(tmp_path / "set")
    assert main(["evaluate", str(tmp_path / "set"), "--json"]) == 0
    earlier = tmp_path / "earlier.json"
    earlier.write_text(capsys.readouterr().out)
    assert main(["evaluate", str(tmp_path / "set"), "--against", str(earlier)]) == 0
    text = capsys.readouterr().out
    assert "median of the differences +0.00" in text and "0 better, 0 worse" in text and "none" in text
    assert main(["evaluate", str(tmp_path / "set"), "--against", str(earlier), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["compared"]["solo"]["median_difference"] == 0.0 and out["compared"]["n_tracks"] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["evaluate", str(tmp_path / "set"), "--against", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cannot read it as JSON" in err and "Traceback" not in err
    other = json.loads(earlier.read_text())
    other["tracks"] = other["tracks"][:1]
    earlier.write_text(json.dumps(other))
    assert main(["evaluate", str(tmp_path / "set"), "--against", str(earlier)]) == 1
    captured = capsys.readouterr()
    assert "track_00001" in captured.err and "Traceback" not in captured.err and "MEDIAN" in captured.out
