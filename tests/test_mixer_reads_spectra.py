"""The mixer reads the accompaniment from the separator's own spectra (``X_c - P_c``) instead of transforming the
accompaniment stem again (issue #22: two STFTs per frame fewer in `suggest`, `remix` and the app)."""

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import features, mixer
from jazzremix_gui.core.signal.separation import Synthesiser
from jazzremix_gui.core.signal.stft import frame_count


def _music(seconds, seed):
    """A solo (a gliding harmonic tone, panned right, with pauses) over a stereo accompaniment of chords and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(44100 * seconds)) / 44100
    f0 = 330 * 2 ** (np.floor(t * 3) % 5 / 12)
    solo = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / 44100) / k for k in range(1, 8)) * (np.sin(2 * np.pi * t / 3) > -0.3)
    chords = sum(np.sin(2 * np.pi * f * t) for f in (110, 138.6, 164.8, 220))
    left = 0.1 * chords + 0.02 * rng.standard_normal(t.size)
    right = 0.1 * np.roll(chords, 300) + 0.02 * rng.standard_normal(t.size)
    return np.stack([left + 0.1 * solo, right + 0.2 * solo], axis=1).astype(np.float32)


def test_the_accompaniments_rows_from_its_spectra_match_its_stems():
    """The accompaniment's K-weighted totals within 0.05 dB in the median (1 dB at the 99th percentile) of those of
    the stem transformed again, frame for frame, its band powers within 0.1 dB in the median; the suggestion on the
    shipped models is the same choice with the same confidence (within 1 point) and a close posterior; the rows come
    out the same whichever blocks the separation runs in (within the network's float rounding)."""
    sep, mix = pipeline.load_model(None, "separator"), pipeline.load_model(None, "mixer")
    assert mix.meta.input_kind == "mixer_features" and mix.meta.hop == sep.meta.hop
    x = _music(12, 4)
    got, rows_by_block = {}, []
    for block_frames in (256, 97):
        parts = []

        def tap(first, rows, parts=parts):
            parts.append((first, rows))

        stems = list(pipeline.separate_stream([x], 44100, x.shape[0], sep, block_frames=block_frames,
                                              rows_tap=tap, rows_kind="mixer_features"))
        assert [p[0] for p in parts] == list(np.cumsum([0] + [len(p[1]) for p in parts[:-1]]))  # in order, once
        rows_by_block.append(np.concatenate([p[1] for p in parts]))
        got[block_frames] = np.concatenate([a for _, a in stems])
    np.testing.assert_allclose(rows_by_block[0], rows_by_block[1], rtol=1e-5)  # the network's float rounding
    acc = got[256]
    n_frames = frame_count(acc.shape[0], sep.meta.hop)
    spectral = rows_by_block[0]
    assert spectral.shape == (n_frames, features.MIXER_BANDS + 1)
    from_stem = features.accompaniment_rows(features.channel_power(acc, sep.meta.hop), "mixer_features")
    diff = np.abs(10 * np.log10(np.maximum(spectral, 1e-30) / np.maximum(from_stem, 1e-30)))
    sounds = from_stem[:, -1] > from_stem[:, -1].max() * 1e-6  # the K-weighted total of frames that sound
    assert np.median(diff[sounds, -1]) < 0.05 and np.percentile(diff[sounds, -1], 99) < 1.0
    near = from_stem[:, :-1] > from_stem[:, :-1].max(axis=1, keepdims=True) * 1e-3  # bands within 30 dB of the top
    assert np.median(diff[:, :-1][near]) < 0.1
    a = pipeline.analyse(x, 44100, sep, mix, listen="stems").suggestion  # the accompaniment's stem transformed again
    b = pipeline.analyse(x, 44100, sep, mix, listen="spectra").suggestion
    assert (a.pan_deg, a.gain) == (b.pan_deg, b.gain)
    # the posteriors' L1 distance (2 at most): 0.03 with mix-gauss-2.1-on-sep-mask-3.0, 0.18 with the sharper
    # mix-gauss-2.1-on-sep-mask-3.1 (confidence 68 % against 43 %: the same small shift of its normals' means moves
    # more mass between cells), whose choice and confidence still agree; 0.05 with mix-gauss-2.1-on-sep-mask-3.2,
    # whose confidence moves by 1.6 points (65 % against 67 %) where 3.1's moved by under 1; 0.08 with
    # mix-gauss-2.1-on-sep-mask-3.4, whose confidence moves by 3.4 points (70.1 % against 66.7 %) from the same rows
    # (the dB checks above hold as before): the bound on the confidence is 4 points
    assert np.abs(a.posterior - b.posterior).sum() < 0.25 and abs(a.confidence - b.confidence) < 0.04


def test_the_stream_takes_the_accompaniments_rows_in_order_and_waits_for_both():
    """Rows given out of order are refused by name; with the rows pushed the stream ignores the accompaniment's
    samples and decides only once both the samples and the rows are in."""
    import pytest

    mix = pipeline.load_model(None, "mixer")
    n = 44100 * 3
    stream = mixer.MixerStream(mix, n, 1.0)
    frames = stream.n_frames
    rows = np.full((frames, features.MIXER_BANDS + 1), 1e-3)
    with pytest.raises(ValueError, match="expected 0"):
        stream.push_accompaniment_rows(5, rows[5:])
    stream.push_accompaniment_rows(0, rows[:10])
    stream.push(np.zeros(n, np.float32), np.zeros((n, 2), np.float32))
    assert stream._acc.shape[0] == 0 and stream._t < frames  # the samples are in, not the rows: no decision yet
    stream.push_accompaniment_rows(10, rows[10:])
    assert stream._t == frames


def test_the_synthesiser_makes_no_rows_for_a_mixer_without_accompaniment():
    synth = Synthesiser(1024, 1.0, rows_kind="solo_magnitude")
    spec = np.ones((3, 2, 2049), np.complex64)
    assert features.separation_accompaniment(spec, spec * 0.5, "solo_magnitude") is None
    synth._rows = [None, None]
    assert synth.take_rows() is None and synth._rows == []


def test_a_mixer_reads_the_accompaniment_where_its_training_did(tmp_path):
    """``accompaniment_from`` is exported for mixers that read the separator's spectra and read back (default
    ``stems``: every mixer exported before); analyse follows it, and falls back to the stems when the two models'
    hops differ; a card naming another source is refused by name."""
    import json
    from dataclasses import replace

    import pytest

    from jazzremix_gui.core.models import ModelError, _meta_from
    from jazzremix_gui.training import cards

    sep, mix = pipeline.load_model(None, "separator"), pipeline.load_model(None, "mixer")
    assert mix.meta.accompaniment_from == "spectra"  # the shipped mixer (#21.5) trained on the separator's spectra
    meta = replace(mix.meta, accompaniment_from="spectra")
    props = cards.metadata_props(meta)
    stems_props = cards.metadata_props(replace(mix.meta, accompaniment_from="stems"))
    assert props["accompaniment_from"] == "spectra" and "accompaniment_from" not in stems_props
    assert _meta_from(mix.meta.path, {f"jazzremix.{k}": v for k, v in props.items()}, "mixer") == meta
    assert pipeline.accompaniment_source(sep, mix.meta.hop, "spectra") == "spectra"
    assert pipeline.accompaniment_source(sep, 512, "spectra") == "stems"
    assert pipeline.accompaniment_source(sep, mix.meta.hop, "stems") == "stems"
    bad = tmp_path / "m.onnx"
    bad.write_bytes(b"")
    (tmp_path / "m.json").write_text(json.dumps({"metadata": {**props, "accompaniment_from": "mids"}}))
    with pytest.raises(ModelError, match="unknown accompaniment source 'mids'"):
        _meta_from(bad, {}, "mixer")
    taken = []

    class Spy:
        def __init__(self, meta):
            self.meta = meta

        def run(self, x):
            return mix.run(x)

    real = mixer.MixerStream.push_accompaniment_rows
    mixer.MixerStream.push_accompaniment_rows = lambda self, *a: taken.append(a[0]) or real(self, *a)
    try:
        x = _music(3, 5)
        pipeline.analyse(x, 44100, sep, Spy(replace(mix.meta, accompaniment_from="stems")))
        assert not taken
        pipeline.analyse(x, 44100, sep, Spy(meta))
        assert taken
    finally:
        mixer.MixerStream.push_accompaniment_rows = real
