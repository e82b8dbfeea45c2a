"""Issue 11, simulcast layers in any order and a fast climb, seen from headless Chromium.

WHIP (RFC 9725) and RFC 8853 do not say which rid is the largest; the node ranks layers by the
size of their key frames. The node's publisher page sends Chromium's fake 1280x720 camera with
three layers (q 1/4, h 1/2, f full size), listed low first and, with `order=high-first`, full
size first as Janus's demos do. For each order:

- `/v1/streams` ranks f above h above q and reports each layer's size and frame rate;
- an uncapped player reaches 1280x720 within 3 s of its first decoded frame, joining once the
  top layer runs over 700 kbit/s: above the 600 kbit/s start estimate with the selector's
  headroom, so the viewer starts on a lower layer and must climb;
- a player capped between h's and f's bitrate (WHEP `maxBitrate`) gets 640x360.
"""

import asyncio
import json
import os
import time

import results
from browser import chromium, stats, wait_for_state

TOP_WITHIN_S = 3.0
# Seconds watched after the top is reached (MESHCAST_STEADY_S=60 for the steady run).
STEADY_S = float(os.environ.get("MESHCAST_STEADY_S", "10"))


async def wait_for_layers(node, stream: str, timeout_s: float = 40.0) -> list[dict]:
    """The video layers once all three carry a picture size and Chromium has ramped them up
    (its encoder starts every layer low and raises them as its bandwidth estimate grows) until
    the top layer no longer fits the node's start estimate."""
    deadline = time.monotonic() + timeout_s
    layers: list[dict] = []
    while time.monotonic() < deadline:
        status, _, body = node.request("GET", f"/v1/streams/{stream}")
        if status == 200:
            video = [t for t in json.loads(body)["tracks"] if t["kind"] == "video"]
            layers = video[0]["layers"] if video else []
            by_rid = {layer["rid"]: layer for layer in layers}
            if (len(layers) == 3 and all(layer.get("width") for layer in layers)
                    and by_rid["f"]["bitrate"] > 2 * by_rid["h"]["bitrate"] > 4 * by_rid["q"]["bitrate"] > 0
                    and by_rid["f"]["bitrate"] > 700_000):
                return layers
        await asyncio.sleep(0.5)
    raise AssertionError(f"the node never measured three layers of {stream}: {layers}")


async def watch_until_top(browser, url: str, timeout_s: float = 10.0, steady_s: float = STEADY_S) -> dict:
    """Opens a player and samples it every 100 ms until it decodes 1280x720 (or times out),
    then for `steady_s` more, counting changes of picture width (layer switches)."""
    player = await browser.new_page()
    await player.goto(url)
    await wait_for_state(player, "connected")
    first = top = None
    start = time.monotonic()
    widths = []
    steady = []
    while time.monotonic() - start < (timeout_s if top is None else top + steady_s):
        sample = await stats(player)
        now = time.monotonic() - start
        if sample["framesDecoded"] > 0 and first is None:
            first = now
        if first is not None:
            widths.append(sample["frameWidth"])
        if sample["frameWidth"] == 1280 and first is not None and top is None:
            top = now
        elif top is not None:
            steady.append(sample["frameWidth"])
        await asyncio.sleep(0.1)
    end = await stats(player)
    await player.close()
    switches = sum(1 for a, b in zip(steady, steady[1:]) if a != b)
    return {"first_frame_s": first, "top_s": top, "to_top_s": None if top is None else top - first,
            "widths": sorted(set(widths)), "switches_after_top": switches, "steady_s": steady_s,
            "freezes": end["freezeCount"], "frozen_s": end["totalFreezesDuration"]}


async def capped_width(browser, url: str) -> dict:
    player = await browser.new_page()
    await player.goto(url)
    await wait_for_state(player, "connected")
    await asyncio.sleep(4.0)
    sample = await stats(player)
    await player.close()
    return {k: sample[k] for k in ("framesDecoded", "frameWidth", "frameHeight")}


async def one_order(node, order: str) -> dict:
    stream = f"order-{order}"
    publish_token, view_token = node.token(stream, "publish"), node.token(stream, "view")
    async with chromium() as browser:
        publisher = await browser.new_page()
        await publisher.goto(f"{node.base}/publish?stream={stream}&token={publish_token}&simulcast=1"
                             f"&width=1280&height=720&order={order}")
        await wait_for_state(publisher, "connected")
        layers = await wait_for_layers(node, stream)
        watch = f"{node.base}/watch?stream={stream}&token={view_token}"
        uncapped = await watch_until_top(browser, watch)
        # The rates as they are now: Chromium raises its layers for many seconds after it starts.
        by_rid = {layer["rid"]: layer for layer in await wait_for_layers(node, stream)}
        # Between what h needs (its rate and the selector's 15 % headroom) and what f needs.
        cap = int((by_rid["h"]["bitrate"] * 1.3 + by_rid["f"]["bitrate"] * 0.75) / 2)
        capped = await capped_width(browser, f"{watch}&maxBitrate={cap}")
        return {"order": order, "layers": layers, "uncapped": uncapped, "cap": cap, "capped": capped,
                "publisher": await stats(publisher)}


def test_simulcast_in_either_order_reaches_the_top_fast(start_node):
    node = start_node()
    figures = [asyncio.run(one_order(node, order)) for order in ("low-first", "high-first")]
    print(f"\nsimulcast order: {json.dumps(figures, indent=1)}")
    results.write("simulcast_order", {"runs": figures})
    for run in figures:
        by_rid = {layer["rid"]: layer for layer in run["layers"]}
        assert [by_rid[rid]["rank"] for rid in ("q", "h", "f")] == [0, 1, 2], run["layers"]
        assert (by_rid["f"]["width"], by_rid["f"]["height"]) == (1280, 720), run["layers"]
        assert by_rid["q"]["width"] == 320 and by_rid["h"]["width"] == 640, run["layers"]
        assert all(layer["framesPerSecond"] > 0 for layer in run["layers"]), run["layers"]
        uncapped = run["uncapped"]
        assert uncapped["to_top_s"] is not None, f"{run['order']}: the player never reached 1280x720: {uncapped}"
        assert uncapped["to_top_s"] <= TOP_WITHIN_S, f"{run['order']}: 1280x720 after {uncapped['to_top_s']:.1f} s"
        assert uncapped["switches_after_top"] <= max(1, STEADY_S // 10), f"{run['order']}: {uncapped}"
        assert run["capped"]["frameWidth"] == 640, f"{run['order']}: capped at {run['cap']} got {run['capped']}"
    assert node.request("GET", "/ready")[0] == 200
