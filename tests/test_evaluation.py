"""`jazzremix evaluate`: the breakdown by condition read from each track's meta.json."""

import json

import numpy as np
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


def test_evaluate_cli_reports_breakdown(tmp_path, capsys):
    from jazzremix_gui.cli.main import main

    rng = np.random.default_rng(0)
    for k, (inst, horns) in enumerate((("trumpet", True), ("flute", False))):
        d = tmp_path / "set" / f"track_{k:05d}"
        d.mkdir(parents=True)
        t = np.arange(44100) / 44100
        solo = np.stack([0.2 * np.sin(2 * np.pi * 440 * t)] * 2, 1).astype(np.float32)
        acc = (0.05 * rng.standard_normal((44100, 2))).astype(np.float32)
        for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
            sf.write(d / f"{name}.wav", x, 44100, subtype="FLOAT")
        (d / "meta.json").write_text(json.dumps({"instrument": inst, "horn_backgrounds": horns,
                                                 "degradations": []}))
    assert main(["evaluate", str(tmp_path / "set"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["breakdown"]) == {"instrument", "horns", "channels", "band"}
    assert out["breakdown"]["horns"]["horns"]["n"] == 1
    assert out["tracks"][0]["conditions"]["instrument"] == "trumpet"
    assert main(["evaluate", str(tmp_path / "set")]) == 0
    text = capsys.readouterr().out
    assert "median by instrument:" in text and "trumpet (1)" in text
