"""Issue 15 item 7, webhooks, on the four-node mesh with a real Redis and a small HTTP receiver
(Python's http.server) on loopback.

The topology sends every event to the receiver, signed with the secret in WEBHOOK_SECRET. Checked:
node.up from all four nodes; stream.started when an aiortc publisher goes live on origin-1 (the
receiver refuses its first attempt with 500: it is retried with the same id after the 1 s
back-off) and stream.ended when the publisher DELETEs; node.draining and node.down when edge-b
is stopped; node.up over HTTPS to a receiver whose certificate a private CA (named in the
topology's `ca`) signed, and nothing to an HTTPS receiver the nodes cannot verify; node.down of edge-a, killed with SIGKILL (it says nothing), sent once, by one of the
nodes that noticed its heartbeat expire, a few seconds after the kill; every request's `X-Meshcast-Webhook-Signature` is HMAC-SHA256 of `<t>.<body>` with
the secret. Figures (delivery delays) in .build/interop-results/mesh_webhooks.json.
"""

import asyncio
import hashlib
import hmac
import http.server
import json
import pathlib
import secrets
import ssl
import subprocess
import tempfile
import threading
import time

import results
from clients import publish

SECRET = secrets.token_hex(24)
STREAM = "hooked"


class Receiver(http.server.ThreadingHTTPServer):
    """Records every POST; refuses the first attempt of the first stream.started with 500."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.refused_once = False

    def events(self, name: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["event"] == name]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        record = {"event": self.headers.get("X-Meshcast-Webhook-Event"),
                  "id": self.headers.get("X-Meshcast-Webhook-Id"),
                  "signature": self.headers.get("X-Meshcast-Webhook-Signature", ""),
                  "body": body, "at": time.monotonic(), "path": self.path}
        server: Receiver = self.server  # type: ignore[assignment]
        status = 204
        with server.lock:
            server.requests.append(record)
            if record["event"] == "stream.started" and not server.refused_once:
                server.refused_once = True
                status = 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def tls_certificates() -> pathlib.Path:
    """A throw-away CA and a certificate it signed for `localhost` (openssl, like an operator's
    private CA), in a fresh directory."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="meshcast-hooks-tls-"))
    run = lambda *arguments: subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
        "-subj", "/CN=meshcast test hooks CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (directory / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
    return directory


def tls_receiver(certificates: pathlib.Path) -> Receiver:
    receiver = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "server.pem", certificates / "server.key")
    receiver.socket = context.wrap_socket(receiver.socket, server_side=True)
    return receiver


RECEIVER = Receiver()
TLS = tls_certificates()
# HTTPS receivers: one whose CA the topology names, one whose CA nobody told the nodes about.
TLS_RECEIVER = tls_receiver(TLS)
UNTRUSTED_RECEIVER = tls_receiver(TLS)
for server in (RECEIVER, TLS_RECEIVER, UNTRUSTED_RECEIVER):
    threading.Thread(target=server.serve_forever, daemon=True).start()
NODE_IDS = ("origin-1", "relay-1", "edge-a", "edge-b")
MESH_OPTIONS = {
    "node_env": {node: {"WEBHOOK_SECRET": SECRET} for node in NODE_IDS},
    "extra_topology": (
        "webhooks:",
        f"  - {{url: 'http://127.0.0.1:{RECEIVER.server_address[1]}/hooks', secret: WEBHOOK_SECRET}}",
        f"  - {{url: 'https://localhost:{TLS_RECEIVER.server_address[1]}/tls-hooks', secret: WEBHOOK_SECRET,",
        f"     events: [node.up], ca: '{TLS / 'ca.pem'}'}}",
        f"  - {{url: 'https://localhost:{UNTRUSTED_RECEIVER.server_address[1]}/x', secret: WEBHOOK_SECRET,",
        "     events: [node.up]}"),
}


def wait_for(predicate, limit_s: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def signed_correctly(request: dict) -> bool:
    fields = dict(part.split("=", 1) for part in request["signature"].split(","))
    expected = hmac.new(SECRET.encode(), f"{fields['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


def test_node_up_from_every_node(module_mesh):
    assert wait_for(lambda: {json.loads(r["body"])["node"] for r in RECEIVER.events("node.up")} >= set(NODE_IDS),
                    10.0) is not None, RECEIVER.requests


def test_an_https_receiver_gets_events_verified_with_the_topologys_ca(module_mesh):
    assert wait_for(lambda: {json.loads(r["body"])["node"] for r in TLS_RECEIVER.events("node.up")} >= set(NODE_IDS),
                    10.0) is not None, TLS_RECEIVER.requests
    with TLS_RECEIVER.lock:
        requests = list(TLS_RECEIVER.requests)
    assert all(signed_correctly(r) and r["path"] == "/tls-hooks" for r in requests), requests
    # A receiver whose certificate the nodes cannot verify (its CA is not in the system's store)
    # is never sent a request: the handshake fails, and the entries wait for retries.
    time.sleep(1.0)
    assert UNTRUSTED_RECEIVER.requests == []


def test_stream_started_retried_then_ended(module_mesh):
    origin = module_mesh["origin-1"]

    async def scenario() -> tuple[float, float | None, float | None]:
        publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
        await publisher.connected()
        posted = publisher.posted_at
        started = await asyncio.to_thread(wait_for, lambda: len(RECEIVER.events("stream.started")) >= 2, 10.0)
        assert await publisher.close() == 200
        ended = await asyncio.to_thread(wait_for, lambda: RECEIVER.events("stream.ended"), 5.0)
        return posted, started, ended

    posted, started, ended = asyncio.run(scenario())
    attempts = RECEIVER.events("stream.started")
    assert started is not None and len({a["id"] for a in attempts}) == 1, attempts
    assert attempts[1]["at"] - attempts[0]["at"] >= 0.9, "retried before its back-off"
    assert json.loads(attempts[0]["body"])["stream"] == STREAM and attempts[0]["path"] == "/hooks"
    assert ended is not None and json.loads(RECEIVER.events("stream.ended")[0]["body"])["stream"] == STREAM
    results.write("mesh_webhooks", {"first_attempt_after_post_s": attempts[0]["at"] - posted,
                                    "retry_after_first_s": attempts[1]["at"] - attempts[0]["at"]})


def test_a_stopping_node_reports_draining_and_down(module_mesh):
    module_mesh["edge-b"].stop()
    for event in ("node.draining", "node.down"):
        assert wait_for(lambda: any(json.loads(r["body"])["node"] == "edge-b" for r in RECEIVER.events(event)),
                        10.0) is not None, f"no {event} from edge-b: {RECEIVER.requests}"


def test_a_crashed_node_is_reported_down_once_by_another(module_mesh):
    killed_at = module_mesh.kill9("edge-a")

    def downs() -> list[dict]:
        return [json.loads(r["body"]) for r in RECEIVER.events("node.down") if json.loads(r["body"])["node"] == "edge-a"]

    assert wait_for(lambda: downs(), 15.0) is not None, f"no node.down for edge-a: {RECEIVER.requests}"
    reported_after = time.monotonic() - killed_at
    time.sleep(3.0)  # two more sweeps of every node: none reports it again
    with RECEIVER.lock:
        ids = {r["id"] for r in RECEIVER.requests if r["event"] == "node.down"
               and json.loads(r["body"])["node"] == "edge-a"}
    print(f"\nnode.down of edge-a (SIGKILL) delivered {reported_after:.2f} s after the kill: {downs()}")
    results.write("mesh_webhooks_crash", {"node_down_after_kill_s": round(reported_after, 3)})
    assert len(ids) == 1, f"edge-a's death reported as {len(ids)} events: {downs()}"


def test_every_request_is_signed(module_mesh):
    with RECEIVER.lock:
        requests = list(RECEIVER.requests)
    assert requests and all(signed_correctly(r) for r in requests)
    tampered = dict(requests[0], body=requests[0]["body"] + b" ")
    assert not signed_correctly(tampered)
