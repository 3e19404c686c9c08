"""core/process_end.py: a process ends without Python's teardown, having done what the teardown would have done that
matters (threads finished, atexit handlers run, temporary files removed, output flushed), with its status."""

import subprocess
import sys
import textwrap


def _run(code: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], capture_output=True,
                          text=True, timeout=60)


def test_a_command_leaves_after_its_threads_and_exit_handlers_with_its_status(tmp_path):
    proc = _run("""
        import atexit, sys, threading, time
        from pathlib import Path
        from jazzremix_gui.core.files import tempnames
        from jazzremix_gui.core.process_end import leave
        out = Path(sys.argv[1])
        temp = out / "left.part"
        temp.write_text("x")
        tempnames.register(temp)
        atexit.register(lambda: print("handler ran", file=sys.stderr))
        threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread.txt").write_text("done"))).start()
        from concurrent.futures import ThreadPoolExecutor
        idle = ThreadPoolExecutor(1)  # never shut down: its worker waits for work, as at a normal exit it ends
        idle.submit(lambda: None).result()
        print("buffered, no newline", end="")
        leave(3, finish_threads=True)
        print("never")
        """, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "buffered, no newline"
    assert proc.stderr.strip() == "handler ran"
    assert (tmp_path / "thread.txt").read_text() == "done"
    assert not (tmp_path / "left.part").exists()


def test_the_app_leaves_without_waiting_for_a_worker_or_handlers(tmp_path):
    proc = _run("""
        import atexit, sys, threading, time
        from jazzremix_gui.core.process_end import leave
        atexit.register(lambda: print("handler ran", file=sys.stderr))
        threading.Thread(target=time.sleep, args=(30,)).start()  # a worker inside a long computation
        print("said", file=sys.stderr)
        leave(0)
        """)
    assert proc.returncode == 0 and proc.stderr.strip() == "said"


def test_the_console_command_ends_with_its_status_and_closed_streams_are_fine(tmp_path):
    missing = tmp_path / "missing.wav"
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui", "separate", str(missing), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and f"{missing}: no such file" in proc.stderr, proc.stderr
    assert not (tmp_path / "o").exists()  # the output folder it made is gone again
    assert "Traceback" not in proc.stderr
    ok = subprocess.run(f"'{sys.executable}' -m jazzremix_gui --version >&- 2>&-", shell=True, timeout=60)
    assert ok.returncode == 1  # its one line of output was lost (said nowhere: stderr is closed too)
    assert subprocess.run([sys.executable, "-m", "jazzremix_gui", "--version"], capture_output=True, text=True,
                          timeout=60).stdout.startswith("jazzremix ")
