"""How much does the rank of the mask's logit subspace cost at the ideal? Bases: the decoder's span (256), and the
principal subspaces of the ideal logits of another set (basis set), of 128/256/512/1024 dimensions (mean added)."""
import sys
from pathlib import Path
import numpy as np
from jazzremix_gui.training.separator_weights import load_init
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal.stft import stft, istft
from jazzremix_gui.core.evaluation import global_sdr

def tracks(d, n):
    for folder in sorted(Path(d).glob('track_*'))[:n]:
        mix, _ = audio_io.read_audio(folder / 'mixture.wav'); solo, _ = audio_io.read_audio(folder / 'solo.wav')
        acc, _ = audio_io.read_audio(folder / 'accompaniment.wav')
        mid, smid, amid = mix.mean(1), solo.mean(1), acc.mean(1)
        X = stft(mid[:, None], 1024)[:, 0, :]
        S = np.abs(stft(smid[:, None], 1024)[:, 0, :]); A = np.abs(stft(amid[:, None], 1024)[:, 0, :])
        m = np.clip(S / (S + A + 1e-10), 1e-3, 1 - 1e-3)
        yield folder.name, mid, smid, X, np.log(m / (1 - m))

basis_rows = np.concatenate([lg for *_, lg in tracks(sys.argv[1], 36)])
mu = basis_rows.mean(0)
_, _, Vt = np.linalg.svd(basis_rows - mu, full_matrices=False)
model = load_init('models/separator.pt')[0]
W = model.decode[3].weight.detach().double().numpy(); b = model.decode[3].bias.detach().double().numpy()
Q, _ = np.linalg.qr(W)
res = {}
for name, mid, smid, X, lg in tracks(sys.argv[2], 36):
    def sdr(p):
        return global_sdr(smid, istft(((1 / (1 + np.exp(-p))) * X)[:, None, :], 1024, len(mid)).reshape(-1))
    row = {'irm': sdr(lg), 'decoder span 256': sdr((lg - b) @ Q @ Q.T + b)}
    for k in (128, 256, 512, 1024):
        B = Vt[:k].T
        row[f'pca {k}'] = sdr((lg - mu) @ B @ B.T + mu)
    for k, v in row.items():
        res.setdefault(k, []).append(v)
print({k: round(float(np.median(v)), 2) for k, v in res.items()})
