"""Issue 16, Grafana and alerts: deploy/prometheus and deploy/grafana against a running mesh.

- `promtool check rules` and `check config` accept deploy/prometheus/alerts.yml and the example
  prometheus.yml; `promtool test rules alerts_test.yml` passes (each alert fires on the series
  that should raise it and not on ones under its threshold).
- On a running mesh (origin-1, relay-1, edge-a, edge-b with TURN over UDP, recorder-1 recording
  the stream into a throw-away PostgreSQL's catalog, and Redis; an aiortc publisher at origin-1, a
  viewer placed on edge-a through a 307, garbage datagrams at edge-a so drops are counted, an
  unauthenticated TURN Allocate at edge-b so its answers are counted), every metric the dashboard
  and the rules name is exported by some node's /metrics: the per-stream, TURN and recorder
  panels included.
- Debian's real Prometheus scrapes that mesh every second with the labels prometheus.yml gives
  (node, role, region) and loads alerts.yml: every rule evaluates without error, and every
  dashboard query, variables substituted as Grafana would for "All", returns series.
"""

import asyncio
import json
import re
import secrets
import shutil
import socket
import struct
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

import meshnode
import meshpostgres
from clients import publish
from meshclients import view_placed

DEPLOY = meshnode.ROOT / "deploy"
RULES = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "meshcast.json"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
# Series Prometheus makes itself for every target, not the node.
SYNTHETIC = {"up"}

needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None,
                                    reason="promtool is missing (Debian's prometheus package; scripts/interop-setup)")


def dashboard_queries() -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target and query variable of the dashboard."""
    dashboard = json.loads(DASHBOARD.read_text())
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            queries.append((f"panel '{panel['title']}' {target['refId']}", target["expr"]))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            found = re.fullmatch(r"label_values\((.*), *\w+\)", variable["query"]["query"])
            assert found, f"variable {variable['name']}: {variable['query']}"
            queries.append((f"variable ${variable['name']}", found.group(1)))
    return queries


def rule_queries() -> list[tuple[str, str]]:
    """(alert, PromQL) of every rule in alerts.yml (each `expr:` is one line, the next after `alert:`)."""
    text = RULES.read_text()
    rules = re.findall(r"- alert: (\w+)\n\s+expr: (.+)", text)
    assert len(rules) == text.count("- alert:"), "an alert whose expr is not on the line after its name"
    return rules


def metric_names(query: str) -> set[str]:
    """Metric names a PromQL expression selects: identifiers not followed by `(` (functions),
    outside braces (label matchers) and not after `by`/`without` lists."""
    stripped = re.sub(r"\{[^}]*\}", "{}", query)
    stripped = re.sub(r"\b(by|without)\s*\([^)]*\)", "", stripped)
    stripped = re.sub(r"\[[^\]]*\]", "", stripped)
    names = set()
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", stripped):
        name = match.group(1)
        if name not in {"sum", "max", "min", "count", "avg", "rate", "and", "or", "unless", "bool", "on", "ignoring"}:
            names.add(name)
    return names


def grafana_substituted(query: str) -> str:
    """What Grafana sends for the "All" value of every variable and its default rate window."""
    return query.replace("$__rate_interval", "15s").replace("$node", ".*").replace("$region", ".*")


@needs_promtool
def test_promtool_accepts_rules_config_and_rule_tests():
    for command in (["check", "rules", str(RULES)], ["check", "config", "--syntax-only", str(PROMETHEUS_CONFIG)],
                    ["test", "rules", str(DEPLOY / "prometheus" / "alerts_test.yml")]):
        result = subprocess.run(["promtool", *command], capture_output=True, text=True, timeout=60,
                                cwd=DEPLOY / "prometheus")
        print(f"\npromtool {' '.join(command[:2])}: {(result.stdout + result.stderr).strip()}")
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_query_names_only_known_metrics():
    """The parser this file relies on: a typo'd name in a query is caught, functions are not names."""
    assert metric_names('8 * sum by (node) (rate(meshcast_bytes_out_total{node=~"$node"}[5m]))') == {
        "meshcast_bytes_out_total"}
    assert metric_names('up{job="meshcast"} == 0') == {"up"}
    names = set().union(*(metric_names(q) for _, q in dashboard_queries() + rule_queries()))
    assert names, "no metric found in the dashboard and rules"
    assert all(name.startswith(("meshcast_", "process_")) or name in SYNTHETIC for name in names), names


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send_garbage(node) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(20):
            sock.sendto(b"\x80\x00not rtp at all", ("127.0.0.1", node.udp_ports[0]))


def turn_allocate_without_credentials(port: int) -> bytes:
    """An Allocate request with no credentials (RFC 8656 §7.1); the answer is a 401 (§7.2 step 1)."""
    transaction = secrets.token_bytes(12)
    # Allocate (0x0003), 8 bytes of attributes, the magic cookie; REQUESTED-TRANSPORT (0x0019): UDP (17).
    request = struct.pack("!HHI", 0x0003, 8, 0x2112A442) + transaction + struct.pack("!HHB3x", 0x0019, 4, 17)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(request, ("127.0.0.1", port))
        answer, _ = sock.recvfrom(2048)
    assert answer[8:20] == transaction and struct.unpack("!H", answer[:2])[0] == 0x0113, answer.hex()
    return answer


async def load_mesh(mesh, turn_port: int) -> tuple:
    """A publisher at origin-1, a viewer placed on edge-a through origin-1's 307, garbage at edge-a,
    a TURN Allocate without credentials at edge-b."""
    origin = mesh["origin-1"]
    publisher = await publish(origin, "dash", origin.token("dash", "publish"))
    await publisher.connected()
    viewer = await view_placed(mesh, origin, "dash", origin.token("dash", "view"), forwarded_for="127.0.0.9",
                               expect_edge="edge-a")
    await viewer.connected()
    send_garbage(mesh["edge-a"])
    await asyncio.to_thread(turn_allocate_without_credentials, turn_port)
    await asyncio.sleep(3.0)
    return publisher, viewer


def query(port: int, expr: str) -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def start_prometheus(directory, mesh) -> tuple[subprocess.Popen, int]:
    port = free_port()
    static = [{"targets": [f"127.0.0.1:{node.api_port}"],
               "labels": {"node": node.node_id, "role": node.role, "region": node.region}}
              for node in mesh.nodes.values()]
    config = directory / "prometheus.yml"
    config.write_text(json.dumps({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{"job_name": "meshcast", "static_configs": static}],
    }))
    log = open(directory / "prometheus.log", "wb")
    process = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={directory / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    return process, port


def exported_names(mesh) -> set[str]:
    names: set[str] = set()
    for node in mesh.nodes.values():
        names |= {line.split("{")[0].split()[0] for line in node.metrics().splitlines()
                  if line and not line.startswith("#")}
    return names


def check_with_prometheus(mesh, directory) -> list[str]:
    """Runs Prometheus against the mesh; returns the alerts firing at the end."""
    prometheus, port = start_prometheus(directory, mesh)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                up = query(port, 'count(up{job="meshcast"} == 1)')["data"]["result"]
                if up and float(up[0]["value"][1]) == len(mesh.nodes):
                    break
            except OSError:
                pass
            assert prometheus.poll() is None, (directory / "prometheus.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "Prometheus did not scrape every node within 60 s"
            time.sleep(0.5)
        time.sleep(20)  # rates over a 15 s window need two samples in it; rules a few evaluations
        empty = []
        for where, expr in dashboard_queries():
            answer = query(port, grafana_substituted(expr))
            assert answer["status"] == "success", f"{where}: {answer}"
            if not answer["data"]["result"]:
                empty.append(f"{where}: {expr}")
        assert not empty, "dashboard queries without series:\n" + "\n".join(empty)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/rules", timeout=10) as response:
            groups = json.loads(response.read())["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        assert len(rules) == len(rule_queries()), rules
        unhealthy = [(rule["name"], rule.get("lastError")) for rule in rules if rule["health"] != "ok"]
        assert not unhealthy, unhealthy
        return [rule["name"] for rule in rules if rule["state"] == "firing"]
    finally:
        prometheus.terminate()
        prometheus.wait(15)


async def scenario(mesh, directory, turn_port: int) -> list[str]:
    publisher, viewer = await load_mesh(mesh, turn_port)
    try:
        exported = exported_names(mesh)
        referenced: dict[str, str] = {}
        for where, expr in dashboard_queries() + rule_queries():
            for name in metric_names(expr) - SYNTHETIC:
                referenced.setdefault(name, where)
        missing = {name: where for name, where in referenced.items() if name not in exported}
        print(f"\n{len(referenced)} metrics named by the dashboard and rules; {len(exported)} exported")
        assert not missing, f"named but not exported by any node: {missing}"
        return await asyncio.to_thread(check_with_prometheus, mesh, directory)
    finally:
        await viewer.close()
        await publisher.close()


@needs_promtool
@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus is missing (scripts/interop-setup)")
def test_a_running_mesh_feeds_every_panel_and_rule(start_mesh, tmp_path):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    try:
        firing = run_panels_and_rules(start_mesh, tmp_path, postgres)
    finally:
        postgres.stop()
    print(f"Prometheus: every rule healthy, every panel has series; firing: {firing or 'none'}")
    assert "MeshcastNodeDown" not in firing


def run_panels_and_rules(start_mesh, tmp_path, postgres) -> list[str]:
    # Above 60000: meshmesh's media ranges are below, and a free range picked here could overlap one.
    turn_port, relay_ports = meshnode.free_turn_ports()
    mesh = start_mesh(
        trace=False,
        recorder={"storage": f"{{path: {tmp_path / 'recordings'}, segment_seconds: 5}}", "postgres_url": postgres.url},
        policies={"record": '["dash"]'},
        node_lines={"edge-b": [f"turn: {{udp: {turn_port}, relay_ports: {relay_ports}}}"]},
        extra_topology=("  turn: MESHCAST_TURN_SECRET",),
        node_env={"edge-b": {"MESHCAST_TURN_SECRET": secrets.token_hex(16)}})
    return asyncio.run(scenario(mesh, tmp_path, turn_port))
