"""A whole mesh on loopback for the mesh tests: a real `redis-server` and one `meshcast node`
process per node (origin-1, relay-1, edge-a, edge-b), from a topology generated in a temp dir.

Regions: a = 127.0.0.0/9 (origin-1, relay-1, edge-a), b = 127.128.0.0/9 (edge-b), 12 ms apart;
127.0.0.1 is a trusted proxy, so a test on loopback picks a viewer's region with
`X-Forwarded-For` (127.0.0.x: a, 127.200.0.x: b). Every node gets a free API port and a free
run of 100 UDP ports, one worker, the same random secrets and the Redis URL.
"""

import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time

import meshnode
from meshnode import MeshNode, binary, free_tcp_port, free_udp_range

# (id, role, region)
NODES = {
    "origin-1": ("origin", "a"),
    "relay-1": ("relay", "a"),
    "edge-a": ("edge", "a"),
    "edge-b": ("edge", "b"),
    # Only in meshes started with `recorder=` (test_mesh_recorder): fed by origin-1 or relay-1.
    "recorder-1": ("recorder", "a"),
}
START_ORDER = ("origin-1", "relay-1", "edge-a", "edge-b")

# The brief's links: any edge may be fed by the origin directly or through relay-1. With
# every node idle, the planner (PathPlanner: latency plus 1 ms per new link) feeds both
# edges directly from the origin.
DIRECT_LINKS = {"origin-1": ["relay-1", "edge-a", "edge-b"], "relay-1": ["edge-a", "edge-b"]}
# edge-a can be fed only through relay-1, so its traffic crosses the relay for certain;
# edge-b may still be fed directly (the failover path).
RELAY_FIRST_LINKS = {"origin-1": ["relay-1", "edge-b"], "relay-1": ["edge-a", "edge-b"]}

# Addresses a viewer "comes from" (X-Forwarded-For, believed from the trusted 127.0.0.1).
REGION_A_CLIENT = "127.0.0.{}"
REGION_B_CLIENT = "127.200.0.{}"

REFUSAL = re.compile(r"runs origin nodes only|only runs origin|origin nodes only", re.I)

_refused: str | None = None  # set once a node refuses its role; later meshes skip at once


def why_no_mesh() -> str | None:
    """None when a mesh can be tried; otherwise why the mesh tests skip."""
    reason = meshnode.why_no_node()
    if reason:
        return f"needs a meshcast node: {reason}"
    if not shutil.which("redis-server"):
        return "needs redis-server (apt-get install redis-server)"
    return _refused


class MeshRefused(Exception):
    """`meshcast node` exited at start-up saying it does not run this role yet."""


# Client addresses: region CIDRs and the proxies whose X-Forwarded-For is believed.
CLIENTS = {"a": "127.0.0.0/9", "b": "127.128.0.0/9", "trusted_proxies": "127.0.0.1/32"}


def render_topology(ports: dict[str, tuple[int, range]], links: dict[str, list[str]],
                    order: tuple[str, ...], policies: dict[str, int | str] | None = None,
                    redis: list[str] | None = None, extra: tuple[str, ...] = (),
                    clients: dict[str, str] | None = None, storage: str | None = None,
                    node_lines: dict[str, list[str]] | None = None) -> str:
    clients = {**CLIENTS, **(clients or {})}
    lines = [
        "# Written by Tests/Interop/meshmesh.py: a whole mesh on loopback.",
        "mesh: interop",
        f"trusted_proxies: [{clients['trusted_proxies']}]",
        "regions:",
        "  - name: a",
        f"    cidrs: [{clients['a']}]",
        "    coordinates: {lat: 48.8566, lon: 2.3522}",
        "  - name: b",
        f"    cidrs: [{clients['b']}]",
        "    coordinates: {lat: 52.52, lon: 13.405}",
        "latency:",
        "  - between: [a, b]",
        "    ms: 12",
        "nodes:",
    ]
    for node_id in order:
        role, region = NODES[node_id]
        api_port, udp = ports[node_id]
        lines += [
            f"  - id: {node_id}",
            f"    role: {role}",
            f"    region: {region}",
            f"    api: 127.0.0.1:{api_port}",
            "    media: 127.0.0.1",
            "    announce: 127.0.0.1",
            f"    ports: {udp[0]}-{udp[-1]}",
            "    workers: 1",
        ]
        lines += [f"    {line}" for line in (node_lines or {}).get(node_id, [])]
        if role == "edge":
            lines.append("    capacity: {sessions: 500, viewers: 450}")
        if role == "recorder":
            lines.append(f"    storage: {storage}")
    if links:
        lines.append("links:")
    for upstream, downstream in links.items():
        lines += [f"  - from: {upstream}", f"    to: [{', '.join(downstream)}]"]
    if policies:
        lines += ["policies:"] + [f"  {key}: {value}" for key, value in policies.items()]
    lines += redis or []
    lines += [
        "secrets:",
        "  cluster: MESHCAST_CLUSTER_SECRET",
        "  token: MESHCAST_SECRET",
        "  redis: MESHCAST_REDIS_URL",
        *extra,
        "",
    ]
    return "\n".join(lines)


class RedisServer:
    """A throw-away `redis-server` on a free loopback port, no persistence. `stop()` then
    `start()` brings it back on the same port (and empty: it saves nothing)."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_tcp_port()
        self.process: subprocess.Popen | None = None
        # `--replicaof HOST PORT` for a replica of a Sentinel set (meshsentinel.py).
        self.extra_arguments: list[str] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory),
             "--logfile", str(self.directory / "redis.log"), *self.extra_arguments],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.process.returncode}: {self.log_tail()}")
            if self.ping():
                return
            time.sleep(0.05)
        raise AssertionError(f"redis-server on port {self.port} did not answer PING within {timeout_s} s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, crash: bool = False) -> None:
        """SIGTERM (or SIGKILL, as a crash would) and wait until the port is closed."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.directory / "redis.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no redis log)"

    def command(self, *arguments: str) -> int | str | list | None:
        """One command, e.g. `command("EXISTS", "node:{edge-a}")` (see `redis_command`)."""
        return redis_command(self.port, *arguments)


def redis_command(port: int, *arguments: str) -> int | str | list | None:
    """One command on a fresh connection to the Redis (or sentinel) on loopback `port`; its
    reply as an integer, a status, a bulk string or a list of those (RESP2). Enough for a test
    to look at the mesh's keys or ask a sentinel for its master."""
    request = f"*{len(arguments)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in arguments)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request.encode())
        reply = connection.makefile("rb")

        def read():
            line = reply.readline().decode().rstrip("\r\n")
            kind, rest = line[:1], line[1:]
            if kind == ":":
                return int(rest)
            if kind == "+":
                return rest
            if kind == "$":
                return None if int(rest) < 0 else reply.read(int(rest) + 2)[:-2].decode()
            if kind == "*":
                return None if int(rest) < 0 else [read() for _ in range(int(rest))]
            raise AssertionError(f"redis on {port} answered {line!r} to {arguments}")
        return read()


class MeshProcess(MeshNode):
    """One node of the mesh. Everything MeshNode offers (request, metrics, token, stop) works;
    only the topology and environment come from the mesh."""

    def __init__(self, node_id: str, topology: pathlib.Path, directory: pathlib.Path,
                 api_port: int, udp_ports: range, env: dict[str, str]) -> None:
        self.node_id = node_id
        self.role, self.region = NODES[node_id]
        self.host = "127.0.0.1"
        self.api_port = api_port
        self.udp_ports = udp_ports
        self.base = f"http://127.0.0.1:{api_port}"
        self.topology = topology
        self.log_path = directory / f"{node_id}.log"
        self.secret = env["MESHCAST_SECRET"]
        self.env = env
        self.process = None
        self.stopped_by_us = False
        self.killed_by_test = False

    def start(self, timeout_s: float = 30.0) -> None:
        try:
            super().start(timeout_s)
        except AssertionError as error:
            refusal = REFUSAL.search(self.log_tail())
            if self.process is not None and self.process.poll() is not None and refusal:
                line = next((l for l in self.log_tail().splitlines() if REFUSAL.search(l)), refusal.group(0))
                raise MeshRefused(f"`meshcast node` refuses the {self.role} role ({line.strip()})") from error
            raise AssertionError(f"{self.node_id}: {error}") from error

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self, timeout_s: float = 30.0) -> None:
        """Starts a node the test killed again: same id, ports and topology, as a supervisor
        would. The earlier life's log is kept beside the new one (`<id>.killed.log`)."""
        assert not self.running(), f"{self.node_id} is still running"
        if self.log_path.exists():
            self.log_path.replace(self.log_path.with_suffix(".killed.log"))
        self.stopped_by_us = self.killed_by_test = False
        self.start(timeout_s)


class Mesh:
    """The four nodes and Redis. `start()` starts Redis, then origin, relay and edges in that
    order, each waited for (/ready 200). `stop()` returns the problems a test must fail on."""

    def __init__(self, directory: pathlib.Path, links: dict[str, list[str]] | None = None,
                 order: tuple[str, ...] = START_ORDER, node_env: dict[str, dict[str, str]] | None = None,
                 trace: bool = True, policies: dict[str, int | str] | None = None, sentinel: bool = False,
                 cluster: bool = False,
                 extra_topology: tuple[str, ...] = (), clients: dict[str, str] | None = None,
                 recorder: dict[str, str] | None = None, node_lines: dict[str, list[str]] | None = None) -> None:
        """`recorder`: {"storage": "{path: DIR, segment_seconds: N}", "postgres_url": URL} adds
        recorder-1 (started last, fed by origin-1 or relay-1, the catalog at that URL).
        `node_lines`: more topology lines per node id (`turn: {...}`), indented under the node."""
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.links = DIRECT_LINKS if links is None else links
        self.node_ids = START_ORDER
        if recorder:
            self.node_ids = START_ORDER + ("recorder-1",)
            order = order + ("recorder-1",)
            self.links = {upstream: downstream + ["recorder-1"] for upstream, downstream in self.links.items()}
        if sentinel:
            from meshsentinel import SentinelSet
            self.redis = SentinelSet(directory / "redis")
        elif cluster:
            from meshcluster import ClusterSet
            self.redis = ClusterSet(directory / "redis")
        else:
            self.redis = RedisServer(directory / "redis")
        self.secret = secrets.token_hex(24)
        self.cluster_secret = secrets.token_hex(24)
        ports: dict[str, tuple[int, range]] = {}
        taken: set[int] = set()
        for node_id in self.node_ids:
            api = free_tcp_port()
            while api in taken:
                api = free_tcp_port()
            taken.add(api)
            udp = free_udp_range()
            while any(not (udp[-1] < other[0] or udp[0] > other[-1]) for _, other in ports.values()):
                udp = free_udp_range()
            ports[node_id] = (api, udp)
        self.topology = directory / "topology.yaml"
        self.topology.write_text(render_topology(
            ports, self.links, order, policies, self.redis.topology_section() if sentinel or cluster else None,
            extra_topology, clients, storage=(recorder or {}).get("storage"), node_lines=node_lines))
        self.trace_paths = {node_id: directory / f"hops-{node_id}.csv" for node_id in START_ORDER} if trace else {}
        self.nodes: dict[str, MeshProcess] = {}
        for node_id in self.node_ids:
            env = {**os.environ, "MESHCAST_SECRET": self.secret, "MESHCAST_CLUSTER_SECRET": self.cluster_secret}
            if not (sentinel or cluster):
                env["MESHCAST_REDIS_URL"] = self.redis.url
            if node_id in self.trace_paths:
                env["MESHCAST_TRACE_HOPS"] = str(self.trace_paths[node_id])
            if node_id == "recorder-1" and recorder:
                env["MESHCAST_POSTGRES_URL"] = recorder["postgres_url"]
            env.update((node_env or {}).get(node_id, {}))
            api, udp = ports[node_id]
            self.nodes[node_id] = MeshProcess(node_id, self.topology, directory, api, udp, env)
        self.started: list[MeshProcess] = []

    def __getitem__(self, node_id: str) -> MeshProcess:
        return self.nodes[node_id]

    def start(self) -> None:
        """Raises MeshRefused when a node does not run its role yet (the caller skips)."""
        global _refused
        self.redis.start()
        for node_id in self.node_ids:
            node = self.nodes[node_id]
            self.started.append(node)
            try:
                node.start()
            except MeshRefused as refusal:
                _refused = str(refusal)
                raise

    def node_for_url(self, url: str) -> MeshProcess:
        match = re.match(r"https?://[^/:]+:(\d+)", url)
        assert match, f"not an absolute http URL with a port: {url}"
        port = int(match.group(1))
        for node in self.nodes.values():
            if node.api_port == port:
                return node
        raise AssertionError(f"{url} points at no node of the mesh")

    def kill9(self, node_id: str) -> float:
        """SIGKILL a node, as a crash would. Returns the monotonic time of the kill."""
        node = self.nodes[node_id]
        assert node.running(), f"{node_id} is not running"
        node.stopped_by_us = node.killed_by_test = True
        killed_at = time.monotonic()
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(10)
        return killed_at

    def stop(self) -> list[str]:
        """SIGTERM every node at once (edges first), then Redis. Returns one sentence per node
        that crashed during the test, exited badly on SIGTERM or had to be killed."""
        problems = []
        for node in self.started:
            if node.process is not None and node.process.poll() is not None and not node.stopped_by_us:
                problems.append(f"{node.node_id} crashed during the test (exit status {node.process.returncode})")
                node.stopped_by_us = True
        signalled = []
        for node in reversed(self.started):
            if node.running():
                node.stopped_by_us = True
                node.process.send_signal(signal.SIGTERM)
                signalled.append(node)
        # A second SIGTERM ends a node's drain at once (tear-down does not wait for the drain
        # deadline; test_mesh_drain tests draining).
        time.sleep(0.3)
        for node in signalled:
            if node.running():
                node.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for node in signalled:
            try:
                node.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait()
                problems.append(f"{node.node_id} did not stop within 15 s of SIGTERM (killed)")
                continue
            if node.process.returncode not in (0, -15, 143):
                problems.append(f"{node.node_id} exited with status {node.process.returncode} on SIGTERM")
        self.redis.stop()
        return problems

    def logs(self, lines: int = 120) -> str:
        parts = []
        for node in self.started:
            parts.append(f"----- {node.node_id} ({node.log_path}) -----\n{node.log_tail(lines)}")
        parts.append(f"----- redis-server -----\n{self.redis.log_tail()}")
        return "\n".join(parts)

    def written_traces(self) -> dict[str, pathlib.Path]:
        return {node_id: path for node_id, path in self.trace_paths.items() if path.exists() and path.stat().st_size}

    # Tools that read the topology ----------------------------------------------------------

    def route(self, stream: str, forwarded_for: str | None = None, region: str | None = None,
              carriers: list[str] | None = None) -> dict:
        """`meshcast route` on this mesh's topology: what the planner says, without touching a
        node. Returns {"edge": id or None, "path": [ids], "text": the whole answer}."""
        command = [str(binary()), "route", stream, "--topology", str(self.topology), "--client", "127.0.0.1"]
        if forwarded_for:
            command += ["--forwarded-for", forwarded_for]
        if region:
            command += ["--region", region]
        if carriers is not None:
            state = self.directory / f"route-state-{stream}.json"
            state.write_text(
                '{"streams": {"%s": {"origin": "origin-1", "carriers": [%s]}}}'
                % (stream, ", ".join(f'"{c}"' for c in carriers)))
            command += ["--state", str(state)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=self.nodes["origin-1"].env)
        text = result.stdout + result.stderr
        edge = re.search(r"^edge: (\S+)", text, re.M)
        path = re.search(r"^path: (.+?) \(", text, re.M)
        return {"edge": edge.group(1) if edge else None,
                "path": [hop.strip() for hop in path.group(1).split("->")] if path else [], "text": text}
