"""Issue 4, Redis away: the data plane keeps forwarding, only new placements wait.

Viewers watch on edge-a and edge-b; redis-server is stopped (SIGKILL) for 10 s. During the
outage no viewer may stall (no gap over 1 s between decoded frames) and a WHEP POST that
needs a placement must answer 503 with Retry-After. Redis comes back on the same port, empty
(it saves nothing): within 10 s a new viewer must be placed (307) and decode.
"""

import asyncio
import time

import results
from clients import publish
from media import delivery
from meshclients import largest_gap, post_whep, throwaway_offer, view_placed
from meshmesh import DIRECT_LINKS, REGION_A_CLIENT, REGION_B_CLIENT

STREAM = "no-redis"
OUTAGE_S = 10.0
MAX_GAP_S = 1.0
RETURN_WITHIN_S = 10.0


async def outage(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    viewers = {
        "a1": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(31), expect_edge="edge-a"),
        "b1": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(32), expect_edge="edge-b"),
    }
    await asyncio.sleep(3.0)
    figures: dict = {"probes": []}

    mesh.redis.stop(crash=True)
    stopped_at = time.monotonic()
    await asyncio.sleep(2.0)  # let the nodes notice
    offer = await throwaway_offer()
    for entry, client in ((origin, REGION_B_CLIENT.format(33)), (mesh["edge-b"], REGION_A_CLIENT.format(34))):
        status, headers, body = await post_whep(entry, STREAM, token, offer, forwarded_for=client)
        figures["probes"].append({"entry": entry.node_id, "client": client, "status": status,
                                  "retry_after": headers.get("retry-after"), "body": body[:200].decode(errors="replace")})
    await asyncio.sleep(max(0.0, stopped_at + OUTAGE_S - time.monotonic()))
    mesh.redis.start()
    restarted_at = time.monotonic()

    late = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(35),
                             expect_edge="edge-b", retry_503_s=RETURN_WITHIN_S)
    figures["placed_after_s"] = round(time.monotonic() - restarted_at, 3)
    figures["late_503s"] = late.unavailable
    viewers["late"] = late
    await asyncio.sleep(4.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)
    for name, viewer in viewers.items():
        got = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
        got["edge"] = viewer.node.node_id
        if name != "late":
            got["largest_gap_during_outage_s"] = round(largest_gap(viewer.video, stopped_at, restarted_at), 3)
        figures[name] = got
    for viewer in viewers.values():
        await viewer.close()
    await publisher.close()
    return figures


def test_viewers_keep_watching_and_placement_waits_while_redis_is_away(start_mesh):
    mesh = start_mesh(links=DIRECT_LINKS)
    figures = asyncio.run(outage(mesh))
    results.write("mesh_redis_outage", figures)
    for probe in figures["probes"]:
        print(f"\nduring the outage: POST at {probe['entry']} as {probe['client']} -> {probe['status']}, "
              f"Retry-After {probe['retry_after']}")
    print(f"after Redis returned: placed in {figures['placed_after_s']} s (503s first: {figures['late_503s']})")
    for name in ("a1", "b1", "late"):
        print(f"viewer {name}: {figures[name]}")

    for probe in figures["probes"]:
        assert probe["status"] == 503, f"POST at {probe['entry']} during the outage answered {probe['status']}: {probe['body']}"
        assert probe["retry_after"] and probe["retry_after"].strip().isdigit(), f"503 without a Retry-After in seconds: {probe}"
    for name in ("a1", "b1"):
        got = figures[name]
        assert got["largest_gap_during_outage_s"] <= MAX_GAP_S, (
            f"viewer {name} went {got['largest_gap_during_outage_s']} s without a frame while Redis was away")
        assert got["ratio"] >= 0.95, f"viewer {name} got {got['received']}/{got['expected']} frames"
        assert got["in_order"], f"viewer {name} saw frame numbers go backwards"
    late = figures["late"]
    assert late["decoded"] > 0 and late["ratio"] >= 0.95 and late["in_order"], f"the viewer placed after the outage: {late}"
