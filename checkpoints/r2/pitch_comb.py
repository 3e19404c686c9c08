"""How much would the solo's F0 tell the mask?  (Diagnostic for #21, twenty-first session.)

Per track of a validation set (mid only, no Wiener step, like checkpoints/r1/rank_check.py):
- irm: the ideal ratio mask; net: a separator's own mask;
- comb(f0): a harmonic comb (Gaussian bumps at k f0, k = 1.. up to 16 kHz) where the clean solo is voiced, 0 elsewhere;
- net x comb: the network's mask times the comb where voiced, the network's mask elsewhere;
  f0 from YIN on the clean solo (oracle) or from the network's pitch head (pred);
- the pitch head's accuracy on frames the clean solo is voiced: the class itself, within one semitone; voicing.
python checkpoints/r2/pitch_comb.py data/SET N [MODEL.pt]
"""
import sys
from pathlib import Path
import numpy as np, torch
from jazzremix_gui.training.separator_weights import load_init
from jazzremix_gui.training.pitch import f0_hz, LOWEST_HZ, N_PITCHES
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal.stft import stft, istft
from jazzremix_gui.core.evaluation import global_sdr

HOP, BIN_HZ = 1024, 44100 / 4096
bins = np.arange(2049)


def comb(f0, rel):
    """(T, 2049) harmonic comb of per-frame F0 (Hz, 0 = none): max over harmonics of Gaussians in bins."""
    out = np.zeros((f0.size, 2049))
    for t, f in enumerate(f0):
        if f <= 0:
            continue
        k = np.arange(1, int(16000 / f) + 1)
        c = k * f / BIN_HZ
        s = np.sqrt(1.5 ** 2 + (c * rel) ** 2)
        out[t] = np.exp(-0.5 * ((bins[:, None] - c[None]) / s[None]) ** 2).max(axis=1)
    return out


model, _, _ = load_init(sys.argv[3] if len(sys.argv) > 3 else 'models/wip/sep-e26-pitch.pt')
model.eval()
res, acc = [], []
for folder in sorted(Path(sys.argv[1]).glob('track_*'))[: int(sys.argv[2])]:
    mix, _ = audio_io.read_audio(folder / 'mixture.wav'); solo, _ = audio_io.read_audio(folder / 'solo.wav')
    acc_, _ = audio_io.read_audio(folder / 'accompaniment.wav')
    mid, smid, amid = mix.mean(1), solo.mean(1), acc_.mean(1)
    Xs = stft(mid[:, None], HOP)[:, 0, :]
    S = np.abs(stft(smid[:, None], HOP)[:, 0, :]); A = np.abs(stft(amid[:, None], HOP)[:, 0, :])
    T = Xs.shape[0]
    f0 = f0_hz(np.concatenate([np.zeros(1024), smid]), HOP, T)  # frame t centred on sample t hop
    with torch.no_grad():
        est, logits = model.forward_with_pitch(torch.from_numpy(np.abs(Xs).astype(np.float32))[None])
    net = est[0].numpy() / (np.abs(Xs) + 1e-10)
    p = torch.softmax(logits[0], -1).numpy()                       # (T, 61)
    cls = p[:, 1:].argmax(1)                                        # 0 .. 59
    lo, hi = np.maximum(cls - 1, 0), np.minimum(cls + 1, N_PITCHES - 1)
    w = np.stack([p[np.arange(T), 1 + j] for j in (lo, cls, hi)], 1)
    semis = np.stack([lo, cls, hi], 1)
    semi = (w * semis).sum(1) / w.sum(1)
    f0p = np.where(p[:, 0] < 0.5, LOWEST_HZ * 2 ** (semi / 12), 0.0)
    voiced = f0 > 0
    right = voiced & (f0p > 0) & (np.abs(cls - np.rint(12 * np.log2(np.where(voiced, f0, LOWEST_HZ) / LOWEST_HZ))) == 0)
    true_semi = 12 * np.log2(np.where(voiced, f0, LOWEST_HZ) / LOWEST_HZ)
    if voiced.any():
        d = np.abs(cls[voiced] - np.rint(true_semi[voiced]))
        acc.append((voiced.sum(), (d == 0).sum(), (d <= 1).sum(), (f0p[voiced] > 0).sum(), (f0p[~voiced] > 0).sum(),
                    (~voiced).sum()))

    def sdr_of(mask):
        e = istft((mask * Xs)[:, None, :], HOP, len(mid))
        return global_sdr(smid, np.asarray(e).reshape(-1))
    co, cp = comb(f0, 0.005), comb(f0p, 0.02)
    out = {'irm': sdr_of(S / (S + A + 1e-10)), 'net': sdr_of(net), 'comb_oracle': sdr_of(co),
           'net_x_comb_oracle': sdr_of(np.where(voiced[:, None], net * co, net)),
           'net_x_comb_pred': sdr_of(np.where((f0p > 0)[:, None], net * cp, net)),
           'comb_pred': sdr_of(cp), 'comb_pred_narrow': sdr_of(comb(f0p, 0.005)),
           'comb_oracle_semitone': sdr_of(comb(np.where(voiced, LOWEST_HZ * 2 ** (np.rint(true_semi) / 12), 0), 0.02)),
           'net_voicing_oracle': sdr_of(np.where(voiced[:, None], net, 0)),
           'max_net_comb_oracle': sdr_of(np.where(voiced[:, None], np.maximum(net, co), 0)),
           # the head's own pitch, where (only the clean solo knows) it names the right class
           'comb_pred_where_right': sdr_of(np.where(right[:, None], cp, net)),
           'net_x_comb_pred_where_right': sdr_of(np.where(right[:, None], net * cp, net)),
           'voiced': float(voiced.mean())}
    res.append(out); print(folder.name, {k: round(v, 2) for k, v in out.items()}, flush=True)
print('median', {k: round(float(np.median([r[k] for r in res])), 2) for k in res[0]})
a = np.array(acc).sum(0)
print(f'pitch head on voiced frames: class {a[1] / a[0]:.3f}, within a semitone {a[2] / a[0]:.3f}; '
      f'voiced called voiced {a[3] / a[0]:.3f}; unvoiced called voiced {a[4] / max(a[5], 1):.3f}')
