"""Issue 15 item 6, SIGTERM drains a node: readiness fails at once, placement sends no one new,
the viewers already there keep watching until the drain deadline, then the node exits; a second
SIGTERM exits at once.

A viewer watches on edge-a (fed over a link from origin-1). edge-a gets SIGTERM: its
/health/ready must answer 503 within 1 s (/health/live stays 200: draining is not dead);
WHEP POSTs from region a, at origin-1 and at edge-a itself, are placed on edge-b from then on
(the heartbeat carries `stopping` within 250 ms; allowed: 1 s); the viewer on edge-a keeps
decoding frames with no gap over 1 s; edge-a exits 0 at the topology's deadline
(`policies.drain_deadline_seconds`, 5 s here), not before. edge-a is started again, a viewer
joins it, and two SIGTERMs 0.5 s apart stop it within 2 s of the second, long before its
deadline. Figures in .build/interop-results/mesh_drain.json.
"""

import asyncio
import signal
import time
import urllib.parse

import results
from clients import publish
from meshclients import largest_gap, placement_grant, post_whep, readable, throwaway_offer, view_placed
from meshmesh import DIRECT_LINKS, REGION_A_CLIENT

STREAM = "drain"
DEADLINE_S = 5
MAX_NOT_READY_S = 1.0
MAX_STILL_PLACED_S = 1.0
MAX_FRAME_GAP_S = 1.0
MAX_STOP_AFTER_SECOND_SIGTERM_S = 2.0


def placed_node(status: int, headers: dict[str, str]) -> str | None:
    """The node a 307 sends the viewer to (the node its Location's grant names), else None."""
    if status != 307 or "location" not in headers:
        return None
    return placement_grant(urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query))["node"]


async def status_of(node, path: str) -> int:
    status, _, _ = await asyncio.to_thread(node.request, "GET", path)
    return status


async def wait_exit(node, limit_s: float) -> float | None:
    """Seconds until the node's process exits (polled while the event loop keeps decoding), or
    None if it is still running after `limit_s`."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if node.process.poll() is not None:
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    return None


async def drain(mesh) -> dict:
    origin, edge = mesh["origin-1"], mesh["edge-a"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    token = origin.token(STREAM, "view")
    viewer = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(51),
                               expect_edge="edge-a")
    await viewer.connected()
    await asyncio.sleep(2.0)
    assert readable(viewer.video), "the viewer on edge-a decoded nothing before the SIGTERM"
    offer = await throwaway_offer()
    figures: dict = {}

    edge.stopped_by_us = True
    sent_at = time.monotonic()
    edge.process.send_signal(signal.SIGTERM)
    not_ready_at = None
    while time.monotonic() - sent_at < 3.0:
        if await status_of(edge, "/health/ready") == 503:
            not_ready_at = time.monotonic() - sent_at
            break
        await asyncio.sleep(0.02)
    figures["not_ready_after_s"] = not_ready_at
    figures["live_while_draining"] = await status_of(edge, "/health/live")
    figures["ready_alias_while_draining"] = await status_of(edge, "/ready")
    figures["registry"] = {
        "draining": mesh.redis.command("HGET", "node:{edge-a}", "draining"),
        "stopping": mesh.redis.command("HGET", "node:{edge-a}", "stopping"),
        "drain_mark": mesh.redis.command("EXISTS", "node:{edge-a}:drain"),
    }

    # New viewers from region a: placed by origin-1 and by edge-a itself, for 2.5 s.
    answers = []
    while time.monotonic() - sent_at < 2.5:
        for entry in (origin, edge):
            status, headers, _ = await post_whep(entry, STREAM, token, offer,
                                                 forwarded_for=REGION_A_CLIENT.format(52))
            answers.append((round(time.monotonic() - sent_at, 3), entry.node_id, status,
                            placed_node(status, headers)))
        await asyncio.sleep(0.1)
    figures["placements"] = answers
    figures["served_by_edge_a_itself"] = [answer for answer in answers if answer[1] == "edge-a" and answer[2] == 201]
    figures["edge_a_chosen_until_s"] = max((at for at, _, _, node in answers if node == "edge-a"), default=0.0)

    exited_after = await wait_exit(edge, DEADLINE_S + 5.0)
    figures["exited_after_s"] = None if exited_after is None else round(time.monotonic() - sent_at, 3)
    figures["exit_status"] = edge.process.returncode
    ended_at = sent_at + (figures["exited_after_s"] or DEADLINE_S)
    figures["largest_frame_gap_while_draining_s"] = round(largest_gap(viewer.video, sent_at, ended_at - 0.3), 3)
    figures["frames_while_draining"] = sum(1 for _, at in readable(viewer.video) if sent_at < at < ended_at)
    viewer.location = None  # edge-a has exited: nothing to DELETE
    await viewer.close()

    # Started again: a viewer joins it, then two SIGTERMs stop it at once.
    edge.restart()
    await asyncio.sleep(1.0)
    second = await view_placed(mesh, origin, STREAM, token, forwarded_for=REGION_A_CLIENT.format(53),
                               expect_edge="edge-a")
    await second.connected()
    await asyncio.sleep(1.0)
    edge.stopped_by_us = True
    edge.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.5)
    figures["running_between_signals"] = edge.process.poll() is None
    edge.process.send_signal(signal.SIGTERM)
    stopped = await wait_exit(edge, DEADLINE_S + 5.0)
    figures["second_sigterm_stopped_after_s"] = None if stopped is None else round(stopped, 3)
    figures["second_exit_status"] = edge.process.returncode
    second.location = None
    await second.close()
    await publisher.close()
    return figures


def test_sigterm_drains_then_exits_at_the_deadline(start_mesh):
    mesh = start_mesh(links=DIRECT_LINKS, policies={"drain_deadline_seconds": DEADLINE_S})
    figures = asyncio.run(drain(mesh))
    results.write("mesh_drain", figures)
    print(f"\nSIGTERM to edge-a: /health/ready 503 after {figures['not_ready_after_s']} s; "
          f"placed on edge-a until {figures['edge_a_chosen_until_s']} s; "
          f"exited {figures['exit_status']} after {figures['exited_after_s']} s (deadline {DEADLINE_S} s); "
          f"viewer: {figures['frames_while_draining']} frames, largest gap "
          f"{figures['largest_frame_gap_while_draining_s']} s")
    print(f"two SIGTERMs: stopped {figures['second_sigterm_stopped_after_s']} s after the second")
    assert figures["not_ready_after_s"] is not None and figures["not_ready_after_s"] <= MAX_NOT_READY_S, figures
    assert figures["live_while_draining"] == 200, figures
    assert figures["ready_alias_while_draining"] == 503, figures
    # Draining comes from the node's own status, not the operator's mark (which would outlive it).
    assert figures["registry"] == {"draining": "1", "stopping": "1", "drain_mark": 0}, figures["registry"]
    assert figures["edge_a_chosen_until_s"] <= MAX_STILL_PLACED_S, figures["placements"]
    # A draining node places a viewer that reaches it elsewhere, from the first request on.
    assert figures["served_by_edge_a_itself"] == [], figures["placements"]
    late = [answer for answer in figures["placements"] if answer[0] > MAX_STILL_PLACED_S]
    assert late and all(node == "edge-b" for _, _, _, node in late), late
    assert figures["exit_status"] == 0, figures
    assert figures["exited_after_s"] is not None and DEADLINE_S - 0.5 <= figures["exited_after_s"] <= DEADLINE_S + 3, (
        figures)
    assert figures["largest_frame_gap_while_draining_s"] <= MAX_FRAME_GAP_S, figures
    assert figures["running_between_signals"], "one SIGTERM with a viewer on it must not stop edge-a at once"
    assert figures["second_sigterm_stopped_after_s"] is not None, figures
    assert figures["second_sigterm_stopped_after_s"] <= MAX_STOP_AFTER_SECOND_SIGTERM_S, figures
    assert figures["second_exit_status"] == 0, figures
