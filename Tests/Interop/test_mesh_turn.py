"""Issue 13 in the mesh: a viewer redirected to an edge gets that edge's TURN credentials.

edge-a and edge-b run TURN over UDP in the default mode (peers limited to their own media).
An aiortc publisher sends to origin-1. Headless Chromium opens origin-1's own `/watch` page with
`relay=1` (`iceTransportPolicy: "relay"`): its WHEP POST is placed on edge-a (region a,
127.0.0.1) with a `307`, `fetch` follows it, and edge-a's `201` carries `Link: <turn:...>` for
edge-a's own listener with a credential edge-a minted (RFC 9725 §4.6). The page gathers with
those only, so ICE succeeds only if the 307 target's Links name a TURN server that relays to that
edge's media: the selected pair must be `relay`, frames must decode, and edge-a (not origin-1,
which runs no TURN, nor edge-b) must log the allocation.

Placement-aware Try Alternate (RFC 8656 §7.2, RFC 8489 §10): edge-a, holding a viewer, gets
SIGTERM and drains. Within 1 s a new authenticated Allocate there is answered 300 with
ALTERNATE-SERVER naming edge-b's TURN listener (edge-a's region has no other edge, so placement
would choose edge-b; loopback is named because the client is on loopback), the same credential
allocates on edge-b (the TURN secret is the mesh's), and an allocation made on edge-a before the
drain is still refreshed there, and the credential of the viewer whose session lives on edge-a
still allocates on edge-a (no other node may relay to edge-a's media). Runs last: edge-a stays
draining until the mesh stops.
"""

import asyncio
import re
import secrets
import signal
import time

import results
from browser import chromium, stats, wait_for_state
from meshnode import free_turn_ports
from turnclient import TURNClient, alternate_server, credential

SECRET = secrets.token_hex(16)  # the mesh's TURN secret, the same on every node





TURN_PORTS, RELAY_PORTS = {}, {}
TURN_PORTS["edge-a"], RELAY_PORTS["edge-a"] = free_turn_ports()
TURN_PORTS["edge-b"], RELAY_PORTS["edge-b"] = free_turn_ports(avoid=TURN_PORTS["edge-a"] - 50)

MESH_OPTIONS = {
    "node_lines": {edge: [f"turn: {{udp: {port}, relay_ports: {RELAY_PORTS[edge]}}}"]
                   for edge, port in TURN_PORTS.items()},
    "extra_topology": ("  turn: MESHCAST_TURN_SECRET",),
    "node_env": {edge: {"MESHCAST_TURN_SECRET": SECRET} for edge in TURN_PORTS},
}


async def watch_through_redirect(mesh) -> dict:
    import clients

    origin = mesh["origin-1"]
    publisher = await clients.publish(origin, "mesh-relayed", origin.token("mesh-relayed", "publish"))
    try:
        await publisher.connected()
        async with chromium() as browser:
            player = await browser.new_page()
            await player.goto(f"{origin.base}/watch?stream=mesh-relayed&token={origin.token('mesh-relayed', 'view')}"
                              "&relay=1&turn=udp")
            await wait_for_state(player, "connected", timeout_s=20)
            await asyncio.sleep(1.0)
            first = await stats(player)
            await asyncio.sleep(2.0)
            return {"first": first, "last": await stats(player),
                    "pair": await player.evaluate("() => meshcast.pair()"),
                    "servers": await player.evaluate("() => meshcast.iceServers"),
                    "resource": await player.evaluate("() => resource")}
    finally:
        await publisher.close()


def test_redirected_viewer_relays_through_its_edge(module_mesh):
    mesh = module_mesh
    figures = asyncio.run(watch_through_redirect(mesh))
    print(f"\nviewer through the 307 target's TURN: {figures}")
    edge_a = mesh["edge-a"]
    assert figures["resource"].startswith(edge_a.base + "/whep/"), f"not placed on edge-a: {figures['resource']}"
    # The Links name the media port of the worker that owns the session first (issue 13, item
    # 6), then the edge's listener (for networks that let only its port through).
    servers = [re.fullmatch(r"turn:127\.0\.0\.1:(\d+)\?transport=udp", url) for url in figures["servers"]]
    assert len(servers) == 2 and all(servers), figures["servers"]
    assert int(servers[0].group(1)) in edge_a.udp_ports, figures["servers"]
    assert int(servers[1].group(1)) == TURN_PORTS["edge-a"], figures["servers"]
    pair = figures["pair"]
    assert (pair["candidateType"], pair["relayProtocol"]) == ("relay", "udp"), figures
    # Chromium ranks the first server's relay candidate highest: the allocation on the worker.
    assert pair["url"] == figures["servers"][0], figures
    assert figures["last"]["framesDecoded"] > figures["first"]["framesDecoded"] > 0, figures
    session = figures["resource"].rsplit("/", 1)[-1]
    opened = re.compile(rf"turn allocation opened user=\d+:{session} from=udp/")
    assert opened.search(edge_a.log_path.read_text(errors="replace")), edge_a.log_tail(40)
    assert not opened.search(mesh["edge-b"].log_path.read_text(errors="replace"))
    results.write("mesh_turn_redirect", {"frames_decoded": figures["last"]["framesDecoded"],
                                         "ice_servers": figures["servers"]})


async def offer_keeping_links(session, path: str) -> tuple[str, str]:
    """Session.offer, keeping the 201's UDP TURN credential (username, password) from its Links."""
    import http.client
    import urllib.parse

    from aiortc import RTCSessionDescription

    await session.pc.setLocalDescription(await session.pc.createOffer())
    node = session.node

    def post():
        connection = http.client.HTTPConnection(node.host, node.api_port, timeout=10)
        try:
            connection.request("POST", path, body=session.pc.localDescription.sdp.encode(), headers={
                "Content-Type": "application/sdp", "Authorization": f"Bearer {session.token}"})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    status, headers, body = await asyncio.to_thread(post)
    assert status == 201, f"POST {path} answered {status}: {body[:300]!r}"
    session.location = urllib.parse.urljoin(node.base + path, dict(headers)["Location"])
    await session.pc.setRemoteDescription(RTCSessionDescription(body.decode(), "answer"))
    links = ", ".join(value for name, value in headers if name.lower() == "link")
    found = re.search(r'<turn:[^>]+\?transport=udp>; rel="ice-server"; username="([^"]+)"; credential="([^"]+)"', links)
    assert found, links
    return found.group(1), found.group(2)


def test_draining_edge_sends_new_allocations_where_placement_would(module_mesh):
    import clients

    mesh = module_mesh
    origin, edge_a = mesh["origin-1"], mesh["edge-a"]

    async def drain() -> dict:
        publisher = await clients.publish(origin, "drain-turn", origin.token("drain-turn", "publish"))
        viewer = clients.viewer_session(edge_a, edge_a.token("drain-turn", "view"))
        try:
            await publisher.connected()
            viewer_credential = await offer_keeping_links(viewer, "/whep/drain-turn")
            await viewer.connected()  # keeps edge-a draining instead of stopping at once
            before = TURNClient(TURN_PORTS["edge-a"], *credential(SECRET, "before-drain"))
            assert await asyncio.to_thread(before.allocate) is None
            await asyncio.sleep(1.0)  # a new second of the per-source 401 budget
            edge_a.stopped_by_us = True
            sent_at = time.monotonic()
            edge_a.process.send_signal(signal.SIGTERM)
            username, password = credential(SECRET, "after-drain")
            while True:
                client = TURNClient(TURN_PORTS["edge-a"], username, password)
                code = await asyncio.to_thread(client.allocate)
                if code == 300:
                    break
                assert time.monotonic() - sent_at < 1.0, f"no 300 within 1 s of SIGTERM (last: {code})"
                await asyncio.sleep(0.25)
            redirected_after = time.monotonic() - sent_at
            # The viewer's own credential (its session lives on edge-a) still allocates here.
            own = TURNClient(TURN_PORTS["edge-a"], *viewer_credential)
            await asyncio.sleep(0.3)
            served_here = await asyncio.to_thread(own.allocate)
            alternate = alternate_server(client.last_answer)
            follower = TURNClient(alternate[1], username, password) if alternate else None
            followed = await asyncio.to_thread(follower.allocate) if follower else "no alternate"
            return {"redirected_after_s": round(redirected_after, 3), "alternate": alternate,
                    "session_credential_here": served_here,
                    "followed": followed, "refresh_before_drain": await asyncio.to_thread(before.refresh)}
        finally:
            await viewer.close()
            await publisher.close()

    figures = asyncio.run(drain())
    print(f"\ndraining edge-a and TURN: {figures}")
    assert figures["alternate"] == ("127.0.0.1", TURN_PORTS["edge-b"]), figures
    assert figures["followed"] is None, f"Allocate at the alternate answered {figures['followed']}"
    assert figures["refresh_before_drain"] is None, figures
    assert figures["session_credential_here"] is None, f"the live session's credential was refused: {figures}"
    log = edge_a.log_path.read_text(errors="replace")
    assert f"TURN: draining: new allocations go to edge-b at 127.0.0.1:{TURN_PORTS['edge-b']}" in log, edge_a.log_tail()
    results.write("mesh_turn_drain", figures)
