"""No socket the project opens listens beyond this machine by default (issue #23 item 7).

A local batch cluster (the scheduler, its dashboard, the workers and their nannies) is
started as ``jazzremix batch`` starts it; every listening socket of this process and its
children must be on the loopback interface. A second cluster finds the dashboard's port
taken: Dask's multi-line warning becomes one log line.
"""

import ipaddress
import logging
import warnings

import pytest

pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

from jazzremix_gui.services.batch import runner  # noqa: E402


def listening(process) -> list[tuple[str, int, int]]:
    """``(address, port, pid)`` of every listening TCP socket of ``process`` and its children."""
    found = []
    for p in [process, *process.children(recursive=True)]:
        try:
            conns = p.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        found += [(c.laddr.ip, c.laddr.port, p.pid) for c in conns if c.status == psutil.CONN_LISTEN]
    return found


def test_local_cluster_listens_on_loopback_only(caplog):
    me = psutil.Process()
    before = set(listening(me))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw Dask warning reaches the user
        first = runner.local_cluster(1)
        try:
            with caplog.at_level(logging.WARNING, logger="jazzremix_gui.services.batch.runner"):
                second = runner.local_cluster(1)  # the dashboard's default port is taken by the first
            try:
                opened = set(listening(me)) - before
                assert len({pid for _, _, pid in opened}) >= 3  # scheduler here, a nanny and a worker per cluster
                beyond = [s for s in opened if not ipaddress.ip_address(s[0]).is_loopback]
                assert not beyond, f"listening beyond this machine: {beyond}"
                ports = {first.scheduler.http_server.port, second.scheduler.http_server.port}
                assert 8787 in {p for _, p, _ in opened} or len(ports) == 2
                assert all(("127.0.0.1", p) in {(a, q) for a, q, _ in opened} for p in ports)
            finally:
                second.close()
        finally:
            first.close()
    said = [r.getMessage() for r in caplog.records if r.name == runner.__name__]
    port = second.scheduler.http_server.port
    assert said == [f"dashboard: port 8787 is in use (another cluster?), serving it on port {port}"] or \
        first.scheduler.http_server.port != 8787  # 8787 was already taken by something else: both moved


def test_a_named_dashboard_address_is_used():
    cluster = runner.local_cluster(1, dashboard_address="127.0.0.2:0")
    try:
        assert cluster.scheduler.http_server.address == "127.0.0.2"
    finally:
        cluster.close()
