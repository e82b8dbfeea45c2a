"""Issue 17, placement follows liveness: a killed edge is no longer chosen within 2 s.

A viewer watches on edge-a (fed over a link from origin-1). edge-a is killed with SIGKILL;
from then on WHEP POSTs at origin-1 from region a probe placement every 100 ms. The time from
the kill to the last 307 that still names edge-a must be <= 2 s; after that the probes go to
edge-b, and edge-a's pending reservations are gone from Redis. edge-a is started again and
must be chosen again within 1 s of its /ready. Then edge-b, which has no link at all (only its
registry entry says it lives), is killed the same way and measured from region b.

Expected, by design (docs/architecture.md "Liveness"): edge-a about 1 s (its link's silence),
edge-b 1.25-1.5 s (its registry entry's 1.5 s expiry). Figures in
.build/interop-results/mesh_dead_edge.json.
"""

import asyncio
import time
import urllib.parse

import meshmetrics
import results
from clients import publish
from meshclients import placement_grant, post_whep, throwaway_offer, view_placed
from meshmesh import DIRECT_LINKS, REGION_A_CLIENT, REGION_B_CLIENT

STREAM = "dead-edge"
MAX_CHOSEN_AFTER_KILL_S = 2.0
MAX_CHOSEN_AGAIN_AFTER_READY_S = 1.0
PROBE_EVERY_S = 0.1
PROBE_FOR_S = 3.5


def placed_node(status: int, headers: dict[str, str]) -> str | None:
    """The node a 307 sends the viewer to (the node its Location's grant names), else None."""
    if status != 307 or "location" not in headers:
        return None
    return placement_grant(urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query))["node"]


async def probe(entry, token: str, offer: bytes, client: str, since: float, until,
                window_s: float = PROBE_FOR_S) -> list[tuple[float, int, str | None]]:
    """WHEP POSTs at `entry` as `client` every PROBE_EVERY_S, none followed, until `until(answers)`
    or `window_s` after `since`. Each answer: (seconds after `since` when it came back, status,
    node placed on)."""
    answers: list[tuple[float, int, str | None]] = []
    while time.monotonic() < since + window_s and not until(answers):
        status, headers, _ = await post_whep(entry, STREAM, token, offer, forwarded_for=client)
        answers.append((round(time.monotonic() - since, 3), status, placed_node(status, headers)))
        await asyncio.sleep(PROBE_EVERY_S)
    return answers


def last_chosen(answers, node: str) -> float:
    """Seconds after the kill of the last answer that still sent a viewer to `node` (0: none)."""
    return max((at for at, _, placed in answers if placed == node), default=0.0)


async def kill_and_probe(mesh, victim: str, client: str, token: str, offer: bytes) -> dict:
    origin = mesh["origin-1"]
    status, headers, body = await post_whep(origin, STREAM, token, offer, forwarded_for=client)
    assert placed_node(status, headers) == victim, f"before the kill, {client} went to {status} {headers}: {body[:200]!r}"
    killed_at = mesh.kill9(victim)
    answers = await probe(origin, token, offer, client, killed_at, until=lambda _: False)
    return {"chosen_until_s": last_chosen(answers, victim), "answers": answers,
            "moved_to": sorted({placed for _, _, placed in answers if placed and placed != victim})}


async def dead_edges(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    offer = await throwaway_offer()
    seed = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(41), expect_edge="edge-a")
    await asyncio.sleep(2.0)
    figures: dict = {"origin_link_traffic_to_edge_a": meshmetrics.link_traffic(origin.metrics(), "edge-a")}

    # edge-a carries the stream over a link from origin-1: its silence gives it away.
    linked = await kill_and_probe(mesh, "edge-a", REGION_A_CLIENT.format(42), token, offer)
    linked["reservations_left"] = mesh.redis.command("EXISTS", "node:{edge-a}:reservations")
    figures["linked_edge_a"] = linked

    # edge-a comes back: chosen again as soon as it heartbeats.
    mesh["edge-a"].restart()
    ready_at = time.monotonic()
    again = await probe(origin, token, offer, REGION_A_CLIENT.format(43), ready_at,
                        until=lambda answers: bool(answers) and answers[-1][2] == "edge-a", window_s=5.0)
    figures["edge_a_back"] = {"answers": again,
                              "chosen_again_s": next((at for at, _, placed in again if placed == "edge-a"), None)}

    # edge-b has no link at all: only its registry entry expiring tells the mesh.
    figures["unlinked_edge_b"] = await kill_and_probe(mesh, "edge-b", REGION_B_CLIENT.format(44), token, offer)

    await seed.close()
    await publisher.close()
    return figures


def test_a_killed_edge_is_no_longer_chosen_within_two_seconds(start_mesh):
    mesh = start_mesh(links=DIRECT_LINKS)
    figures = asyncio.run(dead_edges(mesh))
    results.write("mesh_dead_edge", figures)
    linked, unlinked, back = figures["linked_edge_a"], figures["unlinked_edge_b"], figures["edge_a_back"]
    assert figures["origin_link_traffic_to_edge_a"] > 0, "edge-a was not fed over a link from origin-1 before the kill"
    print(f"\nkill -9 edge-a (linked to origin-1): still chosen until {linked['chosen_until_s']} s after the kill, "
          f"then {linked['moved_to']}; reservations key left: {linked['reservations_left']}")
    print(f"edge-a started again: chosen again {back['chosen_again_s']} s after /ready")
    print(f"kill -9 edge-b (no links): still chosen until {unlinked['chosen_until_s']} s after the kill, "
          f"then {unlinked['moved_to']}")
    for name, got, other in (("edge-a", linked, "edge-b"), ("edge-b", unlinked, "edge-a")):
        assert got["chosen_until_s"] <= MAX_CHOSEN_AFTER_KILL_S, (
            f"placement sent viewers to the dead {name} until {got['chosen_until_s']} s after the kill: {got['answers']}")
        assert got["moved_to"] == [other], f"after {name} died, placement answered {got['answers']}"
        assert got["answers"][-1][2] == other, f"placement did not settle on {other}: {got['answers']}"
    assert linked["reservations_left"] == 0, "the dead edge-a's pending reservations are still in Redis"
    assert back["chosen_again_s"] is not None and back["chosen_again_s"] <= MAX_CHOSEN_AGAIN_AFTER_READY_S, (
        f"edge-a, started again, was not chosen within {MAX_CHOSEN_AGAIN_AFTER_READY_S} s of /ready: {back['answers']}")
