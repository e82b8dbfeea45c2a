"""Issue 13, abuse limits of the node's TURN server, from outside, over real UDP.

- A flood of unauthenticated Allocates (RFC 8656 §7.2 without MESSAGE-INTEGRITY) from one source
  address, spread over 64 ports: the node keeps no state for them (RFC 8489 §9.2's stateless
  NONCE), so its RSS stays flat, no allocation exists afterwards, and its 401 answers are limited
  per source IP (10 a second by default) instead of one per request. An authenticated client is
  served right after.
- Quotas (RFC 8656 §7.2: 486 Allocation Quota Reached): one credential gets 10 allocations from
  10 client ports, the 11th gets 486; a Refresh with LIFETIME 0 (§7.3) frees one slot and the
  next Allocate succeeds.

Messages are built with aioice's STUN codec (a client nobody here wrote): USERNAME, REALM, NONCE
and MESSAGE-INTEGRITY with the long-term key MD5(username:realm:password) (RFC 8489 §9.2.2), from a
TURN REST credential minted with the node's secret.
"""

import secrets
import socket
import time

import pytest

import meshnode
import results
from turnclient import TURNClient, allocate_request, credential

FLOOD = 120_000
SOURCES = 64


def start_node(tmp_path):
    reason = meshnode.why_no_node()
    if reason:
        pytest.skip(f"needs a meshcast node: {reason}")
    secret = secrets.token_hex(16)
    node = meshnode.MeshNode(tmp_path, {"MESHCAST_TURN_SECRET": secret})
    port, relay = meshnode.free_udp_range(1)[0], meshnode.free_udp_range(50)
    while set(relay) & (set(node.udp_ports) | {port}) or port in node.udp_ports:
        port, relay = meshnode.free_udp_range(1)[0], meshnode.free_udp_range(50)
    text = node.topology.read_text().replace(
        "    workers: 2\n", f"    workers: 2\n    turn: {{udp: {port}, relay_ports: {relay[0]}-{relay[-1]}}}\n")
    node.topology.write_text(text + "  turn: MESHCAST_TURN_SECRET\n")
    node.start()
    return node, secret, port


def live_allocations(node) -> int:
    return int(node.metric_total("meshcast_turn_allocations"))


def test_unauthenticated_flood_leaves_nothing_behind(tmp_path):
    node, secret, port = start_node(tmp_path)
    try:
        sockets = []
        for _ in range(SOURCES):
            flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            flood.bind(("127.0.0.1", 0))
            flood.setblocking(False)
            sockets.append(flood)
        # Warm up (first answers, metric text) before the RSS baseline.
        for flood in sockets:
            flood.sendto(bytes(allocate_request()), ("127.0.0.1", port))
        time.sleep(1.0)
        rss_before = node.rss_kib()
        challenges_before = node.metric_total("meshcast_turn_responses_total")
        dropped_before = node.metric_total("meshcast_turn_dropped_total")
        started = time.monotonic()
        for index in range(FLOOD):
            try:
                sockets[index % SOURCES].sendto(bytes(allocate_request()), ("127.0.0.1", port))
            except BlockingIOError:
                time.sleep(0.001)
        seconds = time.monotonic() - started
        time.sleep(1.0)
        answers = 0
        for flood in sockets:
            while True:
                try:
                    flood.recv(2048)
                    answers += 1
                except BlockingIOError:
                    break
            flood.close()
        rss_after = node.rss_kib()
        answered = node.metric_total("meshcast_turn_responses_total") - challenges_before
        dropped = node.metric_total("meshcast_turn_dropped_total") - dropped_before
        allocations = live_allocations(node)

        # Served right after: an authenticated client still gets its allocation.
        time.sleep(1.1)  # a new second of the per-source 401 budget
        client = TURNClient(port, *credential(secret, "after-flood"))
        served = client.allocate()
    finally:
        node.stop()
    figures = {"requests": FLOOD, "seconds": round(seconds, 2), "answers_received": answers,
               "responses_counted": answered, "dropped_counted": dropped, "rss_before_kib": rss_before, "rss_after_kib": rss_after,
               "allocations_after": allocations}
    print(f"\nunauthenticated Allocate flood: {figures}")
    assert allocations == 0, figures
    assert dropped > 1000, f"the flood did not reach the node: {figures}"
    # 10 challenges per source IP per second: the flood draws a few dozen answers, not one each.
    assert answers <= 10 * (seconds + 2) + SOURCES, figures
    assert rss_after - rss_before < 2048, f"RSS grew {rss_after - rss_before} KiB under the flood: {figures}"
    assert served is None, f"authenticated Allocate after the flood answered {served}"
    results.write("node_turn_flood", figures)


def test_allocation_quota_per_credential(tmp_path):
    node, secret, port = start_node(tmp_path)
    try:
        username, password = credential(secret, "quota")
        clients = [TURNClient(port, username, password) for _ in range(11)]
        codes = []
        for client in clients:
            codes.append(client.allocate())
            time.sleep(0.11)  # each client's 401 counts against the source's 10 a second
        assert codes[:10] == [None] * 10, codes
        assert codes[10] == 486, codes
        assert live_allocations(node) == 10
        # Another credential is not held back by this one's quota.
        other = TURNClient(port, *credential(secret, "other"))
        assert other.allocate() is None
        # A deleted allocation gives its slot back.
        assert clients[0].release() is None
        time.sleep(0.11)
        assert clients[10].allocate() is None
        assert live_allocations(node) == 11
    finally:
        node.stop()
    results.write("node_turn_quota", {"codes": [code or 200 for code in codes]})

