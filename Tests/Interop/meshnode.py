"""One `meshcast node` process on loopback, for the node tests: topology, start, ready, tokens."""

import base64
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import random
import re
import secrets
import signal
import socket
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary() -> pathlib.Path:
    return (ROOT / os.environ.get("MESHCAST_BIN", ".build/debug/meshcast")).resolve()


def why_no_node() -> str | None:
    """None when `meshcast node` exists; otherwise a sentence saying why node tests skip."""
    path = binary()
    if not path.exists():
        return f"{path} does not exist (build it, or set MESHCAST_BIN)"
    try:
        probe = subprocess.run([str(path), "node", "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{path} node --help failed: {error}"
    if probe.returncode != 0:
        return f"`meshcast node` does not exist yet ({path} node --help exited {probe.returncode})"
    return None


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_turn_ports(avoid: int | None = None) -> tuple[int, str]:
    """51 free UDP ports above 60000, where meshmesh never puts the nodes' media ranges, none
    within 51 of `avoid` (another block's first port): the TURN listener and 50 relayed ports."""
    for _ in range(50):
        base = random.randrange(60000, 65400)
        if avoid is not None and abs(base - avoid) < 51:
            continue
        probes = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(51)]
        try:
            for offset, probe in enumerate(probes):
                probe.bind(("127.0.0.1", base + offset))
            return base + 50, f"{base}-{base + 49}"
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no 51 free UDP ports above 60000")


def free_udp_range(count: int = 100) -> range:
    """A run of `count` UDP ports on 127.0.0.1 that are all free right now."""
    for _ in range(50):
        base = random.randrange(42000, 60000 - count)
        probes = []
        try:
            for port in range(base, base + count):
                probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return range(base, base + count)
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no free UDP port range on 127.0.0.1")


TOPOLOGY = """\
# Written by Tests/Interop/meshnode.py: one origin on loopback.
mesh: interop
regions:
  - name: loopback
    cidrs: [127.0.0.0/8, 10.0.0.0/8]
    coordinates: {{lat: 0, lon: 0}}
nodes:
  - id: {node_id}
    role: origin
    region: loopback
    api: {host}:{api_port}
    media: {host}
    announce: {host}
    ports: {first}-{last}
    workers: 2
secrets:
  cluster: MESHCAST_CLUSTER_SECRET
  token: MESHCAST_SECRET
"""


class MeshNode:
    """A running node. `base` is its API URL, `udp_ports` its media port range."""

    wrapper: tuple[str, ...] = ()  # a command the node runs under (strace, in test_deploy_systemd)

    def __init__(self, directory: pathlib.Path, extra_env: dict[str, str] | None = None,
                 host: str = "127.0.0.1") -> None:
        self.node_id = "origin-1"
        self.host = host
        self.api_port = free_tcp_port()
        self.udp_ports = free_udp_range()
        self.base = f"http://{host}:{self.api_port}"
        self.topology = directory / "topology.yaml"
        self.topology.write_text(TOPOLOGY.format(node_id=self.node_id, host=host, api_port=self.api_port,
                                                 first=self.udp_ports[0], last=self.udp_ports[-1]))
        self.log_path = directory / "node.log"
        self.secret = secrets.token_hex(24)
        self.env = {**os.environ, "MESHCAST_SECRET": self.secret,
                    "MESHCAST_CLUSTER_SECRET": secrets.token_hex(24), **(extra_env or {})}
        self.process: subprocess.Popen | None = None
        self.stopped_by_us = False

    def start(self, timeout_s: float = 30.0) -> None:
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [*self.wrapper, str(binary()), "node", "--topology", str(self.topology), "--id", self.node_id],
            stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"node exited with {self.process.returncode} before it was ready")
            try:
                if self.request("GET", "/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"node not ready after {timeout_s} s")

    def crashed(self) -> bool:
        return self.process is not None and self.process.poll() is not None and not self.stopped_by_us

    def stop(self) -> int | None:
        """SIGTERM twice, 0.3 s apart (the first drains, the second stops at once: tear-down does
        not wait for a drain deadline; test_mesh_drain tests draining), then SIGKILL after 10 s.
        Returns the exit status (negative: signal)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.stopped_by_us = True
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(0.3)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        return self.process.returncode

    def log_tail(self, lines: int = 200) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # Tokens -------------------------------------------------------------------------------

    def token(self, stream: str, scope: str, ttl: int | None = None) -> str:
        """`meshcast token --stream NAME --publish|--view [--ttl S]`."""
        command = [str(binary()), "token", "--stream", stream, f"--{scope}"]
        if ttl is not None:
            command += ["--ttl", str(ttl)]
        result = subprocess.run(command, capture_output=True, text=True, env=self.env, timeout=30, check=True)
        return result.stdout.strip().splitlines()[-1].strip()

    def resigned(self, token: str, secret: str | None = None, **claims) -> str:
        """The same JWT with some claims replaced, signed HS256 with `secret` (default: the
        node's). Makes expired and forged tokens without waiting or guessing claim names."""
        header, payload, _ = token.split(".")
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        decoded.update(claims)
        encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        body = f"{header}.{encode(json.dumps(decoded, separators=(',', ':')).encode())}"
        key = (secret if secret is not None else self.secret).encode()
        return f"{body}.{encode(hmac.new(key, body.encode(), hashlib.sha256).digest())}"

    # HTTP ---------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout_s: float = 10.0):
        """(status, headers with lower-case names, body). A server that answers before
        reading the whole body (413) may reset the connection: the answer still counts."""
        connection = http.client.HTTPConnection(self.host, self.api_port, timeout=timeout_s)
        try:
            try:
                connection.request(method, path, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                pass
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def video_layers(self, stream: str) -> dict[str, dict]:
        """The stream's video layers as `/v1/streams` reports them, by rid ({} before it is live)."""
        status, _, body = self.request("GET", f"/v1/streams/{stream}")
        if status != 200:
            return {}
        video = [t for t in json.loads(body)["tracks"] if t["kind"] == "video"]
        return {layer["rid"]: layer for layer in (video[0]["layers"] if video else [])}

    def metrics(self) -> str:
        status, _, body = self.request("GET", "/metrics")
        assert status == 200, f"/metrics answered {status}"
        return body.decode()

    def metric_total(self, name: str) -> float:
        """Sum of every sample of a Prometheus metric, over all label sets."""
        pattern = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})?\s+(\S+)", re.M)
        return sum(float(value) for value in pattern.findall(self.metrics()))

    def rss_kib(self) -> int:
        status = pathlib.Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
