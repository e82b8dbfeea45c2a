"""Issue 15, the mesh on Redis Sentinel: a failover costs viewers nothing and placement resumes.

The mesh runs against a Sentinel set on loopback (meshsentinel.py: master, two replicas, three
sentinels, the master called down after 1 s). A publisher on the origin and viewers on edge-a
and edge-b watch while the master is killed (SIGKILL), then while the new master is stopped
(SIGSTOP) for 5 s. Each time: no viewer goes more than 1 s without a frame, a new viewer is
placed (307) and decodes within 10 s, and every node is registered on the new master
afterwards (none was declared dead for good).
"""

import asyncio
import os
import signal
import time

import results
from clients import publish
from media import delivery
from meshclients import largest_gap, view_placed
from meshmesh import DIRECT_LINKS, REGION_A_CLIENT, REGION_B_CLIENT

STREAM = "sentinel"
MAX_GAP_S = 1.0
PLACED_WITHIN_S = 10.0
STOP_S = 5.0
NODES = ("origin-1", "relay-1", "edge-a", "edge-b")


async def failover(mesh, how: str, viewers: dict, origin, token: str, client: int) -> dict:
    """Fails the master over (`kill` or `stop`) and places a new viewer afterwards."""
    master = mesh.redis.master()
    before = master.port
    started = time.monotonic()
    if how == "kill":
        master.stop(crash=True)
    else:
        os.kill(master.process.pid, signal.SIGSTOP)
        await asyncio.sleep(STOP_S)
        os.kill(master.process.pid, signal.SIGCONT)
    late = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(client),
                             expect_edge="edge-b", retry_503_s=PLACED_WITHIN_S + 10)
    figures = {"master_before": before, "master_after": mesh.redis.master_port(),
               "placed_after_s": round(time.monotonic() - started, 3), "late_503s": late.unavailable}
    viewers[f"late-{how}"] = late
    await asyncio.sleep(3.0)
    figures["registered"] = {node: mesh.redis.command("EXISTS", f"node:{{{node}}}") == 1 for node in NODES}
    figures["window"] = (started, time.monotonic())
    return figures


async def run(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    viewers = {
        "a1": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(41), expect_edge="edge-a"),
        "b1": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(42), expect_edge="edge-b"),
    }
    await asyncio.sleep(3.0)
    figures = {"kill": await failover(mesh, "kill", viewers, origin, token, 43)}
    figures["stop"] = await failover(mesh, "stop", viewers, origin, token, 44)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)
    for name, viewer in viewers.items():
        got = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
        got["edge"] = viewer.node.node_id
        for how in ("kill", "stop"):
            start, end = figures[how]["window"]
            if viewer.posted_at < start:
                got[f"largest_gap_{how}_s"] = round(largest_gap(viewer.video, start, end), 3)
        figures[name] = got
    for how in ("kill", "stop"):
        figures[how].pop("window")
    for viewer in viewers.values():
        await viewer.close()
    await publisher.close()
    return figures


def test_viewers_keep_watching_and_placement_resumes_across_a_sentinel_failover(start_mesh):
    mesh = start_mesh(links=DIRECT_LINKS, sentinel=True)
    figures = asyncio.run(run(mesh))
    results.write("mesh_sentinel_failover", figures)
    for how in ("kill", "stop"):
        print(f"\n{how}: {figures[how]}")
    for name in ("a1", "b1", "late-kill", "late-stop"):
        print(f"viewer {name}: {figures[name]}")

    for how in ("kill", "stop"):
        got = figures[how]
        assert got["master_after"] != got["master_before"], f"{how}: the sentinels never failed over: {got}"
        assert got["placed_after_s"] <= PLACED_WITHIN_S + (STOP_S if how == "stop" else 0), (
            f"{how}: a new viewer was placed only {got['placed_after_s']} s after the failover began")
        assert all(got["registered"].values()), f"{how}: nodes missing from the new master: {got['registered']}"
    for name in ("a1", "b1"):
        got = figures[name]
        for how in ("kill", "stop"):
            assert got[f"largest_gap_{how}_s"] <= MAX_GAP_S, (
                f"viewer {name} went {got[f'largest_gap_{how}_s']} s without a frame during the {how} failover")
        assert got["ratio"] >= 0.95 and got["in_order"], f"viewer {name}: {got}"
    for name in ("late-kill", "late-stop"):
        got = figures[name]
        assert got["decoded"] > 0 and got["ratio"] >= 0.95, f"the viewer placed after the failover: {got}"
