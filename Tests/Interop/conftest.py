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
    """start_node(host="127.0.0.1", **env) -> a ready MeshNode (API and media on `host`). Stops it afterwards; fails the test if the node
    crashed or died of a signal, and prints its log when anything failed."""
    reason = meshnode.why_no_node()
    if reason:
        pytest.skip(f"needs a meshcast node: {reason}")
    started: list[meshnode.MeshNode] = []

    def start(host: str = "127.0.0.1", **env) -> meshnode.MeshNode:
        directory = tmp_path / f"node{len(started)}"
        directory.mkdir()
        node = meshnode.MeshNode(directory, env, host=host)
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


# The mesh (issue 4) ---------------------------------------------------------------------

import contextlib  # noqa: E402

import hops  # noqa: E402
import meshmesh  # noqa: E402
import results  # noqa: E402


@contextlib.contextmanager
def running_mesh(request, directory, name: str, **options):
    """A started meshmesh.Mesh. Skips while a node refuses its role or Redis is missing.
    Afterwards: SIGTERM everything; fail if a node crashed, exited badly or had to be killed;
    print the nodes' logs when anything failed; print and keep the hop latencies when the
    nodes wrote MESHCAST_TRACE_HOPS files."""
    reason = meshmesh.why_no_mesh()
    if reason:
        pytest.skip(reason)
    mesh = meshmesh.Mesh(directory, **options)
    failures_before = request.session.testsfailed
    try:
        mesh.start()
    except meshmesh.MeshRefused as refusal:
        mesh.stop()
        pytest.skip(str(refusal))
    except BaseException:
        mesh.stop()
        print(f"\n{mesh.logs()}")
        raise
    try:
        yield mesh
    finally:
        problems = mesh.stop()
        traces = mesh.written_traces()
        if traces:
            summary = hops.summarize(traces, mesh.links)
            print(f"\n[{name}] {hops.table(summary)}")
            results.write(f"hops_{name}", summary)
        if problems or request.session.testsfailed > failures_before:
            print(f"\n[{name}] mesh logs:\n{mesh.logs()}")
        if problems:
            pytest.fail("; ".join(problems))


@pytest.fixture(scope="module")
def module_mesh(request, tmp_path_factory):
    """One mesh shared by a module's tests; options from the module's MESH_OPTIONS dict
    (links, order, node_env, trace: see meshmesh.Mesh)."""
    name = request.module.__name__.removeprefix("test_")
    options = getattr(request.module, "MESH_OPTIONS", {})
    with running_mesh(request, tmp_path_factory.mktemp(name), name, **options) as mesh:
        yield mesh


@pytest.fixture
def start_mesh(request, tmp_path):
    """start_mesh(**options) -> a mesh of this test's own (for tests that kill nodes or Redis)."""
    stack = contextlib.ExitStack()

    def start(**options):
        return stack.enter_context(running_mesh(request, tmp_path / "mesh", request.node.name, **options))

    with stack:
        yield start
