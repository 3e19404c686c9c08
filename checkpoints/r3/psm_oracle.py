"""What the phase-sensitive mask would reach.  (Diagnostic for #21, twenty-second session, experiment e32.)

Per track of a validation set (mid only, no Wiener step, like checkpoints/r2/pitch_comb.py), median SDR of the solo
made by each oracle mask times the mixture's STFT:
- irm: |S| / (|S| + |A|), the "ideal ratio mask" of jazzremix evaluate's oracle;
- irm_power: |S|^2 / (|S|^2 + |A|^2), the Wiener mask;
- psm: Re(S conj X) / |X|^2 clipped to 0..1, the phase-sensitive mask (what --phase-sensitive trains toward);
- msa: |S| / |X| clipped to 0..1 (what the plain loss trains toward).
python checkpoints/r3/psm_oracle.py data/SET N
"""
import sys
from pathlib import Path
import numpy as np
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal.stft import stft, istft
from jazzremix_gui.core.evaluation import global_sdr

HOP = 1024
rows = []
for folder in sorted(Path(sys.argv[1]).glob('track_*'))[: int(sys.argv[2])]:
    solo, _ = audio_io.read_audio(folder / 'solo.wav')
    acc, _ = audio_io.read_audio(folder / 'accompaniment.wav')
    smid, amid = solo.mean(1), acc.mean(1)
    mid = smid + amid
    X = stft(mid[:, None], HOP)[:, 0, :]
    S = stft(smid[:, None], HOP)[:, 0, :]
    A = X - S
    s, a, x = np.abs(S), np.abs(A), np.abs(X)

    def sdr_of(mask):
        e = istft((mask * X)[:, None, :], HOP, len(mid))
        return global_sdr(smid, np.asarray(e).reshape(-1))
    rows.append({'irm': sdr_of(s / (s + a + 1e-10)), 'irm_power': sdr_of(s ** 2 / (s ** 2 + a ** 2 + 1e-20)),
                 'psm': sdr_of(np.clip((S.real * X.real + S.imag * X.imag) / (x ** 2 + 1e-20), 0, 1)),
                 'msa': sdr_of(np.clip(s / (x + 1e-10), 0, 1))})
    print(folder.name, {k: round(v, 2) for k, v in rows[-1].items()}, flush=True)
print(sys.argv[1], 'medians:', {k: round(float(np.median([r[k] for r in rows])), 2) for k in rows[0]})
