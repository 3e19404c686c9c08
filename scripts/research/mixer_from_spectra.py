"""#22 item 1 (research, not wired in): could the mixer read the separator's own spectra instead of the stems?

``suggest`` and ``remix`` transform the separated stems again for the mixer (three FFTs a frame on the caller's
thread). The separator's Wiener step already holds the solo's spectrum and each accompaniment channel's
(``X_c - M_c X_c``): this script computes the mixer's rows both ways for each file with the shipped pair
(the separator's spectra captured in ``Synthesiser._measure``) and prints how far the mixer's features and its
decoded suggestion move (``A``: from the stems, as shipped; ``B``: from the separator's spectra; ``streamed``: what
``pipeline.analyse`` gave, equal to ``A``; ``posterior_tv``: total-variation distance of the track posteriors).

    python scripts/research/mixer_from_spectra.py ../shared/real-jazz/seg{1..9}.mp3

Results: docs/SPEED.md ("The mixer from the separator's spectra").
"""
import sys, json, numpy as np
from pathlib import Path
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import separation, features
from jazzremix_gui.core.signal.mixer import MixerStream
from jazzremix_gui.core.audio import audio_io

cap = {"solo": [], "acc": []}
orig = separation.Synthesiser._measure
def measure(self, mag, mask, solo_spec, spec, parts):
    cap["solo"].append(np.abs(solo_spec).astype(np.float32))
    a = spec - parts
    cap["acc"].append((np.square(np.abs(a), dtype=np.float64)).mean(axis=1))
    return orig(self, mag, mask, solo_spec, spec, parts)
separation.Synthesiser._measure = measure

sep = pipeline.load_model(None, "separator"); mix = pipeline.load_model(None, "mixer")
kind = mix.meta.input_kind
def suggest_from(rows, n44, level, pan, share):
    st = MixerStream(mix, n44, level)
    st._rows = lambda lo, hi, keep: tuple(r[lo:hi] for r in rows)
    st._received = n44
    return st.finish(pan, share)

out = []
for seg in sys.argv[1:]:
    cap["solo"].clear(); cap["acc"].clear()
    an = pipeline.analyse(seg, separator=sep, mixer=mix)
    st = an.stems
    s44 = audio_io.resample(st.solo, st.rate, 44100); a44 = audio_io.resample(st.accompaniment, st.rate, 44100)
    n44 = s44.shape[0]
    rows_a = features.rows_from_spectra(*features.frame_spectra(s44, a44, 1024, kind), kind)
    rows_b = features.rows_from_spectra(np.concatenate(cap["solo"]), np.concatenate(cap["acc"]), kind)
    fa = features.features_from_rows(rows_a, kind, st.solo_level); fb = features.features_from_rows(rows_b, kind, st.solo_level)
    A = suggest_from(rows_a, n44, st.solo_level, st.recorded_pan_deg, st.solo_share_db)
    B = suggest_from(rows_b, n44, st.solo_level, st.recorded_pan_deg, st.solo_share_db)
    tv = 0.5 * np.abs(A.posterior - B.posterior).sum()
    d = np.abs(fa - fb)
    row = dict(seg=Path(seg).stem, frames=(len(rows_a[0]), len(rows_b[0])), feat_max=float(d.max()), feat_mean=float(d.mean()),
               A=(round(A.pan_deg, 1), round(A.gain, 3), round(A.confidence, 3), len(A.sections)),
               B=(round(B.pan_deg, 1), round(B.gain, 3), round(B.confidence, 3), len(B.sections)),
               streamed=(round(an.suggestion.pan_deg, 1), round(an.suggestion.gain, 3), round(an.suggestion.confidence, 3)),
               posterior_tv=round(float(tv), 4))
    print(json.dumps(row), flush=True)
