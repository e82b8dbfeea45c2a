"""A Redis Sentinel set on loopback for the mesh tests (issue 15): a master, two replicas and
three sentinels (quorum 2, a master called down after 1 s), no persistence. It offers what the
tests use of `meshmesh.RedisServer` (start, stop, log_tail, command), aimed at whichever
server is master now."""

import pathlib
import signal
import subprocess
import time

from meshmesh import RedisServer, free_tcp_port, redis_command

MASTER_NAME = "meshcast"


class SentinelSet:
    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.servers = [RedisServer(directory / f"server-{index}") for index in range(3)]
        self.sentinel_ports = [free_tcp_port() for _ in range(3)]
        self.sentinels: list[subprocess.Popen] = []

    def topology_section(self) -> list[str]:
        ports = ", ".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return ["redis:", "  mode: sentinel", f"  master_name: {MASTER_NAME}", f"  sentinels: [{ports}]"]

    def start(self, timeout_s: float = 20.0) -> None:
        master = self.servers[0]
        master.start()
        for replica in self.servers[1:]:
            replica.extra_arguments = ["--replicaof", "127.0.0.1", str(master.port)]
            replica.start()
        for port in self.sentinel_ports:
            config = self.directory / f"sentinel-{port}.conf"
            config.write_text("\n".join([
                f"port {port}", "bind 127.0.0.1", f"dir {self.directory}",
                f"logfile {self.directory / f'sentinel-{port}.log'}",
                f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master.port} 2",
                f"sentinel down-after-milliseconds {MASTER_NAME} 1000",
                f"sentinel failover-timeout {MASTER_NAME} 5000", ""]))
            self.sentinels.append(subprocess.Popen(["redis-server", str(config), "--sentinel"],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                named = {self.master_port(port) for port in self.sentinel_ports}
                info = redis_command(master.port, "INFO", "replication")
                if named == {master.port} and "connected_slaves:2" in info:
                    return
            except (OSError, AssertionError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"the Sentinel set did not settle within {timeout_s} s: {self.log_tail()}")

    def master_port(self, sentinel_port: int | None = None) -> int:
        reply = redis_command(sentinel_port or self.sentinel_ports[0], "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        return int(reply[1])

    def master(self) -> RedisServer:
        port = self.master_port()
        return next(server for server in self.servers if server.port == port)

    def command(self, *arguments: str):
        return self.master().command(*arguments)

    def stop(self, crash: bool = False) -> None:
        for sentinel in self.sentinels:
            if sentinel.poll() is None:
                sentinel.send_signal(signal.SIGKILL)
                sentinel.wait(10)
        for server in self.servers:
            server.stop(crash=True)

    def log_tail(self, lines: int = 10) -> str:
        parts = [f"[server {server.port}]\n{server.log_tail(lines)}" for server in self.servers]
        for port in self.sentinel_ports:
            try:
                text = (self.directory / f"sentinel-{port}.log").read_text(errors="replace")
                parts.append(f"[sentinel {port}]\n" + "\n".join(text.splitlines()[-lines:]))
            except OSError:
                parts.append(f"[sentinel {port}] (no log)")
        return "\n".join(parts)
