"""Diagnostic r10: does a separator adapted to one recording, on its own stems (RemixIT-style self-training), beat
the shipped one on that recording?

For each track of a set: the shipped separator's stems of its mixture (the teacher: ``jazzremix separate --solo
stereo``, float, no limiter) become a one-track training set; ``train-separator`` fine-tunes models/separator.pt on
it (the sampler remixes the track's solo with its own accompaniment from other moments at random levels, with the
timbre augmentation: the student never sees the teacher's exact inputs); the adapted network separates the track
and is scored against the true stems beside the shipped one. No true stem is read before the scoring.

    python checkpoints/r10/adapt.py data/val-unseen OUT.jsonl [--steps 150] [--lr 1e-4] [--first N] [--every K]
        [--offset I]

OUT.jsonl gets a line a track (the shipped and the adapted SDR, solo and accompaniment).
"""
import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

JR = [sys.executable, "-m", "jazzremix_gui"]


def run(args, **kw):
    return subprocess.run(JR + [str(a) for a in args], check=True, capture_output=True, text=True, **kw)


def score(track: Path, model: Path, work: Path) -> dict:
    one = work / "score"
    shutil.rmtree(one, ignore_errors=True)
    one.mkdir()
    (one / track.name).symlink_to(track.resolve())
    out = run(["evaluate", one, "--model", model, "--json"]).stdout
    return json.loads(out)["tracks"][0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--remix", type=float, default=0.8)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--work", default="/tmp/r10/work")
    a = p.parse_args()
    tracks = sorted(t for t in Path(a.set).iterdir() if (t / "mixture.wav").is_file())[a.offset::a.every]
    tracks = tracks[: a.first or None]
    done = set()
    if Path(a.out).is_file():
        done = {json.loads(line)["track"] for line in open(a.out)}
    for track in tracks:
        if track.name in done:
            continue
        t0 = time.time()
        work = Path(a.work) / track.name
        shutil.rmtree(work, ignore_errors=True)
        (work / "teach").mkdir(parents=True)
        run(["separate", track / "mixture.wav", "-o", work / "teach", "--solo", "stereo", "--clip", "none",
             "--bits", "32", "-q"])
        ds = work / "ds" / "track_00000"
        ds.mkdir(parents=True)
        (ds / "mixture.wav").symlink_to((track / "mixture.wav").resolve())
        shutil.move(work / "teach" / "mixture.solo.wav", ds / "solo.wav")
        shutil.move(work / "teach" / "mixture.accompaniment.wav", ds / "accompaniment.wav")
        model = work / "adapted.onnx"
        run(["train-separator", "--arch", "mask", "--train", work / "ds", "--val", work / "ds",
             "--init", "models/separator.pt", "--init-optimizer", "fresh", "--max-steps", a.steps,
             "--minutes", 30, "--seed", 1, "--threads", 1, "--lr", a.lr, "--warmup", 20, "--remix", a.remix,
             "--both-stems", 0.5, "--timbre", 0.8, "--timbre-scale", 1.5, "--wiener-alpha", 1,
             "--pan-aware", "15,0.1,1", "--steer-train", 0.7, "--checkpoints", work / "ck", "--out", model,
             "--version", "r10", "--card", work / "card.json"])
        base = score(track, Path("models/separator.onnx"), work)
        adapted = score(track, model, work)
        rec = {"track": track.name, "steps": a.steps, "lr": a.lr, "remix": a.remix,
               "solo": base["solo"], "acc": base["accompaniment"],
               "solo_adapted": adapted["solo"], "acc_adapted": adapted["accompaniment"],
               "oracle_solo": base["oracle_solo"], "instrument": base["conditions"]["instrument"],
               "seconds": round(time.time() - t0, 1)}
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(f"{track.name} {rec['instrument']:16s} solo {rec['solo']:6.2f} -> {rec['solo_adapted']:6.2f}  "
              f"acc {rec['acc']:6.2f} -> {rec['acc_adapted']:6.2f}  ({rec['seconds']} s)", flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
