"""Issue 4, failover: viewers watch through relay-1; relay-1 is killed with SIGKILL. The edge
hears nothing on its upstream link for 1 s, re-paths directly to the origin (the topology
allows origin-1 → edge-b) and the same viewer sessions decode frames again, with no new WHEP
POST. Time from the kill to the first decoded frame the publisher made after the kill must
be <= 2 s (printed, and kept in .build/interop-results/mesh_failover.json).

Getting the viewers onto relay-1 in the first place: edge-a may be fed only through relay-1
(RELAY_FIRST_LINKS), so a first viewer on edge-a makes relay-1 a carrier; relay-1 is listed
first in the topology, and the planner breaks the tie between "join at carrier relay-1" and
"new link from origin-1" (13 ms either way) by node order, so edge-b joins at relay-1. The
test checks that with `meshcast route` and with edge-b's link counters before killing.
"""

import asyncio
import time

import meshmetrics
import results
from clients import publish
from media import delivery
from meshclients import first_fresh_frame, view_placed
from meshmesh import RELAY_FIRST_LINKS, REGION_A_CLIENT, REGION_B_CLIENT

STREAM = "failover"
MAX_RECOVERY_S = 2.0


class FramesFrom:
    """A FrameCounter's frames from time `at` on (for media.delivery)."""

    def __init__(self, counter, at: float) -> None:
        self.frames = [frame for frame in counter.frames if frame[1] >= at]
        self.first_decoded_at = self.frames[0][1] if self.frames else None


async def fail_over(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    figures: dict = {}
    seed = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(21), expect_edge="edge-a")
    await asyncio.sleep(1.5)
    figures["plan"] = mesh.route(STREAM, forwarded_for=REGION_B_CLIENT.format(22), carriers=["relay-1", "edge-a"])
    viewers = [await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(22 + n),
                                 expect_edge="edge-b") for n in range(2)]
    await asyncio.sleep(3.0)
    before = mesh["edge-b"].metrics()
    figures["edge_b_before"] = {peer: meshmetrics.link_traffic(before, peer) for peer in ("origin-1", "relay-1")}
    figures["decoded_before"] = [len(viewer.video.frames) if viewer.video else 0 for viewer in viewers]

    killed_at = mesh.kill9("relay-1")
    deadline = killed_at + 8.0
    while time.monotonic() < deadline and not all(
            first_fresh_frame(publisher.source.sent, viewer.video, killed_at) for viewer in viewers):
        await asyncio.sleep(0.1)
    await asyncio.sleep(3.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)

    after = mesh["edge-b"].metrics()
    figures["edge_b_after"] = {peer: meshmetrics.link_traffic(after, peer) for peer in ("origin-1", "relay-1")}
    for index, viewer in enumerate(viewers):
        fresh = first_fresh_frame(publisher.source.sent, viewer.video, killed_at)
        got: dict = {"state": viewer.pc.connectionState, "posts": 1}
        if fresh:
            number, at = fresh
            got["recovery_s"] = round(at - killed_at, 3)
            got["first_fresh_frame"] = number
            got["after_recovery"] = delivery(publisher.source.sent, last_sent, FramesFrom(viewer.video, at), at)
        figures[f"b{index + 1}"] = got
    for viewer in viewers + [seed]:
        await viewer.close()
    await publisher.close()
    return figures


def test_viewers_come_back_within_two_seconds_of_losing_their_relay(start_mesh):
    mesh = start_mesh(links=RELAY_FIRST_LINKS, order=("relay-1", "origin-1", "edge-a", "edge-b"))
    figures = asyncio.run(fail_over(mesh))
    results.write("mesh_failover", figures)
    print(f"\nplanner for edge-b with relay-1 carrying: {' -> '.join(figures['plan']['path'])}\n{figures['plan']['text']}")
    print(f"edge-b link traffic per upstream, before the kill: {figures['edge_b_before']}, after: {figures['edge_b_after']}")
    for name in ("b1", "b2"):
        print(f"viewer {name}: recovery {figures[name].get('recovery_s')} s after kill -9 relay-1; {figures[name]}")

    before = figures["edge_b_before"]
    assert before["relay-1"] > 0 and before["origin-1"] < before["relay-1"] / 10, (
        f"edge-b was not fed through relay-1 before the kill ({before}); the planner says "
        f"{' -> '.join(figures['plan']['path'])}. The failover test needs the relay path.")
    assert all(count > 0 for count in figures["decoded_before"]), f"viewers decoded nothing before the kill: {figures['decoded_before']}"
    for name in ("b1", "b2"):
        got = figures[name]
        assert "recovery_s" in got, f"viewer {name} decoded no frame made after the kill within 8 s"
        assert got["recovery_s"] <= MAX_RECOVERY_S, f"viewer {name} came back {got['recovery_s']} s after the kill"
        assert got["state"] == "connected", f"viewer {name}'s peer connection is {got['state']}"
        after = got["after_recovery"]
        assert after["ratio"] >= 0.95, f"viewer {name} after recovery got {after['received']}/{after['expected']} frames"
        assert after["in_order"], f"viewer {name} saw frame numbers go backwards after the failover"
    assert figures["edge_b_after"]["origin-1"] > before["origin-1"], (
        f"edge-b counts no new link traffic from origin-1 after the kill: {figures['edge_b_after']}")
