"""Issue 4, hostile input to the mesh.

- The internal API (`/internal/v1/links`) takes only requests signed with the cluster secret
  (issue 17): `X-Meshcast-Signature: t=<unix>,n=<32 hex>,v=<hex HMAC-SHA256(secret,
  "meshcast-internal-v2\\nMETHOD\\ntarget\\nt\\nn\\n" + hex SHA-256(body))>`, where target is
  the path and query as sent. No signature, a wrong secret, an old `t`, a query added to a
  signed target, or a second use of a signature is 401; a signed body that is not JSON, or
  whose link keys are in clear or sealed for another request, is 400; a signed request for a
  link that does not exist is 404. Asked of origin-1 and relay-1.
- Garbage datagrams (random bytes, truncated SRTP, RTP-looking packets with a bad GCM tag,
  truncated STUN) at each node's first media port are dropped and counted: every node's
  drop counters rise, and afterwards the mesh still forwards (a placed viewer decodes).
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import secrets
import socket
import struct
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import meshmetrics
import results
from clients import publish
from media import delivery
from meshclients import view_placed
from meshmesh import DIRECT_LINKS, REGION_B_CLIENT

MESH_OPTIONS = {"links": DIRECT_LINKS}
LINKS = "/internal/v1/links"


def signature(secret: str, method: str, target: str, body: bytes, at: int) -> str:
    """InternalRequestSignature.swift, written again from its comment."""
    nonce = secrets.token_hex(16)
    message = "\n".join(["meshcast-internal-v2", method, target, str(at), nonce, hashlib.sha256(body).hexdigest()])
    return f"t={at},n={nonce},v={hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()}"


KEY_LABEL = b"meshcast relay-link keys v1"


def sealed_keys(secret: str, downstream: str, upstream: str, port: int) -> dict:
    """Both directions' GCM keys and salts sealed as LinkKeySeal.swift does: AES-256-GCM under
    HKDF-SHA256(secret, info=KEY_LABEL), the request's nodes and address as associated data."""
    key = HKDF(hashes.SHA256(), 32, None, KEY_LABEL).derive(secret.encode())
    parts = [KEY_LABEL, b"request", downstream.encode(), upstream.encode(), b"127.0.0.1", str(port).encode()]
    associated = b"".join(len(part).to_bytes(4, "big") + part for part in parts)
    nonce = os.urandom(12)
    box = nonce + AESGCM(key).encrypt(nonce, os.urandom(2 * (16 + 12)), associated)
    return {"version": 1, "box": base64.urlsafe_b64encode(box).rstrip(b"=").decode()}


def link_request(secret: str, downstream: str, upstream: str, port: int, sealed_for: str | None = None) -> bytes:
    """A well-formed SealedLinkSetupRequest (SealedLinkSetup.swift), so that only the
    signature is wrong in the requests that must be refused for it; `sealed_for` seals the keys
    for another downstream node, as if the box had been lifted from another request."""
    keys = sealed_keys(secret, sealed_for or downstream, upstream, port)
    return json.dumps({"downstreamNode": downstream, "upstreamNode": upstream,
                       "downstreamAddress": {"host": "127.0.0.1", "port": port}, "sealedKeys": keys}).encode()


def clear_link_request(downstream: str, port: int) -> bytes:
    """The body before issue 17: the keys in clear, which no node may accept any more."""
    key = lambda size: base64.urlsafe_b64encode(os.urandom(size)).rstrip(b"=").decode()
    return json.dumps({"downstreamNode": downstream, "downstreamAddress": {"host": "127.0.0.1", "port": port},
                       "keys": {"downstream": {"key": key(16), "salt": key(12)},
                                "upstream": {"key": key(16), "salt": key(12)}}}).encode()


def internal_requests(mesh, node_id: str) -> list[tuple[str, str, str, bytes, dict, int]]:
    """(what, method, path, body, headers, wanted status) for one node's internal API."""
    secret, now = mesh.cluster_secret, int(time.time())
    downstream = "edge-b" if node_id == "relay-1" else "relay-1"
    port = mesh[downstream].udp_ports[0]
    body = link_request(secret, downstream, node_id, port)
    clear = clear_link_request(downstream, port)
    moved = link_request(secret, downstream, node_id, port, sealed_for="edge-a")
    json_type = {"Content-Type": "application/json"}
    signed = lambda method, path, payload, at=now, key=secret: {
        **json_type, "X-Meshcast-Signature": signature(key, method, path, payload, at)}
    missing = f"{LINKS}/no-such-link"
    unknown_link = signed("DELETE", missing, b"")
    return [
        ("no signature", "POST", LINKS, body, json_type, 401),
        ("wrong secret", "POST", LINKS, body, signed("POST", LINKS, body, key="not-the-cluster-secret-at-all"), 401),
        ("expired t", "POST", LINKS, body, signed("POST", LINKS, body, at=now - 3600), 401),
        ("signature over another body", "POST", LINKS, body, signed("POST", LINKS, b"{}"), 401),
        ("malformed JSON", "POST", LINKS, b"{\"downstreamNode\": ", signed("POST", LINKS, b"{\"downstreamNode\": "), 400),
        ("keys in clear (the body before sealing)", "POST", LINKS, clear, signed("POST", LINKS, clear), 400),
        ("keys sealed for another request", "POST", LINKS, moved, signed("POST", LINKS, moved), 400),
        ("unknown link", "DELETE", missing, b"", unknown_link, 404),
        # The same signed request again (issue 17: 20 replays used to open 20 links).
        ("replay of the request above", "DELETE", missing, b"", unknown_link, 401),
        ("a query added to a signed target", "DELETE", missing + "?x=1", b"", signed("DELETE", missing, b""), 401),
    ]


def garbage_datagrams() -> list[tuple[str, bytes]]:
    header = lambda pt: struct.pack("!BBHII", 0x80, pt, random.randrange(65536), random.randrange(1 << 32),
                                    random.randrange(1 << 32))
    stun = struct.pack("!HHI12s", 0x0001, 8, 0x2112A442, os.urandom(12)) + struct.pack("!HH4s", 0x0006, 4, b"ab:c")
    return [
        ("random bytes", os.urandom(random.randrange(1, 1400))),
        ("one byte", b"\x80"),
        ("truncated SRTP (header only)", header(96)[:12]),
        ("truncated SRTP (short tag)", header(96) + os.urandom(6)),
        ("RTP-looking, bad GCM tag", header(96) + os.urandom(400) + os.urandom(16)),
        ("SRTCP-looking, bad tag", struct.pack("!BBHI", 0x81, 201, 7, random.randrange(1 << 32)) + os.urandom(40)),
        ("truncated STUN", stun[:11]),
        ("fake DTLS record", b"\x16\xfe\xfd" + os.urandom(60)),
    ]


def send_garbage(mesh, rounds: int = 20) -> int:
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(rounds):
            for node in mesh.nodes.values():
                for _, datagram in garbage_datagrams():
                    sock.sendto(datagram, ("127.0.0.1", node.udp_ports[0]))
                    sent += 1
    return sent


def test_internal_api_refuses_what_the_cluster_secret_did_not_sign(module_mesh):
    wrong = []
    for node_id in ("origin-1", "relay-1"):
        for what, method, path, body, headers, wanted in internal_requests(module_mesh, node_id):
            status, _, answer = module_mesh[node_id].request(method, path, body, headers)
            print(f"\n{node_id}: {what}: {method} {path} -> {status}", end="")
            if status != wanted:
                wrong.append(f"{node_id}: {what}: {status} (want {wanted}) {answer[:160]!r}")
    assert not wrong, "\n".join(wrong)
    for node in module_mesh.nodes.values():
        assert node.request("GET", "/ready")[0] == 200, f"{node.node_id} is no longer ready"


async def watch(mesh, stream: str) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, stream, origin.token(stream, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    viewer = await view_placed(mesh, origin, stream, origin.token(stream, "view"),
                               forwarded_for=REGION_B_CLIENT.format(41), expect_edge="edge-b")
    await asyncio.sleep(5.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)
    got = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
    await viewer.close()
    await publisher.close()
    return got


def test_garbage_datagrams_are_counted_and_the_mesh_still_forwards(module_mesh):
    mesh = module_mesh
    before = {node_id: meshmetrics.drops(node.metrics()) for node_id, node in mesh.nodes.items()}
    sent = send_garbage(mesh)
    time.sleep(1.0)
    after = {node_id: meshmetrics.drops(node.metrics()) for node_id, node in mesh.nodes.items()}
    got = asyncio.run(watch(mesh, "after-garbage"))
    results.write("mesh_bad_input", {"datagrams": sent, "drops_before": before, "drops_after": after, "viewer": got})
    print(f"\n{sent} garbage datagrams; drop counters before {before}, after {after}; viewer afterwards {got}")
    for node_id in mesh.nodes:
        assert after[node_id] > before[node_id], f"{node_id}'s drop counters did not rise ({before[node_id]} -> {after[node_id]})"
    assert got["decoded"] > 0 and got["ratio"] >= 0.95 and got["in_order"], f"the viewer after the garbage: {got}"
