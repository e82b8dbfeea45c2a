"""Issue 13: real WebRTC clients through the node's TURN only, with the credentials of its `Link` headers.

The node runs TURN in its default mode (`relay_to` unset: peers limited to its own media
addresses) over UDP, TCP and TLS. Headless Chromium opens the node's own `/publish` and `/watch`
pages with `relay=1` (`iceTransportPolicy: "relay"`) and `turn=udp|tcp|tls`: each page POSTs its
offer, takes the ICE servers from the `201`'s `Link: <turn:...>; rel="ice-server"` headers
(RFC 9725 §4.6; nothing else tells them a TURN server) and only then gathers. `getStats()` must
show a selected candidate pair whose local candidate is `relay` over the asked transport, and
the player must decode frames; the node must log one allocation per page over that transport,
count relayed packets, and end the player's allocation within 1 s of a DELETE of its WHEP session
(the credential's id is the session id).

TLS: Chromium checks a `turns:` server's certificate against its trust store and, failing that,
opens no allocation at all (seen: no connection reaches the node); the test's certificate is
self-signed, so the TLS run passes `--ignore-certificate-errors`, which Chromium applies to TURN
over TLS too.

aiortc (aioice's TURN client) watches as a viewer through TURN over UDP and TCP with
`iceTransportPolicy=relay`. aiortc has no `setConfiguration`, so the test hands the `Link`
servers to its ICE gatherers between `createOffer` and `setLocalDescription`, the order the pages
use. aioice's TLS client verifies certificates with no way to trust a test one, hence no TLS run.
"""

import asyncio
import http.client
import re
import secrets
import subprocess
import time
import urllib.parse

import pytest

import meshnode
import results
from browser import chromium, stats, wait_for_state

LINK = re.compile(r'<([^>]+)>; rel="ice-server"; username="([^"]+)"; credential="([^"]+)"')


def self_signed(directory) -> tuple[str, str]:
    cert, key = directory / "turn.pem", directory / "turn-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)


def start_relay_node(tmp_path) -> tuple[meshnode.MeshNode, dict[str, int]]:
    """A node with TURN over UDP, TCP and TLS in its default (self-only) mode."""
    reason = meshnode.why_no_node()
    if reason:
        pytest.skip(f"needs a meshcast node: {reason}")
    node = meshnode.MeshNode(tmp_path, {"MESHCAST_TURN_SECRET": secrets.token_hex(16)})
    cert, key = self_signed(tmp_path)
    ports = {"udp": meshnode.free_udp_range(1)[0], "tcp": meshnode.free_tcp_port(), "tls": meshnode.free_tcp_port()}
    while ports["tls"] == ports["tcp"]:
        ports["tls"] = meshnode.free_tcp_port()
    relay = meshnode.free_udp_range(50)
    while set(relay) & (set(node.udp_ports) | {ports["udp"]}) or ports["udp"] in node.udp_ports:
        ports["udp"], relay = meshnode.free_udp_range(1)[0], meshnode.free_udp_range(50)
    text = node.topology.read_text().replace(
        "    workers: 2\n",
        "    workers: 2\n"
        f"    turn: {{udp: {ports['udp']}, tcp: {ports['tcp']}, tls: {{port: {ports['tls']}, cert: {cert}, "
        f"key: {key}}}, relay_ports: {relay[0]}-{relay[-1]}}}\n")
    node.topology.write_text(text + "  turn: MESHCAST_TURN_SECRET\n")
    node.start()
    return node, ports


def post_offer(node, path: str, sdp: str, token: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """POSTs an SDP offer; returns every header of the answer (one `Link` per ICE server)."""
    connection = http.client.HTTPConnection(node.host, node.api_port, timeout=10)
    try:
        connection.request("POST", path, body=sdp.encode(), headers={
            "Content-Type": "application/sdp", "Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def opened(node, transport: str) -> list[str]:
    """Users of the allocations the node logged opening over `transport`."""
    log = node.log_path.read_text(errors="replace")
    return re.findall(rf"turn allocation opened user=(\S+) from={transport}/", log)


def await_session_end(node, session: str) -> float:
    """Seconds from now until the node logs the end of the allocations of `session`'s credential."""
    ended = re.compile(rf"turn allocation closed user=\d+:{re.escape(session)} .* reason=session-ended")
    started = time.monotonic()
    while not ended.search(node.log_path.read_text(errors="replace")):
        assert time.monotonic() - started < 1.0, f"allocations outlived their session by 1 s:\n{node.log_tail(30)}"
        time.sleep(0.02)
    return time.monotonic() - started


def relayed_packets(node, path: str) -> float:
    """Relayed packets both ways by path: `in_process` (to and from the node's own media, no
    socket) or `kernel` (a relayed socket)."""
    pattern = rf'^meshcast_turn_relayed_packets_total\{{direction="\w+",path="{path}"\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, node.metrics(), re.M))


async def browser_session(node, transport: str) -> dict:
    query = f"relay=1&turn={transport}"
    arguments = ["--ignore-certificate-errors"] if transport == "tls" else []
    async with chromium(arguments=arguments) as browser:
        publisher = await browser.new_page()
        await publisher.goto(f"{node.base}/publish?stream=relayed&token={node.token('relayed', 'publish')}"
                             f"&width=640&height=360&{query}")
        await wait_for_state(publisher, "connected", timeout_s=20)
        player = await browser.new_page()
        await player.goto(f"{node.base}/watch?stream=relayed&token={node.token('relayed', 'view')}&{query}")
        await wait_for_state(player, "connected", timeout_s=20)
        await asyncio.sleep(1.0)
        first = await stats(player)
        packets_before = node.metric_total("meshcast_turn_relayed_packets_total")
        in_process_before, kernel_before = relayed_packets(node, "in_process"), relayed_packets(node, "kernel")
        await asyncio.sleep(3.0)
        figures = {
            "player_first": first, "player": await stats(player),
            "relayed_packets_grew": node.metric_total("meshcast_turn_relayed_packets_total") - packets_before,
            "in_process_grew": relayed_packets(node, "in_process") - in_process_before,
            "kernel_grew": relayed_packets(node, "kernel") - kernel_before,
            "publisher_pair": await publisher.evaluate("() => meshcast.pair()"),
            "player_pair": await player.evaluate("() => meshcast.pair()"),
            "publisher_servers": await publisher.evaluate("() => meshcast.iceServers"),
            "player_servers": await player.evaluate("() => meshcast.iceServers"),
            "player_resource": await player.evaluate("() => resource"),
            "stream_clients_moved": node.metric_total("meshcast_turn_stream_clients_moved_total"),
            "stream_client_moves_failed": node.metric_total("meshcast_turn_stream_client_moves_failed_total"),
        }
        # DELETE of the WHEP session (RFC 9725 §4.2) ends the allocations of its credential.
        path = urllib.parse.urlsplit(figures["player_resource"]).path
        ended = rf"turn allocation closed user=\d+:{re.escape(path.rsplit('/', 1)[-1])} "
        assert not re.search(ended, node.log_path.read_text(errors="replace")), "ended before the DELETE"
        status, _, _ = node.request("DELETE", path, None, {"Authorization": f"Bearer {node.token('relayed', 'view')}"})
        assert status == 200, f"DELETE {path} answered {status}"
        figures["allocation_end_after_delete_s"] = round(await asyncio.to_thread(
            await_session_end, node, path.rsplit("/", 1)[-1]), 3)
        return figures


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_chromium_publishes_and_watches_through_turn_only(tmp_path, transport):
    node, ports = start_relay_node(tmp_path)
    try:
        figures = asyncio.run(browser_session(node, transport))
    finally:
        status = node.stop()
    print(f"\nchromium through TURN over {transport}: {figures}")
    scheme = "turns:" if transport == "tls" else "turn:"
    for page in ("publisher", "player"):
        servers = figures[f"{page}_servers"]
        assert servers and all(url.startswith(scheme) for url in servers), servers
        # The selected pair's local candidate is the TURN allocation, reached over `transport`.
        pair = figures[f"{page}_pair"]
        assert (pair["candidateType"], pair["relayProtocol"]) == ("relay", transport), figures
        if transport == "udp":
            # The session's worker port comes first (issue 13, item 6), then the listener.
            assert len(servers) == 2 and servers[1].endswith(f":{ports['udp']}?transport=udp"), servers
            assert pair["url"] == servers[0], figures
    first, last = figures["player_first"], figures["player"]
    assert first["framesDecoded"] > 0 and last["framesDecoded"] > first["framesDecoded"], (first, last)
    assert last["audioPacketsReceived"] > 0, last
    assert figures["relayed_packets_grew"] > 100, figures
    # Issue 13 item 3: both pages relay to the node's own media, so all of it went in-process.
    assert figures["in_process_grew"] > 100 and figures["kernel_grew"] == 0, figures
    if transport != "udp":
        # Issue 13 item 6: the node puts a stream's first session on its highest-numbered worker
        # when the two tie, and the stream's later sessions with it (issue 12, SessionPlaces), so
        # both pages' sessions live on worker 1, and their TCP/TLS connections move there once
        # they authenticate (the listener runs on worker 0).
        assert figures["stream_clients_moved"] >= 1 and figures["stream_client_moves_failed"] == 0, figures
    assert len(opened(node, transport)) >= 2, node.log_tail(40)
    assert status in (0, -15, 143), f"node exited {status}:\n{node.log_tail()}"
    results.write(f"node_turn_chromium_{transport}", {
        "frames_decoded": last["framesDecoded"], "frame_size": f"{last['frameWidth']}x{last['frameHeight']}",
        "relayed_packets_in_3s": figures["relayed_packets_grew"], "in_process_in_3s": figures["in_process_grew"],
        "allocation_end_after_whep_delete_s": figures["allocation_end_after_delete_s"]})


class RelayOnlyViewer:
    """An aiortc WHEP viewer whose only candidates are TURN allocations named by the 201's Links."""

    def __init__(self, node, token: str, transport: str) -> None:
        from aiortc import RTCConfiguration, RTCIceTransportPolicy, RTCPeerConnection

        from media import FrameCounter

        self.node, self.token, self.transport = node, token, transport
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[], iceTransportPolicy=RTCIceTransportPolicy.RELAY))
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        self.video: FrameCounter | None = None
        self.location: str | None = None

        @self.pc.on("track")
        def on_track(track):
            if track.kind == "video":
                self.video = FrameCounter(track)

    async def offer(self, path: str) -> None:
        from aiortc import RTCIceServer, RTCSessionDescription
        from aiortc.rtcicetransport import connection_kwargs

        offer = await self.pc.createOffer()
        status, headers, body = await asyncio.to_thread(post_offer, self.node, path, offer.sdp, self.token)
        assert status == 201, f"POST {path} answered {status}: {body[:300]!r}"
        links = ", ".join(value for name, value in headers if name.lower() == "link")
        wanted = f"?transport={self.transport}"
        servers = [RTCIceServer(url, username, credential) for url, username, credential
                   in LINK.findall(links) if url.startswith("turn:") and url.endswith(wanted)]
        # Over UDP the session's worker port, then the listener (issue 13, item 6); aioice takes
        # one TURN server: the first, as a browser would prefer it.
        assert len(servers) == (2 if self.transport == "udp" else 1), links
        servers = servers[:1]
        for transceiver in self.pc.getTransceivers():
            connection = transceiver.receiver.transport.transport.iceGatherer._connection
            for name, value in connection_kwargs(servers).items():
                setattr(connection, name, value)
        await self.pc.setLocalDescription(offer)
        self.location = urllib.parse.urljoin(self.node.base + path, dict(headers)["Location"])
        await self.pc.setRemoteDescription(RTCSessionDescription(body.decode(), "answer"))

    def selected_local_type(self) -> str | None:
        transport = self.pc.getTransceivers()[0].receiver.transport.transport
        pair = transport._connection._nominated.get(1)
        return pair.local_candidate.type if pair else None


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_aiortc_watches_through_turn(tmp_path, transport):
    import clients

    node, _ = start_relay_node(tmp_path)

    async def session() -> dict:
        publisher = await clients.publish(node, "aio-relayed", node.token("aio-relayed", "publish"))
        viewer = RelayOnlyViewer(node, node.token("aio-relayed", "view"), transport)
        try:
            await publisher.connected()
            await viewer.offer("/whep/aio-relayed")
            deadline = time.monotonic() + 15
            while viewer.pc.connectionState != "connected":
                assert viewer.pc.connectionState != "failed", "ICE or DTLS failed through TURN"
                assert time.monotonic() < deadline, f"viewer not connected ({viewer.pc.connectionState})"
                await asyncio.sleep(0.05)
            await asyncio.sleep(4.0)
            frames = len(viewer.video.frames) if viewer.video else 0
            return {"frames": frames, "numbered": sum(1 for n, _, _ in viewer.video.frames if n is not None),
                    "local_candidate": viewer.selected_local_type()}
        finally:
            if viewer.video:
                await viewer.video.stop()
            await viewer.pc.close()
            await publisher.close()

    try:
        figures = asyncio.run(session())
    finally:
        node.stop()
    print(f"\naiortc through TURN over {transport}: {figures}")
    assert figures["local_candidate"] == "relay", figures
    assert figures["frames"] > 30 and figures["numbered"] > 30, figures
    assert len(opened(node, transport)) >= 1, node.log_tail(40)
    results.write(f"node_turn_aiortc_{transport}", figures)
