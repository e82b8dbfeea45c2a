"""Issue 4, the cascade: an aiortc publisher on origin-1; viewers enter the mesh anywhere and
are sent by a 307 to the edge of their region.

- two viewers of region a (X-Forwarded-For 127.0.0.x) POST at edge-b, the wrong edge, and
  must be sent to edge-a;
- one viewer of region b (X-Forwarded-For 127.200.0.7) POSTs at origin-1 and must be sent
  to edge-b.

Each must decode >= 95 % of the frames sent from its first picture on, in order. Each edge
must be fed over the path the planner gives (`meshcast route` on the same topology, with
the carriers of the moment): the edge's relay-link counters must show traffic from the
planned upstream. Join times and the placement p50/p99 are printed and kept in
.build/interop-results/mesh_cascade.json. The nodes trace hops, so the teardown prints the
per-hop latency too.
"""

import asyncio

import meshmetrics
import results
from clients import publish
from media import delivery
from meshclients import view_placed
from meshmesh import DIRECT_LINKS, REGION_A_CLIENT, REGION_B_CLIENT

MESH_OPTIONS = {"links": DIRECT_LINKS}
STREAM = "cascade"
MAX_JOIN_S = 5.0


def upstream_evidence(mesh, edge: str) -> dict[str, float]:
    """Link packets/bytes the edge counts per possible upstream."""
    text = mesh[edge].metrics()
    return {peer: meshmetrics.link_traffic(text, peer) for peer in ("origin-1", "relay-1")}


async def cascade(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    figures: dict = {"plans": {}}
    # What the planner says before any edge carries the stream, then with edge-a carrying it.
    figures["plans"]["edge-a"] = mesh.route(STREAM, forwarded_for=REGION_A_CLIENT.format(5), carriers=[])
    viewers = {}
    for name, client in (("a1", REGION_A_CLIENT.format(5)), ("a2", REGION_A_CLIENT.format(6))):
        viewers[name] = await view_placed(mesh, mesh["edge-b"], STREAM, token, forwarded_for=client,
                                          expect_edge="edge-a")
    planned_a = figures["plans"]["edge-a"]["path"]
    figures["plans"]["edge-b"] = mesh.route(STREAM, forwarded_for=REGION_B_CLIENT.format(7),
                                            carriers=[hop for hop in planned_a if hop != "origin-1"])
    viewers["b1"] = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(7),
                                      expect_edge="edge-b")
    await asyncio.sleep(8.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)
    for name, viewer in viewers.items():
        got = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
        got.update(entry=viewer.entry.node_id, edge=viewer.node.node_id, redirect=viewer.redirect,
                   state=viewer.pc.connectionState, audio_frames=viewer.audio.frames if viewer.audio else 0)
        figures[name] = got
    figures["upstream"] = {edge: upstream_evidence(mesh, edge) for edge in ("edge-a", "edge-b")}
    figures["relay_link_lines"] = {node_id: meshmetrics.link_lines(mesh[node_id].metrics()) for node_id in mesh.nodes}
    figures["segmented"] = {node_id: meshmetrics.total(mesh[node_id].metrics(), r"^meshcast_link_datagrams_segmented_total$")
                            for node_id in mesh.nodes}
    figures["placement_seconds"] = {node_id: meshmetrics.placement_quantiles(mesh[node_id].metrics())
                                    for node_id in mesh.nodes}
    status, _, body = mesh["edge-a"].request("GET", f"/v1/streams/{STREAM}")
    figures["edge_a_stream"] = body.decode(errors="replace") if status == 200 else status
    for name, viewer in viewers.items():
        figures[name]["delete_status"] = await viewer.close()
    await publisher.close()
    return figures


def test_viewers_are_placed_on_their_region_edge_and_fed_over_the_planned_path(module_mesh):
    mesh = module_mesh
    figures = asyncio.run(cascade(mesh))
    results.write("mesh_cascade", {key: value for key, value in figures.items() if key != "relay_link_lines"})
    for edge, plan in figures["plans"].items():
        print(f"\nplanner for {edge}: path {' -> '.join(plan['path']) or '?'}\n{plan['text']}")
    for name in ("a1", "a2", "b1"):
        got = figures[name]
        print(f"viewer {name}: POST at {got['entry']} -> {got['edge']}, join {got['join_ms']} ms, "
              f"{got.get('received')}/{got['expected']} frames")
    print(f"link traffic seen by each edge, per upstream: {figures['upstream']}")
    print(f"placement decision seconds (p50/p99) per node: {figures['placement_seconds']}")
    for node_id, lines in figures["relay_link_lines"].items():
        print(f"{node_id} /metrics relay links:\n  " + "\n  ".join(lines or ["(none)"]))

    for name in ("a1", "a2", "b1"):
        got = figures[name]
        assert got["decoded"] > 0, f"viewer {name} (on {got['edge']}) decoded nothing"
        assert got["join_ms"] <= MAX_JOIN_S * 1000, f"viewer {name} joined in {got['join_ms']} ms"
        assert got["ratio"] >= 0.95, f"viewer {name} got {got['received']}/{got['expected']} frames"
        assert got["in_order"], f"viewer {name} saw frame numbers go backwards"
        assert got["unreadable"] <= 0.01 * got["decoded"], f"viewer {name}: {got['unreadable']} corrupt pictures"
        assert got["audio_frames"] > 0, f"viewer {name} decoded no Opus audio"
        assert got["delete_status"] in (200, 204), f"DELETE of viewer {name} on {got['edge']} answered {got['delete_status']}"
    for edge, plan in figures["plans"].items():
        assert len(plan["path"]) >= 2 and plan["path"][-1] == edge, f"the planner gave no path to {edge}:\n{plan['text']}"
        feeder = plan["path"][-2]
        other = "origin-1" if feeder == "relay-1" else "relay-1"
        traffic = figures["upstream"][edge]
        assert traffic[feeder] > 0, (f"{edge} counts no relay-link traffic from {feeder}, the planner's upstream "
                                     f"({' -> '.join(plan['path'])}); per upstream: {traffic}")
        # Keepalives on an idle link may count; media is a hundred packets a second.
        assert traffic[other] < traffic[feeder] / 10, f"{edge} was fed by {other} too, off the planned path: {traffic}"
        # A video frame's packets leave a sending link end together as one GSO run (udp(7)
        # UDP_SEGMENT) only when they reached the node in one receive batch. aiortc sends a
        # frame's packets one await apart, so that is timing: 0 to 112 datagrams of ~1000 here,
        # 0 in some runs of both the libuv receive path (51d0009) and the own-recvmmsg one
        # (2026-12-06, two runs each). Reported, not asserted; the run itself is checked by the
        # unit test "a frame's packets cross the link as one GSO run, in order" (MeshRTCTests).
        print(f"{feeder}: relay-link datagrams sent in GSO runs: {figures['segmented'][feeder]}")
    for node_id in ("edge-b", "origin-1"):
        assert set(figures["placement_seconds"][node_id]) >= {"0.5", "0.99"}, (
            f"{node_id} placed viewers but has no meshcast_placement_decision_seconds quantiles")
