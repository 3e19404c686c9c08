"""Is the mask's rank a limit? The ideal mask's logits projected onto the span of the decoder's last layer."""
import sys, json
from pathlib import Path
import numpy as np, torch
from jazzremix_gui.training.separator_weights import load_init
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal.stft import stft, istft
from jazzremix_gui.core.evaluation import global_sdr

model, _, _ = load_init('models/separator.pt')
model.eval()
W = model.decode[3].weight.detach().double().numpy()   # (2049, 256)
b = model.decode[3].bias.detach().double().numpy()
Q, _ = np.linalg.qr(W)                                  # orthonormal basis of the span
rng = np.random.default_rng(0)
Qr, _ = np.linalg.qr(rng.standard_normal(W.shape))
res = []
for folder in sorted(Path(sys.argv[1]).glob('track_*'))[: int(sys.argv[2])]:
    mix, _ = audio_io.read_audio(folder / 'mixture.wav'); solo, _ = audio_io.read_audio(folder / 'solo.wav')
    acc, _ = audio_io.read_audio(folder / 'accompaniment.wav')
    mid = mix.mean(1); smid = solo.mean(1); amid = acc.mean(1)
    Xs = stft(mid[:, None], 1024)[:, 0, :]
    S = np.abs(stft(smid[:, None], 1024)[:, 0, :]); A = np.abs(stft(amid[:, None], 1024)[:, 0, :])
    m = S / (S + A + 1e-10)                             # frames x bins
    lg = np.log(np.clip(m, 1e-3, 1 - 1e-3) / (1 - np.clip(m, 1e-3, 1 - 1e-3)))
    def sdr_of(mask):
        est = istft((mask * Xs)[:, None, :], 1024, len(mid))
        return global_sdr(smid, np.asarray(est).reshape(-1))
    out = {'irm': sdr_of(m)}
    for name, B in (('span', Q), ('random', Qr)):
        p = (lg - b) @ B @ B.T + b
        out[name] = sdr_of(1 / (1 + np.exp(-p)))
    with torch.no_grad():
        net = model(torch.from_numpy(np.abs(Xs).astype(np.float32))).numpy()
    out['net'] = sdr_of(net / (np.abs(Xs) + 1e-10))
    res.append(out); print(folder.name, {k: round(v, 2) for k, v in out.items()}, flush=True)
print('median', {k: round(float(np.median([r[k] for r in res])), 2) for k in res[0]})
