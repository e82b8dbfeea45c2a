"""Issue 4, loss on a relay link: relay-1 drops 5 % of the RTP it first sends on its links
(MESHCAST_TEST_DROP_LINK=0.05; resends on NACK are not dropped). The edges NACK upstream and
the relay's retransmission buffer repairs, so viewers decode >= 99 % of the frames, and the
link retransmission counters must be above zero.

The mesh lets edge-a be fed only through relay-1 (RELAY_FIRST_LINKS), so the loss sits on the
path of its viewers whatever the planner prefers; edge-b may be fed either way.
"""

import asyncio

import meshmetrics
import results
from clients import publish
from media import delivery
from meshclients import view_placed
from meshmesh import RELAY_FIRST_LINKS, REGION_A_CLIENT, REGION_B_CLIENT

MESH_OPTIONS = {"links": RELAY_FIRST_LINKS, "node_env": {"relay-1": {"MESHCAST_TEST_DROP_LINK": "0.05"}}}
STREAM = "lossy-link"


async def lossy_cascade(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    viewers = {
        "a1": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(11), expect_edge="edge-a"),
        "a2": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(12), expect_edge="edge-a"),
        "b1": await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_B_CLIENT.format(13), expect_edge="edge-b"),
    }
    await asyncio.sleep(10.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(2.0)  # frames in flight and late retransmissions
    figures: dict = {}
    for name, viewer in viewers.items():
        figures[name] = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
        figures[name]["edge"] = viewer.node.node_id
    texts = {node_id: mesh[node_id].metrics() for node_id in mesh.nodes}
    figures["retransmissions"] = {node_id: meshmetrics.retransmissions(text) for node_id, text in texts.items()}
    figures["relay_to_edge_a_traffic"] = meshmetrics.link_traffic(texts["relay-1"], "edge-a")
    figures["relay_link_lines"] = {node_id: meshmetrics.link_lines(text) for node_id, text in texts.items()}
    for viewer in viewers.values():
        await viewer.close()
    await publisher.close()
    return figures


def test_five_percent_link_loss_is_repaired_by_the_relay(module_mesh):
    figures = asyncio.run(lossy_cascade(module_mesh))
    results.write("mesh_link_loss", figures)
    for name in ("a1", "a2", "b1"):
        got = figures[name]
        print(f"\nviewer {name} on {got['edge']}: join {got['join_ms']} ms, {got.get('received')}/{got['expected']} frames")
    print(f"link retransmissions per node: {figures['retransmissions']}")
    for node_id, lines in figures["relay_link_lines"].items():
        print(f"{node_id} /metrics relay links:\n  " + "\n  ".join(lines or ["(none)"]))

    assert figures["relay_to_edge_a_traffic"] > 0, "relay-1 counts no link traffic to edge-a: the lossy hop was not used"
    for name in ("a1", "a2", "b1"):
        got = figures[name]
        assert got["decoded"] > 0, f"viewer {name} decoded nothing"
        assert got["ratio"] >= 0.99, f"viewer {name} on {got['edge']} got {got['received']}/{got['expected']} frames"
        assert got["in_order"], f"viewer {name} saw frame numbers go backwards"
        assert got["unreadable"] <= 0.01 * got["decoded"], f"viewer {name}: {got['unreadable']} corrupt pictures"
    assert sum(figures["retransmissions"].values()) > 0, (
        "no meshcast_relay_link_* retransmission counter rose: is MESHCAST_TEST_DROP_LINK honoured, "
        f"and are link NACKs answered? {figures['retransmissions']}")
