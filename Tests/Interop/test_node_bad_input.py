"""Issue 3, hostile input: every bad HTTP request gets its 4xx, garbage UDP is dropped and
counted (meshcast_drops_total), the node stays ready, and its RSS stays flat over 2000 bad
requests.
"""

import os
import random
import socket
import struct
import time

import pytest

import results

# A valid offer's shape, to build truncated and malformed ones from.
OFFER = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\na=setup:actpass\r\na=rtcp-mux\r\n"
    "a=rtpmap:96 VP8/90000\r\na=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n"
)
SDP = "application/sdp"


def bad_requests(node) -> list[tuple[str, str, str, bytes, dict, set[int]]]:
    """(what, method, path, body, headers, acceptable statuses)."""
    publish = node.token("bad", "publish")
    view = node.token("bad", "view")
    other_stream = node.token("other", "publish")
    expired = node.resigned(publish, exp=int(time.time()) - 3600)
    forged = node.resigned(publish, secret="not-the-node-secret-at-all")
    auth = lambda token: {"Authorization": f"Bearer {token}", "Content-Type": SDP}
    return [
        ("malformed SDP", "POST", "/whip/bad", b"v=0\r\nthis is not sdp\r\n", auth(publish), {400, 422}),
        ("truncated SDP", "POST", "/whip/bad", OFFER[: len(OFFER) // 3].encode(), auth(publish), {400, 422}),
        ("empty body", "POST", "/whip/bad", b"", auth(publish), {400, 422}),
        ("binary body", "POST", "/whip/bad", os.urandom(512), auth(publish), {400, 422}),
        ("wrong content type", "POST", "/whip/bad", OFFER.encode(),
         {"Authorization": f"Bearer {publish}", "Content-Type": "text/plain"}, {415}),
        ("JSON content type", "POST", "/whep/bad", b"{}",
         {"Authorization": f"Bearer {view}", "Content-Type": "application/json"}, {415}),
        ("body over 64 KiB", "POST", "/whip/bad", OFFER.encode() + b"a=x:" + b"y" * 70000 + b"\r\n",
         auth(publish), {413}),
        ("unknown stream", "POST", "/whep/nobody-here", OFFER.replace("sendonly", "recvonly").encode(), auth(node.token("nobody-here", "view")), {404}),
        ("unknown stream JSON", "GET", "/v1/streams/nobody-here", b"", {}, {404}),
        ("no token", "POST", "/whip/bad", OFFER.encode(), {"Content-Type": SDP}, {401}),
        ("garbage token", "POST", "/whip/bad", OFFER.encode(), auth("not.a.jwt"), {401}),
        ("forged signature", "POST", "/whip/bad", OFFER.encode(), auth(forged), {401}),
        ("expired token", "POST", "/whip/bad", OFFER.encode(), auth(expired), {401}),
        ("view token on WHIP", "POST", "/whip/bad", OFFER.encode(), auth(view), {403}),
        ("token for another stream", "POST", "/whip/bad", OFFER.encode(), auth(other_stream), {403}),
        ("view token on PUT", "PUT", "/v1/streams/bad", b"", {"Authorization": f"Bearer {view}"}, {403}),
        ("unknown session DELETE", "DELETE", "/whip/bad/no-such-session", b"",
         {"Authorization": f"Bearer {publish}"}, {401, 403, 404}),
    ]


def garbage_datagrams() -> list[tuple[str, bytes]]:
    stun_request = struct.pack("!HHI12s", 0x0001, 8, 0x2112A442, os.urandom(12)) + struct.pack("!HH4s", 0x0006, 4, b"ab:c")
    rtp = struct.pack("!BBHII", 0x80, 96, random.randrange(65536), 1234, 0xDEADBEEF) + os.urandom(200)
    return [
        ("random bytes", os.urandom(random.randrange(1, 1400))),
        ("one byte", b"\x00"),
        ("truncated STUN", stun_request[:11]),
        ("STUN without integrity", stun_request),
        ("STUN with lying length", struct.pack("!HHI12s", 0x0001, 400, 0x2112A442, os.urandom(12))),
        ("fake RTP, unknown SSRC", rtp),
        ("fake RTCP", struct.pack("!BBHI", 0x81, 201, 7, 0xDEADBEEF) + os.urandom(24)),
        ("fake DTLS record", b"\x16\xfe\xfd" + os.urandom(60)),
    ]


def send_garbage(node, rounds: int = 5) -> int:
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(rounds):
            for port in node.udp_ports:
                for _, datagram in garbage_datagrams():
                    sock.sendto(datagram, ("127.0.0.1", port))
                    sent += 1
    return sent


def test_bad_http_requests_get_their_4xx(start_node):
    node = start_node()
    wrong = []
    for what, method, path, body, headers, allowed in bad_requests(node):
        status, _, answer = node.request(method, path, body, headers)
        print(f"\n{what}: {method} {path} -> {status}", end="")
        if status not in allowed:
            wrong.append(f"{what}: {status} (want {sorted(allowed)}) {answer[:120]!r}")
    assert not wrong, "\n".join(wrong)
    assert node.request("GET", "/ready")[0] == 200


def test_garbage_udp_is_dropped_and_counted(start_node):
    node = start_node()
    before = node.metric_total("meshcast_drops_total")
    sent = send_garbage(node)
    time.sleep(1.0)
    after = node.metric_total("meshcast_drops_total")
    print(f"\n{sent} garbage datagrams; meshcast_drops_total {before} -> {after}")
    assert node.request("GET", "/ready")[0] == 200
    assert after > before, "meshcast_drops_total did not count garbage datagrams"


def test_rss_stays_flat_over_2000_bad_requests(start_node):
    node = start_node()
    requests = bad_requests(node)
    samples = []
    for index in range(2000):
        _, method, path, body, headers, _ = requests[index % len(requests)]
        node.request(method, path, body, headers)
        if index % 200 == 0:
            send_garbage(node, rounds=1)
        if index % 500 == 499:
            samples.append(node.rss_kib())
    print(f"\nRSS after 500/1000/1500/2000 bad requests (KiB): {samples}")
    results.write("bad_input_rss", {"rss_kib": samples})
    assert node.request("GET", "/ready")[0] == 200
    growth = samples[-1] - samples[1]
    assert growth < 8 * 1024, f"RSS grew {growth} KiB over the last 1000 bad requests: {samples}"
