"""The network's input steered toward the solo (core/signal/spatial.py: steering_gains; core/signal/separation.py:
Network): the gains, the input the network really gets, the same results on threads, mono left alone."""

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import spatial
from jazzremix_gui.core.signal.features import separator_input
from jazzremix_gui.core.signal.panlaw import pan_gains
from jazzremix_gui.core.signal.separation import Work
from jazzremix_gui.core.signal.stft import stft
from tiny_models import tiny_separator

RATE = 44100


def test_the_gains_keep_the_solos_part_and_give_the_mid_when_centred_or_off():
    assert spatial.steering_gains(np.pi / 4, 1.0) == pytest.approx((0.5, 0.5))
    assert spatial.steering_gains(0.3, 0.0) == (0.5, 0.5)
    assert spatial.steering_gains(0.0, 1.0) == pytest.approx((0.5, 0.0))  # hard left: the left channel alone
    for pan in (-40.0, -10.0, 25.0):
        g = np.array(pan_gains(pan))
        theta = float(np.arctan2(g[1], g[0]))
        for steer in (0.5, 1.0):
            a = np.array(spatial.steering_gains(theta, steer))
            # a solo s panned so is (g_L + g_R) / 2 s in the steered input, as in the mid
            assert a @ g == pytest.approx(g.sum() / 2, rel=1e-9)
        half = np.array(spatial.steering_gains(theta, 0.5))
        np.testing.assert_allclose(half, (np.array(spatial.steering_gains(theta, 1.0)) + 0.5) / 2)



@pytest.mark.parametrize("frames", [0, 1, 16, 17, 292])
def test_the_input_made_a_few_frames_at_a_time_is_the_whole_blocks_to_the_bit(frames):
    """separator_input works in chunks of frames (cache): the same float32 operations as over the whole block."""
    rng = np.random.default_rng(frames)
    spec = (rng.standard_normal((frames, 2, 2049)) + 1j * rng.standard_normal((frames, 2, 2049))).astype(np.complex64)
    np.testing.assert_array_equal(separator_input(spec), np.abs(spec.sum(axis=1) * np.float32(0.5)))
    a, b = np.float32(0.61), np.float32(0.43)
    np.testing.assert_array_equal(separator_input(spec, (0.61, 0.43)), np.abs(spec[:, 0] * a + spec[:, 1] * b))
    assert separator_input(spec).shape == (frames, 2049) and separator_input(spec).dtype == np.float32

def test_the_settings_carry_the_steer():
    assert spatial.PanAware.parse("15,0.1,1") == spatial.PanAware(15.0, 0.1, 1.0)
    assert spatial.PanAware(15.0, 0.1, 0.5).to_text() == "15,0.1,0.5"
    assert spatial.PanAware(15.0, 0.1).to_text() == "15,0.1"  # no steer: the form earlier models carry
    for bad in ("20,0.2,1.5", "20,0.2,-1", "20,0.2,1,4", "20,0.2,x"):
        with pytest.raises(ValueError):
            spatial.PanAware.parse(bad)


def test_the_input_is_the_mid_or_the_weighted_channels():
    rng = np.random.default_rng(0)
    spec = (rng.standard_normal((5, 2, 2049)) + 1j * rng.standard_normal((5, 2, 2049))).astype(np.complex64)
    np.testing.assert_array_equal(separator_input(spec, (0.5, 0.5)), separator_input(spec))
    np.testing.assert_allclose(separator_input(spec, (0.5, 0.0)), 0.5 * np.abs(spec[:, 0]), rtol=1e-6)
    np.testing.assert_allclose(separator_input(spec, (0.3, 0.2)), np.abs(0.3 * spec[:, 0] + 0.2 * spec[:, 1]),
                               rtol=1e-5, atol=1e-7)


class Recording:
    """A separator session that remembers every input it was given."""

    def __init__(self, session):
        self.session, self.meta, self.inputs = session, session.meta, []

    def run(self, features):
        self.inputs.append(np.array(features))
        return self.session.run(features)


def _mix(n=RATE * 3):
    rng = np.random.default_rng(3)
    t = np.arange(n) / RATE
    solo = sum(np.sin(2 * np.pi * f * t) for f in (440.0, 880.0, 1320.0)).astype(np.float32) / 3
    acc = 0.5 * rng.standard_normal(n).astype(np.float32) * 0.2
    gl, gr = pan_gains(-35.0)
    hl, hr = pan_gains(30.0)
    return np.stack([gl * solo + hl * acc, gr * solo + hr * acc], axis=1)


def test_each_block_is_steered_by_the_direction_read_before_it(tmp_path):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    mix = _mix()
    rec = Recording(model)
    steps = pipeline._SeparationSteps(rec, RATE, mix.shape[0], 32, None, spatial.PanAware(20, 0.2, 1.0),
                                     level=False)  # the inputs as they are (tests/test_input_level.py: the gain)
    works = [w for w in steps.network(steps.analyse(iter([mix]))) if isinstance(w, Work)]
    assert len(works) + 1 == len(rec.inputs) and len(works) >= 4  # the first block is heard twice
    spec = stft(mix, 1024)  # every frame of the whole signal (the tiny model has no context frames)
    np.testing.assert_array_equal(rec.inputs[0], separator_input(spec[:32]))  # nothing read yet: the mid
    first = spatial.read_direction(rec.session.run(rec.inputs[0]), np.abs(spec[:32])).theta_s
    np.testing.assert_allclose(rec.inputs[1], separator_input(spec[:32], spatial.steering_gains(first, 1.0)),
                               rtol=1e-5, atol=1e-9)  # then steered by what the mid said
    for before, work, given in zip(works, works[1:], rec.inputs[2:]):
        theta = before.direction.theta_s  # read in the block before, as the solo is panned (-35 degrees)
        assert abs(np.rad2deg(theta) - 10.0) <= 3.0
        expected = separator_input(spec[work.a : work.b], spatial.steering_gains(theta, 1.0))
        np.testing.assert_allclose(given, expected, rtol=1e-5, atol=1e-9)
        assert not np.allclose(given, separator_input(spec[work.a : work.b]))


def test_steering_gives_the_same_stems_on_threads_and_leaves_mono_alone(tmp_path):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx", context=2), "separator")
    mix = _mix()
    settings = spatial.PanAware(20, 0.2, 1.0)
    blocks = [mix[i : i + 10000] for i in range(0, mix.shape[0], 10000)]
    one = list(pipeline.separate_stream(blocks, RATE, mix.shape[0], model, block_frames=16, pan_aware=settings,
                                        threads=False))
    many = list(pipeline.separate_stream(blocks, RATE, mix.shape[0], model, block_frames=16, pan_aware=settings,
                                         threads=True))
    for (s1, a1), (s2, a2) in zip(one, many, strict=True):
        np.testing.assert_array_equal(s1, s2)
        np.testing.assert_array_equal(a1, a2)
    plain_aware = pipeline.separate(mix, RATE, model, block_frames=16, pan_aware=spatial.PanAware(20, 0.2))
    steered = pipeline.separate(mix, RATE, model, block_frames=16, pan_aware=settings)
    assert not np.allclose(steered.solo, plain_aware.solo)
    mono = np.repeat(mix.mean(axis=1, keepdims=True), 2, axis=1)
    a = pipeline.separate(mono, RATE, model, block_frames=16, pan_aware=settings)
    b = pipeline.separate(mono, RATE, model, block_frames=16)
    np.testing.assert_array_equal(a.solo, b.solo)
    np.testing.assert_array_equal(a.accompaniment, b.accompaniment)


def test_steered_training_examples_weight_the_channels_toward_the_solo(tmp_path):
    """``RemixSampler(steer=1)``: the solo's part stays the mid's (a constant-power panned solo), the accompaniment
    is weighted as the app's steered input weights it; the same draws as mid examples otherwise."""
    from jazzremix_gui.training.remix_sampler import RemixSampler
    from tests.test_separator_training import _dataset

    data = _dataset(tmp_path / "d", 2, seed=4)  # solo 0.8 / 0.6 in L / R, accompaniment 1 / 0.9
    mid = RemixSampler(str(data), 16, 1024, seed=3, p_remix=0.0, log=lambda m: None)
    steered = RemixSampler(str(data), 16, 1024, seed=3, p_remix=0.0, log=lambda m: None, steer=1.0,
                           steer_noise_deg=0.0)
    m_mix, m_solo, m_acc = mid.batch(3, with_acc=True)
    s_mix, s_solo, s_acc = steered.batch(3, with_acc=True)
    np.testing.assert_allclose(s_solo, m_solo, rtol=1e-4, atol=1e-4 * m_solo.max())  # 0.56 x 0.8 + 0.42 x 0.6 = 0.7, the mid's
    a = spatial.steering_gains(float(np.arctan2(0.6, 0.8)), 1.0)
    np.testing.assert_allclose(s_acc, m_acc * (a[0] + 0.9 * a[1]) / 0.95, rtol=1e-4, atol=1e-4 * m_acc.max())
    assert not np.allclose(s_mix, m_mix)
    with pytest.raises(ValueError, match="channels"):
        RemixSampler(str(data), 16, 1024, seed=3, log=lambda m: None, steer=0.5, mid_cache=True)


def test_astray_examples_are_steered_anywhere_and_hear_the_solo_as_that_input_holds_it(tmp_path):
    """``steer_astray=1``: every steered example is steered at a uniformly drawn direction, not the solo's; its
    solo target is the solo as that input holds it (``a_L S_L + a_R S_R``); ``steer_astray=0`` draws as before."""
    from jazzremix_gui.training.remix_sampler import RemixSampler
    from tests.test_separator_training import _dataset

    data = _dataset(tmp_path / "d", 2, seed=4)  # solo 0.8 / 0.6 in L / R, accompaniment 1 / 0.9
    make = lambda **kw: RemixSampler(str(data), 16, 1024, seed=3, p_remix=0.0, log=lambda m: None, steer=1.0,
                                     steer_noise_deg=0.0, **kw)
    np.testing.assert_array_equal(make().batch(3)[1], make(steer_astray=0.0).batch(3)[1])
    astray = make(steer_astray=1.0)
    spectra = np.ones((4, 2, 3), np.complex64)  # an astray draw reads nothing of the solo
    gains = np.stack([astray._steering_gains(spectra, astray._steering_draw()) for _ in range(200)])
    solo_gains = spatial.steering_gains(float(np.arctan2(1.0, 1.0)), 1.0)
    assert not np.allclose(gains, solo_gains, atol=1e-3)
    ratio = np.arctan2(gains[:, 1], gains[:, 0])  # a_R / a_L = tan(theta) for a full steer
    assert ratio.min() < 0.2 and ratio.max() > np.pi / 2 - 0.2  # directions over the whole 0..90 degrees
    _, solo, acc = make(steer_astray=1.0).batch(3, with_acc=True)
    _, mid_solo, mid_acc = RemixSampler(str(data), 16, 1024, seed=3, p_remix=0.0, log=lambda m: None).batch(
        3, with_acc=True)
    # each example's solo and accompaniment scaled by its own gains: the solo 0.8 a_L + 0.6 a_R of the mid's 0.7
    k_solo = solo.sum(axis=(1, 2)) / mid_solo.sum(axis=(1, 2))
    assert not np.allclose(k_solo, k_solo[0], rtol=1e-3)  # different directions, different parts of the solo
    assert np.all(k_solo > 0) and np.all(k_solo < 0.8 / 0.7 + 1e-3)


def test_absurd_magnitudes_read_a_direction_without_overflow():
    """A float file's absurd samples (1e30) give magnitudes whose float32 squares overflow: the direction is
    read in float64 then, with no warning."""
    import warnings

    gl, gr = pan_gains(-30.0)
    solo = np.full((8, 2049), 1e30, np.float32)
    mag = np.stack([gl * solo, gr * solo], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theta = spatial.solo_direction(solo, mag)
    assert abs(np.rad2deg(theta) - 15.0) <= 1.0


def test_the_settings_carry_the_first_blocks_hypotheses():
    assert spatial.PanAware.parse("15,0.1,1,1") == spatial.PanAware(15.0, 0.1, 1.0, 1)
    assert spatial.PanAware(15.0, 0.1, 1.0, 1).to_text() == "15,0.1,1,1"
    assert spatial.PanAware.parse("15,0.1,1,0").to_text() == "15,0.1,1"  # off: the form the shipped model carries
    for bad in ("15,0.1,1,0.5", "15,0.1,0,1", "15,0.1,1,1,1"):  # 0 or 1; only with a steer; four fields at most
        with pytest.raises(ValueError):
            spatial.PanAware.parse(bad)


def test_concentration_is_the_share_of_weight_near_the_peak():
    hist = np.zeros(spatial.BINS)
    assert spatial.concentration(hist) == 0.0
    hist[10] = 3.0
    assert spatial.concentration(hist) == 1.0
    hist[10 + spatial.PEAK_BINS + 1] = 1.0  # just outside the peak's bins
    assert spatial.concentration(hist) == pytest.approx(0.75)
    one_bin = (np.pi / 2) / spatial.BINS
    assert spatial.distinct_directions([0.5, 0.5 + 0.4 * one_bin, 0.0, 1.2, 0.0]) == [0.5, 0.0, 1.2]


@pytest.mark.parametrize("inverted", [False, True])
def test_the_first_block_keeps_the_most_concentrated_of_its_hypotheses(tmp_path, monkeypatch, inverted):
    """With hypotheses the first block is heard as the mid, steered fully left and right, then steered at each
    distinct reading; the pass with the most concentrated reading is the block's, and later blocks are steered
    by it as before. (Here the mid's reading is the most concentrated; ``inverted`` makes the score the
    opposite, so that another hypothesis wins.)"""
    from jazzremix_gui.core.signal import separation

    score = (lambda h: -spatial.concentration(h)) if inverted else spatial.concentration
    monkeypatch.setattr(separation, "concentration", score)
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    mix = _mix()
    spec = stft(mix, 1024)
    mag = np.abs(spec[:32])
    rec = Recording(model)
    steps = pipeline._SeparationSteps(rec, RATE, mix.shape[0], 32, None, spatial.PanAware(20, 0.2, 1.0, 1),
                                     level=False)
    works = [w for w in steps.network(steps.analyse(iter([mix]))) if isinstance(w, Work)]

    def heard(gains=None):
        out = model.run(separator_input(spec[:32], gains))
        out[:, :separation.SOLO_FIRST_BIN] = 0  # nothing under 25 Hz is the solo's
        return out, spatial.read_direction(out, mag)

    _, mid = heard()
    sides = [heard(spatial.steering_gains(side, 1.0))[1].theta_s for side in spatial.SIDES]
    candidates = spatial.distinct_directions([mid.theta_s, *sides])
    passes = [heard(spatial.steering_gains(theta, 1.0)) for theta in candidates]
    assert len(rec.inputs) == 3 + len(candidates) + len(works) - 1
    np.testing.assert_array_equal(rec.inputs[0], separator_input(spec[:32]))
    np.testing.assert_allclose(rec.inputs[1], separator_input(spec[:32], (0.5, 0.0)), rtol=1e-6)  # fully left
    np.testing.assert_allclose(rec.inputs[2], separator_input(spec[:32], spatial.steering_gains(np.pi / 2, 1.0)),
                               rtol=1e-5, atol=1e-9)  # fully right
    scores = [score(d.histogram) for _, d in passes]
    best = int(np.argmax(scores))
    assert len(candidates) >= 2 and best == (len(candidates) - 1 if inverted else 0)
    np.testing.assert_allclose(works[0].solo_mag, passes[best][0], rtol=1e-6)
    assert works[0].direction.theta_s == passes[best][1].theta_s
    second = separator_input(spec[works[1].a : works[1].b], spatial.steering_gains(passes[best][1].theta_s, 1.0))
    np.testing.assert_allclose(rec.inputs[3 + len(candidates)], second, rtol=1e-5, atol=1e-9)


def test_the_training_batch_steers_its_channels_as_the_broadcast_sum_did():
    """``remix_sampler._weighted`` (the channels weighted in place of a batch-sized temporary) gives the sums of the
    broadcast product it replaced, to the bit (so training draws the same batches as before)."""
    from jazzremix_gui.training.remix_sampler import _weighted

    rng = np.random.default_rng(3)
    spec = (rng.standard_normal((5, 7, 2, 2049)) + 1j * rng.standard_normal((5, 7, 2, 2049))).astype(np.complex64)
    gains = rng.uniform(0, 1, (5, 2)).astype(np.float32)
    want = (spec * gains[:, None, :, None]).sum(axis=2)
    got = _weighted(spec, gains)
    assert got.dtype == want.dtype == np.complex64 and got.tobytes() == want.tobytes()


def test_the_mid_of_two_float_channels_is_their_mean_to_the_bit():
    from jazzremix_gui.core.signal.features import mid

    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal((5000, 2)) * np.logspace(-40, 30, 5000)[:, None]).astype(dtype)
        x[:7] = [[np.inf, 1], [np.nan, 0], [np.finfo(dtype).max, np.finfo(dtype).max], [np.finfo(dtype).tiny, 0],
                 [-0.0, -0.0], [-0.0, 0.0], [0.0, -0.0]]
        with np.errstate(over="ignore"):  # max + max: inf either way
            got, want = mid(x), x.mean(axis=1)
        assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(want))  # zeros' signs too
    for x in (np.array([[30000, 30000], [-32768, 1]], np.int16), np.ones((3, 6), np.float32),
              np.ones((4, 2), np.float16)):
        assert np.array_equal(mid(x), x.mean(axis=1))  # other kinds: numpy's mean itself (no int16 overflow)
    line = np.arange(7.0)
    assert mid(line) is line


@pytest.mark.parametrize("steer, phase", [(0.7, False), (0.0, False), (0.7, True)])
def test_a_batch_made_example_by_example_is_the_whole_batch_computation(tmp_path, steer, phase):
    """The sampler makes a mono batch one example at a time (its spectra in cache), drawing first in the order of
    the whole-batch steps: every solo's colour, every accompaniment's, every steering. The same batch, to the bit,
    as those steps over the whole batch, and the same random state after."""
    from jazzremix_gui.core.signal.stft import WIN_LEN, first_centre
    from jazzremix_gui.training.remix_sampler import RemixSampler, _weighted
    from tests.test_separator_training import _dataset

    data = _dataset(tmp_path / "d", 3, seed=5)
    make = lambda: RemixSampler(str(data), 16, 1024, seed=9, p_remix=0.5, log=lambda m: None, steer=steer,
                                steer_astray=0.2, timbre=0.7, phase_sensitive=phase)
    fused, whole = make(), make()
    got = fused.batch(5, with_acc=True)
    solos, accs = zip(*(whole._pair(steer > 0) for _ in range(5)))
    offset = first_centre(1024) - WIN_LEN // 2
    s_spec, a_spec = whole._spectra(solos, offset), whole._spectra(accs, offset)
    if steer > 0:
        gains = np.stack([whole._steering_gains(s_spec[b], whole._steering_draw()) for b in range(5)])
        s_spec, a_spec = _weighted(s_spec, gains), _weighted(a_spec, gains)
    for a, b in zip(got, whole._targets(s_spec, a_spec)):
        assert a.dtype == b.dtype == np.float32 and np.array_equal(a, b)
    assert fused.rng.random() == whole.rng.random()
