"""Which frames hold the network's error (r2, #21): the solo estimate's error energy |M X - S|^2 (STFT of the mids)
in frames where the clean solo is unvoiced, voiced and named right by the pitch head, voiced and not.
python checkpoints/r2/error_frames.py data/SET N MODEL.pt"""
import sys
from pathlib import Path
import numpy as np, torch
from jazzremix_gui.training.separator_weights import load_init
from jazzremix_gui.training.pitch import f0_labels
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal.stft import stft

model = load_init(sys.argv[3])[0].eval()
tot = np.zeros(3); frames = np.zeros(3); solo_e = np.zeros(3)
for folder in sorted(Path(sys.argv[1]).glob('track_*'))[: int(sys.argv[2])]:
    mix, _ = audio_io.read_audio(folder / 'mixture.wav'); solo, _ = audio_io.read_audio(folder / 'solo.wav')
    X = stft(mix.mean(1)[:, None], 1024)[:, 0, :]; S = stft(solo.mean(1)[:, None], 1024)[:, 0, :]
    lab = f0_labels(np.concatenate([np.zeros(1024), solo.mean(1)]), 1024, X.shape[0])
    with torch.no_grad():
        est, logits = model.forward_with_pitch(torch.from_numpy(np.abs(X).astype(np.float32))[None])
    mask = est[0].numpy() / (np.abs(X) + 1e-10)
    pred = logits[0].argmax(-1).numpy()
    err = (np.abs(mask * X - S) ** 2).sum(1)
    cat = np.where(lab == 0, 0, np.where(pred == lab, 1, 2))
    for k in range(3):
        tot[k] += err[cat == k].sum(); frames[k] += (cat == k).sum(); solo_e[k] += (np.abs(S[cat == k]) ** 2).sum()
names = ("solo unvoiced or silent", "voiced, head right", "voiced, head wrong or unvoiced")
for k in range(3):
    print(f"{names[k]}: {frames[k] / frames.sum():.1%} of frames, {solo_e[k] / solo_e.sum():.1%} of the solo's energy, "
          f"{tot[k] / tot.sum():.1%} of the error; error/solo energy there {10 * np.log10(tot[k] / solo_e[k]):+.1f} dB")
