"""Where a pitch head goes wrong on voiced frames: the predicted class minus the clean solo's (r2, #21).
python checkpoints/r2/pitch_errors.py data/SET N MODEL.pt"""
import sys
from collections import Counter
from pathlib import Path
import numpy as np, torch
from jazzremix_gui.training.separator_weights import load_init
from jazzremix_gui.training.pitch import f0_labels
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal.stft import stft

model = load_init(sys.argv[3])[0].eval()
c, n, ce, e_all = Counter(), 0, Counter(), 0.0
for folder in sorted(Path(sys.argv[1]).glob('track_*'))[: int(sys.argv[2])]:
    mix, _ = audio_io.read_audio(folder / 'mixture.wav'); solo, _ = audio_io.read_audio(folder / 'solo.wav')
    X = np.abs(stft(mix.mean(1)[:, None], 1024)[:, 0, :])
    S = np.abs(stft(solo.mean(1)[:, None], 1024)[:, 0, :])
    energy = (S ** 2).sum(1)  # the solo's energy in each frame
    lab = f0_labels(np.concatenate([np.zeros(1024), solo.mean(1)]), 1024, X.shape[0])
    with torch.no_grad():
        pred = model.forward_with_pitch(torch.from_numpy(X.astype(np.float32))[None])[1][0].argmax(-1).numpy()
    v = lab > 0
    d = np.where(pred[v] == 0, 999, pred[v] - lab[v])
    n += v.sum()
    e_all += energy[v].sum()
    for x, e in zip(d, energy[v]):
        k = ('unvoiced' if x == 999 else 'right' if x == 0 else '+-1' if abs(x) == 1 else 'octave' if abs(x) in (12, 24)
          else 'fifth/fourth' if abs(x) in (5, 7, 17, 19) else 'other')
        c[k] += 1
        ce[k] += e
print('share of voiced frames', {k: round(v / n, 3) for k, v in c.most_common()}, n, 'voiced frames')
print('share of their solo energy', {k: round(v / e_all, 3) for k, v in ce.most_common()})
