"""The separation's steps on threads of their own give what they give on one thread, sample for sample.

And both equal the definition (DESIGN.md §1: accompaniment = iSTFT((1 - M_c) X_c), solo = iSTFT(mean_c M_c X_c)),
computed here on the whole signal at once, within float32 rounding: the engine transforms back only the
masked channel solos and takes the accompaniment as ``x - p`` (overlap-add reconstructs every sample).
"""

import threading
import time

import numpy as np
import pytest

from jazzremix_gui.core import device, pipeline
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.signal import separation, stages, stft
from jazzremix_gui.core.signal.features import separator_input
from jazzremix_gui.core.signal.separation import RecordedSolo, SeparatorEngine
from jazzremix_gui.core.signal.wiener import wiener_mask
from tiny_models import tiny_mixer, tiny_separator

#: Largest difference from the whole-signal definition, for stems within [-1, 1]: about 4 float32 steps at 1
#: (1.8e-7 measured: the accompaniment as x - p rounds differently from the transform of (1 - M) X).
DEFINITION_BOUND = 5e-7


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    return {"sep": ModelSession(tiny_separator(d / "sep.onnx"), "separator"),
            "sep_ctx": ModelSession(tiny_separator(d / "sep_ctx.onnx", context=3), "separator"),
            "sep512": ModelSession(tiny_separator(d / "sep512.onnx", context=2, hop=512), "separator"),
            "mix": ModelSession(tiny_mixer(d / "mix.onnx"), "mixer")}


def _music(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 44100
    x = np.stack([np.sin(2 * np.pi * 330 * t), np.sin(2 * np.pi * 196 * t + 1)], axis=1) * 0.4
    return (x + 0.1 * rng.standard_normal((n, 2))).astype(np.float32)


def _run(model, x, rate, threads, block_frames=None, alpha=None, level=False):
    """Everything :func:`pipeline.separate_stream` hands out: blocks, tap blocks, energies seen at each tap, progress
    (``level``: the network hears the input as it is, so that a block comes out before the level's 10 s)."""
    recorded, taps, seen = RecordedSolo(), [], []
    blocks = [x[i : i + 9000] for i in range(0, x.shape[0], 9000)]

    def tap(solo, acc):
        taps.append((solo.copy(), acc.copy(), (recorded.e_left, recorded.e_right, recorded.e_mid, recorded.e_mix)))

    out = list(pipeline.separate_stream(blocks, rate, x.shape[0], model, lambda f, m: seen.append((f, m)),
                                        block_frames=block_frames, alpha=alpha, recorded=recorded, tap=tap,
                                        threads=threads, level=level))
    return out, taps, recorded, seen


@pytest.mark.parametrize("key,rate,block_frames,alpha", [("sep", 44100, None, None), ("sep_ctx", 44100, 7, 1.0),
                                                         ("sep512", 48000, 5, 2.0), ("sep_ctx", 22050, 40, None)])
def test_threads_give_the_same_blocks_samples_energies_and_progress(models, key, rate, block_frames, alpha):
    x = _music(rate * 3 + 77, seed=1)
    one = _run(models[key], x, rate, False, block_frames, alpha)
    many = _run(models[key], x, rate, True, block_frames, alpha)
    assert len(one[0]) == len(many[0]) >= 2 and len(one[1]) == len(many[1])
    for (s1, a1), (s2, a2) in zip(one[0], many[0]):
        assert np.array_equal(s1, s2) and np.array_equal(a1, a2)  # bit-identical, block for block
    for (s1, a1, e1), (s2, a2, e2) in zip(one[1], many[1]):
        assert np.array_equal(s1, s2) and np.array_equal(a1, a2) and e1 == e2  # the mixer hears the same
    assert one[2] == many[2] and one[3] == many[3]
    assert sum(s.shape[0] for s, _ in many[0]) == x.shape[0]


def test_threads_give_the_same_blocks_with_the_level_measured_first(models):
    """A quiet recording: no block before the level is measured on its start, then the network hears it louder;
    on threads the same blocks, samples and gain as on one."""
    x = _music(44100 * 14, seed=4) * np.float32(0.03)
    one = _run(models["sep_ctx"], x, 44100, False, 40, level=None)
    many = _run(models["sep_ctx"], x, 44100, True, 40, level=None)
    assert one[2].heard_gain_db > 5 and one[2].heard_gain_db == many[2].heard_gain_db
    assert len(one[0]) == len(many[0]) >= 2
    for (s1, a1), (s2, a2) in zip(one[0], many[0]):
        assert np.array_equal(s1, s2) and np.array_equal(a1, a2)
    assert sum(s.shape[0] for s, _ in many[0]) == x.shape[0]


def test_once_the_level_is_known_the_held_blocks_go_out_one_by_one(models):
    """The level is measured on the start (up to 30 s of sound) before any block is made; the blocks held then
    become computable together, and their samples still go out block by block (30 s at once held 80 MB more)."""
    from jazzremix_gui.core.signal.input_level import LEVEL_SECONDS

    rate, block_frames = 44100, 40
    x = _music(int(rate * (LEVEL_SECONDS + 8)), seed=5)
    out = _run(models["sep_ctx"], x, rate, True, block_frames, level=None)[0]
    hop = models["sep_ctx"].meta.hop
    assert len(out) > LEVEL_SECONDS * rate / (block_frames * hop)
    assert max(s.shape[0] for s, _ in out) <= (block_frames + 2) * hop
    assert sum(s.shape[0] for s, _ in out) == x.shape[0]


def test_engine_on_one_thread_equals_the_stream(models):
    x = _music(44100 * 3, seed=2)
    engine = SeparatorEngine(models["sep_ctx"], x.shape[0], block_frames=9)
    parts = [engine.push(x[i : i + 5000]) for i in range(0, x.shape[0], 5000)] + [engine.finish()]
    stems = pipeline.separate(x, 44100, models["sep_ctx"], block_frames=9)
    assert np.array_equal(np.concatenate([p[0] for p in parts]), stems.solo)
    assert np.array_equal(np.concatenate([p[1] for p in parts]), stems.accompaniment)


@pytest.mark.parametrize("key,alpha", [("sep", None), ("sep_ctx", 1.0), ("sep512", 2.0)])
def test_stems_equal_the_definition_within_float32_rounding(models, key, alpha):
    model = models[key]
    x = _music(44100 * 4 + 333, seed=3)
    stems = pipeline.separate(x, 44100, model, alpha=alpha, block_frames=11)
    hop = model.meta.hop
    spec = stft.stft(x, hop).astype(np.complex128)  # (T, 2, F): every frame of the whole signal
    solo_mag = model.run(separator_input(spec.astype(np.complex64))).astype(np.float64)
    solo_mag[:, :separation.SOLO_FIRST_BIN] = 0  # nothing under 25 Hz is the solo's
    mask = wiener_mask(solo_mag, np.abs(spec), model.meta.wiener_alpha if alpha is None else alpha)
    solo_spec = (mask * spec).mean(axis=1)
    acc_spec = (1 - mask) * spec
    solo = stft.istft(solo_spec.astype(np.complex64), hop, x.shape[0])
    acc = stft.istft(acc_spec.astype(np.complex64), hop, x.shape[0])
    assert np.abs(stems.solo - solo).max() < DEFINITION_BOUND
    assert np.abs(stems.accompaniment - acc).max() < DEFINITION_BOUND
    assert np.abs(stems.solo).max() > 0.05  # the tiny model takes a real share


def _step_threads():
    return [t for t in threading.enumerate() if t.name.startswith("jazzremix-")]


def test_a_failing_input_is_raised_here_and_the_threads_end(models):
    x = _music(44100 * 6, seed=4)

    def blocks():
        yield x[:44100]
        yield x[44100:88200]
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="went away"):
        list(pipeline.separate_stream(blocks(), 44100, x.shape[0], models["sep"], block_frames=4, threads=True))
    assert not _step_threads()


def test_stopping_early_ends_the_threads(models):
    x = _music(44100 * 6, seed=5)
    stream = pipeline.separate_stream([x[i : i + 4096] for i in range(0, x.shape[0], 4096)], 44100, x.shape[0],
                                      models["sep"], block_frames=4, threads=True)
    next(stream)
    assert _step_threads()
    stream.close()
    assert not _step_threads()


def test_chain_runs_steps_in_order_on_threads_or_not():
    def double(items):
        for i in items:
            yield 2 * i

    def pairs(items):
        held = []
        for i in items:
            held.append(i)
            if len(held) == 2:
                yield tuple(held)
                held = []
        if held:
            yield tuple(held)

    for threads in (False, True):
        assert list(stages.chain(range(7), [double, pairs], threads=threads)) == [(0, 2), (4, 6), (8, 10), (12,)]


@pytest.mark.parametrize("light", [True, False])
def test_light_items_do_not_hold_back_the_steps(light):
    """The separation sends a progress tick per input block and a large block per eight: with the ticks counted
    in the one-deep queues, a step could not run ahead of a busy caller and the steps took turns."""
    seen = []

    def source():
        for k in range(4):
            yield ("block", k)
            yield from (("tick", k) for _ in range(8))

    def work(items):
        for item in items:
            if item[0] == "block":
                seen.append(item[1])
            yield item

    items = stages.chain(source(), [work], threads=True, light=(lambda i: i[0] == "tick") if light else None)
    assert next(items) == ("block", 0)  # the caller is busy with block 0 ...
    deadline = time.monotonic() + (5.0 if light else 0.5)
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    if light:
        assert len(seen) >= 3  # ... while the step goes on to the next blocks, past their ticks
    else:
        assert seen == [0]  # every tick counted: the step waits behind the first block's ticks
    rest = list(items)
    assert rest[-1] == ("tick", 3) and len(rest) == 4 * 9 - 1


def test_stft_without_scipy_fft_equals_scipy_fft(monkeypatch):
    x = _music(30000, seed=6)
    spec, back = stft.stft(x, 1024), stft.istft(stft.stft(x, 1024), 1024, x.shape[0])
    assert stft._pocketfft() is not None  # this scipy's layout is the one expected
    monkeypatch.setattr(stft, "_pocketfft", lambda: None)
    assert np.array_equal(spec, stft.stft(x, 1024))
    assert np.array_equal(back, stft.istft(spec, 1024, x.shape[0]))


def test_model_threads_are_the_idle_cores(monkeypatch):
    monkeypatch.setattr(device.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(device.os, "getloadavg", lambda: (0.2, 0.1, 0.1))
    assert device.usable_cores() == 2 and device.idle_cores() == 2
    assert device.model_threads() == 1  # idle: one core for the network, one for the other steps
    monkeypatch.setattr(device.os, "getloadavg", lambda: (1.1, 1.0, 1.0))
    assert device.idle_cores() == 1 and device.model_threads() == 1  # a training run on one core: one
    monkeypatch.setattr(device.os, "getloadavg", lambda: (14.0, 9.0, 5.0))
    assert device.model_threads() == 1
    monkeypatch.setattr(device.os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert device.usable_cores() == 1 and device.model_threads() == 1
    monkeypatch.setattr(device.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(device.os, "getloadavg", lambda: (0.4, 0.3, 0.3))
    assert device.model_threads() == 7


def test_reused_memory_gives_the_same_transforms_and_is_given_back():
    x = _music(40000, seed=7)
    spec = stft.stft(x, 512)
    back = stft.istft(spec, 512, x.shape[0])
    with stft.reusing_memory():
        with stft.reusing_memory():  # nested, as the steps on one thread are
            assert np.array_equal(stft.stft(x[:20000], 512), stft.stft(x[:20000], 512))  # a smaller block first
            assert np.array_equal(stft.stft(x, 512), spec)
        assert np.array_equal(stft.istft(spec, 512, x.shape[0]), back)
        assert stft._SCRATCH.__dict__.get("frames") is not None
    assert "frames" not in stft._SCRATCH.__dict__ and "irfft" not in stft._SCRATCH.__dict__
