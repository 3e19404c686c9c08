"""A training's budget clock: the wall clock while the process works, nothing while it is stopped."""

import os
import signal
import subprocess
import sys
import time

from jazzremix_gui.training.budget_clock import BudgetClock


class Fake:
    """Two clocks moved by hand."""

    def __init__(self):
        self.wall, self.cpu = 100.0, 5.0

    def advance(self, wall, cpu):
        self.wall += wall
        self.cpu += cpu


def test_work_counts_the_wall_clock_and_a_pause_only_its_cpu():
    t = Fake()
    clock = BudgetClock(30.0, wall=lambda: t.wall, cpu=lambda: t.cpu)
    assert clock.read() == 30.0
    t.advance(0.25, 0.25)  # a step
    assert clock.read() == 30.25
    t.advance(2.0, 0.4)  # waiting on the disk, or a loaded machine: still working
    assert clock.read() == 32.25
    t.advance(600.0, 0.001)  # SIGSTOP for ten minutes
    assert abs(clock.read() - 32.251) < 1e-9
    t.advance(0.3, 0.6)  # two threads busy
    assert abs(clock.read() - 32.551) < 1e-9


def test_a_stopped_process_spends_no_budget_even_inside_a_long_stretch_of_work():
    """The child works without reading the clock (as a checkpoint and its validation do between two steps) and is
    stopped meanwhile: the clock's own thread sees the pause. The child works until the test closes its stdin, so a
    slow test process cannot miss the window. The work releases the interpreter's lock as a training step's does
    (numpy here, PyTorch there): a loop of pure Python (``sum(range(...))``) held it so that the clock's thread was
    not served on an idle 2-core VM (three runs of three: no reading in 2.5 s, the pause counted), while under load
    it was."""
    child = subprocess.Popen([sys.executable, "-c", (
        "import select, sys, time\n"
        "import numpy as np\n"
        "x = np.ones(400_000)\n"
        "from jazzremix_gui.training.budget_clock import BudgetClock\n"
        "clock, start = BudgetClock(tick_s=0.02), time.monotonic()\n"
        "print('ready', flush=True)\n"
        "while not select.select([sys.stdin], [], [], 0)[0]:\n"
        "    np.sqrt(x)\n"
        "print(round(clock.read(), 3), round(time.monotonic() - start, 3), flush=True)\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        os.kill(child.pid, signal.SIGSTOP)
        time.sleep(2.0)
        os.kill(child.pid, signal.SIGCONT)
        time.sleep(0.5)
        child.stdin.close()
        spent, wall = map(float, child.stdout.readline().split())
    finally:
        child.kill()
        child.wait()
    assert wall >= 3.0
    assert spent < wall - 1.5  # the 2 s stopped are not counted (a tick's worth of slack)
