"""Issue 11, a viewer behind a real bottleneck: headless Chromium in a network namespace whose
link from the node is shaped to 600 kbit/s with a 0.6 s queue (`tc netem rate`, or `tc tbf` on
kernels without sch_netem, as on this machine).

The node's publisher page sends Chromium's fake 1280x720 camera with three simulcast layers
(about 150, 380 and 800 kbit/s once ramped up). The viewer starts on the top layer (the
node's starting estimate); the queue it builds shows in the round trips of its report blocks
(RFC 3550 §6.4.1) and in its REMB (draft-alvestrand-rmcat-remb), and it must settle on the
middle layer. When the limit goes, only a probe can show that the top layer fits again (RTX
padding up to its rate, RFC 4588): the viewer must be back on it within 8 s. How soon depends on
where the lift falls in the back-off between failed probes (2 s): 1.4–5.9 s in six runs on
this machine, so 8 s catches a viewer that does not come back without failing on the back-off's
tail. The figures (width timeline, time to settle, freezes, time back to the top) are written
for the note.
"""

import asyncio
import json
import time

import pytest

import results
from browser import CHROMIUM, chromium, stats, wait_for_state
from netns import ShapedNamespace
from test_node_simulcast_order import wait_for_layers



async def sample(player, seconds: float, timeline: list, start: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s = await stats(player)
        timeline.append((round(time.monotonic() - start, 2), s["frameWidth"], s["framesDecoded"],
                         s["freezeCount"], round(s["totalFreezesDuration"], 3)))
        await asyncio.sleep(0.2)


def settled_at(timeline: list, width: int, after: float = 0.0) -> float | None:
    """When the width became `width` for good (to the end of the timeline)."""
    at = None
    for t, w, *_ in timeline:
        if t < after:
            continue
        if w == width and at is None:
            at = t
        elif w != width:
            at = None
    return at


async def session(node, space: ShapedNamespace, wrapper: str) -> dict:
    stream = "bottleneck"
    publish_token, view_token = node.token(stream, "publish"), node.token(stream, "view")
    async with chromium(secure_origin=node.base) as host_browser, chromium(wrapper) as viewer_browser:
        publisher = await host_browser.new_page()
        await publisher.goto(f"{node.base}/publish?stream={stream}&token={publish_token}&simulcast=1"
                             "&width=1280&height=720")
        await wait_for_state(publisher, "connected")
        layers = await wait_for_layers(node, stream)
        # Chromium raises its layers for ten seconds or so; the limit is chosen from what they
        # carry once the top one passes 650 kbit/s (or after 15 s, from what they carry then).
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and min(l["bitrate"] for l in layers if l["rid"] == "f") < 650_000:
            await asyncio.sleep(1)
            layers = await wait_for_layers(node, stream)
        by_rid = {layer["rid"]: layer for layer in layers}
        # 600 kbit/s as the issue asks, unless this run's top layer would fit in it (Chromium's
        # fake camera encodes cheaply on a loaded machine): then halfway between what the middle
        # layer needs (its rate, 15 % headroom, audio) and the top layer's rate.
        middle_needs = by_rid["h"]["bitrate"] * 1.15 + 64_000
        rate_kbit = 600 if by_rid["f"]["bitrate"] > 600_000 else int((middle_needs + by_rid["f"]["bitrate"]) / 2000)
        qdisc = space.limit(f"{rate_kbit}kbit", 600)
        player = await viewer_browser.new_page()
        await player.goto(f"{node.base}/watch?stream={stream}&token={view_token}")
        await wait_for_state(player, "connected", timeout_s=30)
        start = time.monotonic()
        limited: list = []
        await sample(player, 15.0, limited, start)
        space.unlimit()
        lifted_at = round(time.monotonic() - start, 2)
        free: list = []
        await sample(player, 15.0, free, start)
        return {"qdisc": qdisc, "rate_kbit": rate_kbit, "layers": layers, "limited": limited, "lifted_at": lifted_at, "free": free}


def test_viewer_behind_600kbit_settles_on_the_middle_layer_and_climbs_back_when_it_goes(start_node, tmp_path):
    reason = ShapedNamespace.why_not()
    if reason:
        pytest.skip(reason)
    with ShapedNamespace() as space:
        node = start_node(host=space.host)
        figures = asyncio.run(session(node, space, space.wrapper(tmp_path, CHROMIUM)))
    limited, free = figures["limited"], figures["free"]
    first = next((t for t, _, decoded, *_ in limited if decoded > 0), None)
    middle = settled_at(limited, 640)
    top = settled_at(free, 1280)
    widths = [w for _, w, *_ in limited + free]
    figures.update({
        "first_frame_s": first, "settled_on_middle_s": middle,
        "settle_after_first_frame_s": None if middle is None or first is None else round(middle - first, 2),
        "top_after_lift_s": None if top is None else round(top - figures["lifted_at"], 2),
        "switches": sum(1 for a, b in zip(widths, widths[1:]) if a != b and a and b),
        "frozen_s": (limited + free)[-1][4], "freezes": (limited + free)[-1][3],
    })
    print(f"\nbottleneck: {json.dumps({k: v for k, v in figures.items() if k not in ('limited', 'free')})}")
    print(f"widths: {[(t, w) for t, w, *_ in limited + free]}")
    results.write("bottleneck", figures)
    assert first is not None, "the viewer behind the bottleneck decoded nothing"
    assert limited[-1][1] == 640, f"not on the middle layer after 15 s behind {figures['rate_kbit']} kbit/s"
    assert top is not None and figures["top_after_lift_s"] <= 8, "not back on the top layer within 8 s of the lift"
    decoded = [d for _, _, d, *_ in limited + free]
    assert decoded[-1] > decoded[len(decoded) // 2], "the viewer stopped decoding"
