"""Shared test set-up: Qt offscreen, isolated user folders, tiny ONNX models.

Every test session gets its own data and cache folders (``JAZZREMIX_DATA_DIR``,
``JAZZREMIX_CACHE_DIR``), so no test ever reads or writes the real home.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ.get("PYTEST_XDIST_WORKER"):  # two test processes on two cores: PyTorch's default of a thread per core
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # (fine-tuning uses it) would have each wait on the other

import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="jazzremix-tests-"))
os.environ["JAZZREMIX_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["JAZZREMIX_CACHE_DIR"] = str(_SESSION_DIR / "cache")

try:
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major")
except ImportError:  # Qt-less environments still run the core tests
    pass


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.only_params(base=[v1, v2])``: of a test over a parametrized fixture (``base``), keep the runs
    with these values (a path that does not depend on the fixture's variant is tested on fewer of them)."""
    keep, drop = [], []
    for item in items:
        mark = item.get_closest_marker("only_params")
        params = getattr(getattr(item, "callspec", None), "params", {})
        if mark is not None and any(name in params and params[name] not in values
                                    for name, values in mark.kwargs.items()):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


def _utf8_safe(text):
    """``text`` with undecodable bytes (surrogate escapes of non-UTF-8 file names) written as ``\\xNN``."""
    if not isinstance(text, str):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report):
    """Captured output that names non-UTF-8 files (the hostile corpus) stays sendable between pytest-xdist's
    processes (execnet sends UTF-8 only); what is shown is the same text with those bytes escaped."""
    report.sections = [(title, _utf8_safe(content)) for title, content in report.sections]
    if isinstance(report.longrepr, str):
        report.longrepr = _utf8_safe(report.longrepr)


@pytest.fixture(autouse=True)
def synchronous_jobs(request, monkeypatch):
    """GUI tests run background jobs at once in the test's thread (Picard's habit), so they depend on no timing.

    Tests marked ``threaded`` (cancelling, work in parallel with the UI) keep real worker threads.
    """
    if "qtbot" not in request.fixturenames or request.node.get_closest_marker("threaded"):
        return
    from jazzremix_gui.ui import worker

    monkeypatch.setattr(worker, "RUNNER_CLASS", worker.SyncJobRunner)


@pytest.fixture(autouse=True)
def own_edits_folder(request, monkeypatch, tmp_path_factory):
    """GUI tests keep the edits they autosave to themselves (the same audio in two tests shares a hash)."""
    if "qtbot" in request.fixturenames:
        monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """A folder holding ``separator.onnx`` (frame-wise) and ``mixer.onnx`` that meet the model contract."""
    from tiny_models import tiny_mixer, tiny_separator

    d = tmp_path_factory.mktemp("tiny_models")
    tiny_separator(d / "separator.onnx", context=0)
    tiny_mixer(d / "mixer.onnx")
    return d
