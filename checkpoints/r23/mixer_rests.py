"""Diagnostic r23: does the mixer's suggestion gain when it does not listen to the solo's marked rests?

The mixer's track suggestion pools the per-frame posteriors of the frames where the separated solo is loud enough
(``core.signal.mixer.activity_from_energy``). In a rest the separated solo is the band's bleed, at the band's pans:
its frames may vote for the wrong cell. Per track of a mixer validation set: the suggestion as the app makes it
(``plain``), and the same stream decoded with the frames inside the track's marked rests
(``core.evaluation.marked_rests``, as ``evaluate --solo-silent-at-rests`` marks them) not voting (``rests``); each
scored against the mixing policy's label (``scripts/mixer_compare.py``'s labels and per-track figures).

    python checkpoints/r23/mixer_rests.py data/mixer-val-3 OUT.jsonl --label-seed 508 [--every 2 --offset 0|1]
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.evaluation import list_tracks, marked_rests
from jazzremix_gui.core.signal import features, mixer
from jazzremix_gui.training import mixer_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from mixer_compare import per_track  # noqa: E402


def label(folder: Path, seed: int) -> int:
    solo, rate = audio_io.read_audio(folder / "solo.wav")
    acc, _ = audio_io.read_audio(folder / "accompaniment.wav")
    meta = json.loads((folder / "meta.json").read_text())
    return mixer_policy.policy_label(solo, acc, meta, folder.name, seed, rate).cell


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--label-seed", type=int, required=True)
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--offset", type=int, default=0)
    a = p.parse_args()
    separator = pipeline.load_model(None, "separator")
    mix_model = pipeline.load_model(None, "mixer")
    done = {json.loads(x)["track"] for x in open(a.out)} if Path(a.out).is_file() else set()
    streams = []
    original_finish = mixer.MixerStream.finish

    def keep(self, *args, **kw):
        streams.append((self, args, kw))
        return original_finish(self, *args, **kw)

    mixer.MixerStream.finish = keep
    for folder in list_tracks(a.set)[a.offset::a.every]:
        if folder.name in done:
            continue
        start = time.time()
        meta = json.loads((folder / "meta.json").read_text())
        streams.clear()
        plain = pipeline.analyse(folder / "mixture.wav", separator=separator, mixer=mix_model,
                                 keep_stems=False).suggestion
        stream, args, kw = streams[0]
        rests = marked_rests(meta, stream.n / mixer.MODEL_RATE)
        t = features.frame_times(stream.n_frames, stream.hop)
        in_rest = np.zeros(stream.n_frames, bool)
        for s, e in rests:
            in_rest |= (t >= s) & (t < e)
        energy = stream.energy.copy()
        energy_only = mixer.activity_from_energy
        mixer.activity_from_energy = lambda en, *r: energy_only(energy, *r) & ~in_rest
        try:
            with_rests = original_finish(stream, *args, **kw)
        finally:
            mixer.activity_from_energy = energy_only
        truth = np.array([label(folder, a.label_seed)])
        rec = {"track": folder.name, "label": int(truth[0]), "rest_s": round(sum(e - s for s, e in rests), 2),
               "rest_active_frames": int((in_rest & energy_only(energy)).sum())}
        for name, sugg in (("plain", plain), ("rests", with_rests)):
            each = per_track(np.array([sugg.cell]), truth)
            rec[name] = {"cell": int(sugg.cell), "confidence": round(float(sugg.confidence), 4),
                         **{k: float(v[0]) for k, v in each.items()}}
        rec["seconds"] = round(time.time() - start, 1)
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(rec["track"], rec["label"], rec["plain"]["cell"], rec["rests"]["cell"], rec["rest_s"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
