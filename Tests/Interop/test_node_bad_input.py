"""Issue 3, hostile input: every bad HTTP request gets its 4xx, garbage UDP is dropped and
counted (meshcast_drops_total), the node stays ready, and its RSS stays flat over 2000 bad
requests. Issue 17: a token for one stream cannot end or ICE-restart another stream's
publisher, and an offer with 100 m-lines gets a short 400.
"""

import asyncio
import json
import os
import random
import socket
import struct
import time
import urllib.parse

import pytest

import clients
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


# A trickle-ICE fragment (RFC 8840) with a new ufrag and pwd: an ICE restart (RFC 9725 §4.3.2).
RESTART = "a=ice-ufrag:evil\r\na=ice-pwd:attackerpassword123456\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"


async def cross_stream_attack(node) -> dict:
    publisher = await clients.publish(node, "victim", node.token("victim", "publish"))
    await publisher.connected()
    viewer = await clients.view(node, "victim", node.token("victim", "view"))
    await viewer.connected()
    session = urllib.parse.urlsplit(publisher.location).path.rsplit("/", 1)[-1]
    attacker = node.token("attacker", "view")
    own_view = node.token("victim", "view")
    figures = {"attempts": {}}
    for what, method, path, token, body, extra in [
        ("DELETE, view token for attacker", "DELETE", f"/whep/attacker/{session}", attacker, None, {}),
        ("PATCH restart, view token for attacker", "PATCH", f"/whep/attacker/{session}", attacker, RESTART,
         {"If-Match": "*", "Content-Type": "application/trickle-ice-sdpfrag"}),
        ("DELETE, view token for victim", "DELETE", f"/whep/victim/{session}", own_view, None, {}),
        ("PATCH restart, view token for victim", "PATCH", f"/whep/victim/{session}", own_view, RESTART,
         {"If-Match": "*", "Content-Type": "application/trickle-ice-sdpfrag"}),
    ]:
        status, _, answer = await asyncio.to_thread(
            node.request, method, path, body.encode() if body else None, {"Authorization": f"Bearer {token}", **extra})
        figures["attempts"][what] = {"status": status, "body": answer[:120].decode(errors="replace")}
    frames_after_attack = len(viewer.video.frames) if viewer.video else 0
    await asyncio.sleep(4.0)
    figures["frames_in_4s_after"] = (len(viewer.video.frames) if viewer.video else 0) - frames_after_attack
    status, _, listing = await asyncio.to_thread(node.request, "GET", "/v1/streams/victim")
    figures["listing"] = json.loads(listing) if status == 200 else status
    figures["listing_names_the_session"] = session in listing.decode(errors="replace")
    figures["publisher_state"] = publisher.pc.connectionState
    figures["viewer_delete"] = await viewer.close()
    figures["publisher_delete"] = await publisher.close()
    return figures


def test_cross_stream_delete_and_patch_leave_the_publisher_live(start_node):
    """Issue 17: with a view token for a stream of their own, or for the victim's stream, a
    client that knows a publisher's session id can neither DELETE nor ICE-restart it: 404, and
    its packets keep reaching a viewer."""
    node = start_node()
    figures = asyncio.run(cross_stream_attack(node))
    print(f"\ncross-stream attack: {figures}")
    results.write("cross_stream_attack", figures)
    for what, attempt in figures["attempts"].items():
        assert attempt["status"] == 404, f"{what}: {attempt}"
    assert figures["frames_in_4s_after"] > 30, figures
    assert figures["listing"]["live"] and figures["listing"]["publishers"] == 1, figures["listing"]
    assert not figures["listing_names_the_session"], figures["listing"]
    assert figures["publisher_delete"] == 200, "the owner's DELETE still works"


def test_an_offer_with_100_m_lines_is_a_short_400(start_node):
    """Issue 17: 100 video m-lines are refused before any track is made, with a body under 512 bytes."""
    node = start_node()
    head, section = OFFER.split("m=video", 1)
    sections = ["m=video" + section.replace("a=mid:0", f"a=mid:{index}") for index in range(100)]
    offer = head.replace("a=group:BUNDLE 0", "a=group:BUNDLE " + " ".join(map(str, range(100)))) + "".join(sections)
    headers = {"Authorization": f"Bearer {node.token('wide', 'publish')}", "Content-Type": SDP}
    status, _, body = node.request("POST", "/whip/wide", offer.encode(), headers)
    print(f"\n100 m-lines ({len(offer)} bytes): {status}, {len(body)}-byte body: {body[:200]!r}")
    assert status == 400, body[:300]
    assert len(body) < 512, len(body)
    assert node.request("GET", "/ready")[0] == 200
