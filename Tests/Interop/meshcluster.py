"""A six-node Redis Cluster on loopback for the mesh tests (issue 15): three masters with a
replica each, joined by `redis-cli --cluster create --cluster-replicas 1`, node timeout 1 s
(a dead master's replica is promoted about 1-2 s later), no persistence. It offers what the tests
use of `meshmesh.RedisServer` (start, stop, log_tail, command), a command going to the master
that holds its key's slot now."""

import pathlib
import random
import socket
import subprocess
import time

from meshmesh import RedisServer, redis_command


def cluster_ports(count: int) -> list[int]:
    """Ports free now whose cluster-bus port (+10000) is free too, below the kernel's ephemeral
    range (where a port picked by bind(0) could not have its +10000 twin)."""
    ports: list[int] = []
    for _ in range(500):
        port = random.randrange(20000, 22700)
        if port not in ports and _free(port) and _free(port + 10000):
            ports.append(port)
            if len(ports) == count:
                return ports
    raise AssertionError(f"no {count} free Cluster ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class ClusterSet:
    def __init__(self, directory: pathlib.Path, node_timeout_ms: int = 1000) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.servers = [RedisServer(directory / f"node-{index}") for index in range(6)]
        for server, port in zip(self.servers, cluster_ports(len(self.servers))):
            server.port = port
            server.extra_arguments = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                      "--cluster-node-timeout", str(node_timeout_ms)]

    def topology_section(self) -> list[str]:
        nodes = ", ".join(f"127.0.0.1:{server.port}" for server in self.servers)
        return ["redis:", "  mode: cluster", f"  nodes: [{nodes}]"]

    def start(self, timeout_s: float = 30.0) -> None:
        for server in self.servers:
            server.start()
        create = subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{server.port}" for server in self.servers),
             "--cluster-replicas", "1", "--cluster-yes"],
            capture_output=True, text=True, timeout=timeout_s)
        assert create.returncode == 0, f"redis-cli --cluster create failed: {create.stdout}{create.stderr}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(self._settled(server) for server in self.servers):
                return
            time.sleep(0.1)
        raise AssertionError(f"the Cluster did not settle within {timeout_s} s: {self.log_tail()}")

    def _settled(self, server: RedisServer) -> bool:
        """The server says the cluster is ok and knows three masters with all 16384 slots."""
        try:
            info = redis_command(server.port, "CLUSTER", "INFO")
            return "cluster_state:ok" in info and sum(
                end - start + 1 for start, end, *_ in redis_command(server.port, "CLUSTER", "SLOTS")) == 16384
        except (OSError, AssertionError, TypeError):
            return False

    def _live(self) -> list[RedisServer]:
        return [server for server in self.servers if server.process and server.process.poll() is None]

    def master_port(self, key: str) -> int:
        """The port of the master that holds `key`'s slot, as a live node sees it now."""
        for server in self._live():
            try:
                slot = redis_command(server.port, "CLUSTER", "KEYSLOT", key)
                for start, end, master, *_ in redis_command(server.port, "CLUSTER", "SLOTS"):
                    if start <= slot <= end:
                        return int(master[1])
            except (OSError, AssertionError):
                continue
        raise AssertionError(f"no live Cluster node answers for {key}")

    def master(self, key: str) -> RedisServer:
        port = self.master_port(key)
        return next(server for server in self.servers if server.port == port)

    def command(self, *arguments: str):
        """A one-key command (`EXISTS node:{edge-a}`) on the master of its key's slot."""
        return redis_command(self.master_port(arguments[1]), *arguments)

    def stop(self, crash: bool = False) -> None:
        for server in self.servers:
            server.stop(crash=True)

    def log_tail(self, lines: int = 10) -> str:
        return "\n".join(f"[cluster node {server.port}]\n{server.log_tail(lines)}" for server in self.servers)
