"""``training.prefetch``: the next training batch drawn on a thread, with the draws of a run without it.

A separator's checkpoint saves the sampler's random state; with a batch drawn ahead, the state must still be the one
after the last batch used, or a resumed run would draw other examples than an uninterrupted one.
"""

import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.training.prefetch import Prefetcher  # noqa: E402
from jazzremix_gui.training.train_separator import SeparatorConfig, train  # noqa: E402
from test_separator_training import _dataset  # noqa: E402


def _sampler_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("jazzremix-sampler")]


def test_the_draws_are_the_generators_in_order_and_settle_puts_its_state_back():
    rng, plain = np.random.default_rng(5), np.random.default_rng(5)
    with Prefetcher(lambda: rng.random(4), rng) as draws:
        got = [draws.next() for _ in range(3)]
        assert _sampler_threads()  # the fourth draw is in flight
        draws.settle()
        for batch in got:
            np.testing.assert_array_equal(batch, plain.random(4))
        # after settle the generator is where three draws leave it: the next draw is the fourth
        np.testing.assert_array_equal(rng.random(4), plain.random(4))
        np.testing.assert_array_equal(draws.next(), plain.random(4))
    assert not _sampler_threads()


def test_a_failed_draw_reaches_the_step_and_settle_still_restores_the_state():
    rng = np.random.default_rng(0)
    calls = []

    def draw():
        calls.append(rng.random())
        if len(calls) == 2:
            raise OSError("a stem could not be read")
        return calls[-1]

    draws = Prefetcher(draw, rng)
    before = rng.bit_generator.state
    assert draws.next() == calls[0]
    after_first = np.random.default_rng(0)
    after_first.random()
    with pytest.raises(OSError, match="could not be read"):
        draws.settle()
    assert rng.bit_generator.state == after_first.bit_generator.state != before
    draws.close()
    assert not _sampler_threads()


def test_a_run_stopped_at_a_checkpoint_and_resumed_learns_what_an_uninterrupted_run_learns(tmp_path):
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    # the learning rate's cosine follows the wall clock: over a budget this long it is 1.0 to the last bit, so the
    # two runs take the same steps whatever their timing
    base = dict(arch="mask", train_dir=str(a), val_dir=str(val_dir), minutes=1e12, batch=4, frames=16, width=16,
                dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9, threads=1, timbre=0.8,
                steer_train=0.5, pan_aware="15,0.1,1")
    train(SeparatorConfig(max_steps=6, out=str(tmp_path / "whole.onnx"), checkpoint_dir=str(tmp_path / "w"), **base))
    for steps in (2, 4, 6):  # stopped twice, each time with the next batch in flight
        train(SeparatorConfig(max_steps=steps, out=str(tmp_path / "parts.onnx"), checkpoint_dir=str(tmp_path / "p"),
                              **base))
    whole, parts = (torch.load(tmp_path / f"{n}.pt", weights_only=True)["model"] for n in ("whole", "parts"))
    assert whole.keys() == parts.keys()
    for name in whole:
        assert torch.equal(whole[name], parts[name]), name
    assert not _sampler_threads()
