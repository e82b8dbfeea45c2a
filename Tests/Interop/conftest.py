"""Fixtures: a fresh `meshcast node` per test (skipped while the node does not exist)."""

import sys
import pathlib

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import meshnode  # noqa: E402
from media import keep_ice_on_loopback  # noqa: E402

keep_ice_on_loopback()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def start_node(request, tmp_path):
    """start_node(**env) -> a ready MeshNode. Stops it afterwards; fails the test if the node
    crashed or died of a signal, and prints its log when anything failed."""
    reason = meshnode.why_no_node()
    if reason:
        pytest.skip(f"needs a meshcast node: {reason}")
    started: list[meshnode.MeshNode] = []

    def start(**env) -> meshnode.MeshNode:
        directory = tmp_path / f"node{len(started)}"
        directory.mkdir()
        node = meshnode.MeshNode(directory, env)
        started.append(node)
        node.start()
        return node

    yield start

    problems = []
    for node in started:
        crashed = node.crashed()
        status = node.stop()
        if crashed:
            problems.append(f"node crashed during the test (exit status {status})")
        elif status is None:
            problems.append("node did not stop within 10 s of SIGTERM")
        elif status not in (0, -15, 143):
            problems.append(f"node exited with status {status} on SIGTERM")
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if problems or failed:
        for node in started:
            print(f"\n----- meshcast node log ({node.log_path}) -----\n{node.log_tail()}\n-----")
    if problems:
        pytest.fail("; ".join(problems))
