"""Issue 3, WHIP ingest and WHEP fan-out: an aiortc publisher, two aiortc viewers (one late).

Each viewer reads the frame number out of every decoded picture (framecode.py) and must get
>= 95 % of the frames sent from its first picture on, strictly in order, with valid
checksums; Opus audio must flow too. Join time (WHEP POST to first decoded frame) is printed
and written to .build/interop-results/fanout.json.
"""

import asyncio

import results
from clients import publish, view
from media import delivery

MAX_JOIN_S = 5.0  # a viewer waits for a keyframe; longer than this means PLI on join is broken


async def fan_out(node) -> dict:
    publisher = await publish(node, "fanout", node.token("fanout", "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    view_token = node.token("fanout", "view")
    early = await view(node, "fanout", view_token)
    await asyncio.sleep(3.0)
    late = await view(node, "fanout", view_token)
    await asyncio.sleep(7.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)  # frames in flight
    status, _, description = await asyncio.to_thread(node.request, "GET", "/v1/streams/fanout")
    figures = {"stream_description": description.decode(errors="replace") if status == 200 else status}
    for name, viewer in (("early", early), ("late", late)):
        figures[name] = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
        figures[name]["audio_frames"] = viewer.audio.frames if viewer.audio else 0
        figures[name]["delete_status"] = await viewer.close()
    figures["publisher_delete_status"] = await publisher.close()
    return figures


def test_two_viewers_get_numbered_frames_in_order(start_node):
    node = start_node()
    figures = asyncio.run(fan_out(node))
    for name in ("early", "late"):
        print(f"\n{name} viewer: join {figures[name]['join_ms']} ms, {figures[name]}")
    results.write("fanout", figures)
    for name in ("early", "late"):
        got = figures[name]
        assert got["decoded"] > 0, f"{name} viewer decoded nothing"
        assert got["join_ms"] <= MAX_JOIN_S * 1000, f"{name} viewer joined in {got['join_ms']} ms"
        assert got["ratio"] >= 0.95, f"{name} viewer got {got['received']}/{got['expected']} frames"
        assert got["in_order"], f"{name} viewer saw frame numbers go backwards"
        assert got["unreadable"] <= 0.01 * got["decoded"], f"{name} viewer: {got['unreadable']} corrupt pictures"
        assert got["audio_frames"] > 0, f"{name} viewer decoded no Opus audio"
        assert got["delete_status"] in (200, 204), f"DELETE answered {got['delete_status']}"
    assert node.request("GET", "/ready")[0] == 200


async def viewer_first(node) -> dict:
    publish_token = node.token("early-bird", "publish")
    status, _, body = await asyncio.to_thread(
        node.request, "PUT", "/v1/streams/early-bird", b"", {"Authorization": f"Bearer {publish_token}"})
    assert status in (200, 201, 204), f"PUT /v1/streams answered {status}: {body[:200]!r}"
    viewer = await view(node, "early-bird", node.token("early-bird", "view"))
    await asyncio.sleep(1.0)
    publisher = await publish(node, "early-bird", publish_token)
    await asyncio.sleep(5.0)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.5)
    figures = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
    await viewer.close()
    await publisher.close()
    return figures


def test_viewer_may_join_a_declared_stream_before_its_publisher(start_node):
    """Issue 3: `PUT /v1/streams/{stream}` declares a stream so a viewer may POST first."""
    node = start_node()
    figures = asyncio.run(viewer_first(node))
    print(f"\nviewer before publisher: {figures}")
    results.write("viewer_first", figures)
    assert figures["decoded"] > 0 and figures["ratio"] >= 0.95 and figures["in_order"], figures
