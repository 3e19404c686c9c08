"""Where a command's CPU goes, thread by thread: ``python benchmarks/thread_times.py separate IN --out DIR``.

Runs ``jazzremix ARGS`` in this process and prints, on stderr, its wall time, its CPU time (user + system)
and each thread's CPU time (``time.thread_time`` when the thread ends; the main thread's includes start-up).
A command whose threads add up to about twice its wall time keeps both cores of a 2-core machine busy, and
only less CPU makes it faster; one thread near the wall time is the one to relieve. Run it on an idle
machine, with the package's bytecode compiled (``make install`` does; see ``whole_commands.compile_package``).
"""

from __future__ import annotations

import resource
import sys
import threading
import time

_CPU: dict[str, float] = {}


def _timed_run(run):
    def wrapped(self):
        try:
            run(self)
        finally:
            _CPU[self.name] = _CPU.get(self.name, 0.0) + time.thread_time()
    return wrapped


def main(argv: list[str]) -> None:
    threading.Thread.run = _timed_run(threading.Thread.run)
    start = time.perf_counter()
    from jazzremix_gui.cli.main import main as jazzremix

    try:
        jazzremix(argv)
    except SystemExit:
        pass
    wall = time.perf_counter() - start
    _CPU["main (with start-up)"] = time.thread_time()
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(f"wall {wall:.2f} s, CPU {use.ru_utime + use.ru_stime:.2f} s (user {use.ru_utime:.2f}, "
          f"system {use.ru_stime:.2f})", file=sys.stderr)
    for name, cpu in sorted(_CPU.items(), key=lambda kv: -kv[1]):
        print(f"  {name}: {cpu:.2f} CPU-s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
