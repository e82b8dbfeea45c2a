"""Issue 11 item 4, H.264 and VP9 end to end on one node, from headless Chromium.

The node's publisher page forces the codec with RTCRtpTransceiver.setCodecPreferences
(`codec=`): H.264 constrained baseline `42e01f` with packetization-mode=1 (RFC 6184 §8.1), and
VP9 profile 0 (RFC 9628 §6), without simulcast and as three simulcast streams. Chromium player
pages (and, for H.264, an aiortc viewer: a second decoder nobody here wrote) must decode it
with no long freeze (W3C webrtc-stats framesDecoded, freezeCount, totalFreezesDuration),
through a simulcast layer switch (a viewer capped by WHEP `maxBitrate` for 4 s, as
test_node_browser.py does with VP8, climbs once the cap lapses; viewers restarted by a
reconnect climb too: a change of picture size while frames keep coming), and through a
publisher reconnect (the page stops, WHIP DELETE per RFC 9725 §4.2, and publishes to the same
stream again): the same viewer sessions decode the new publisher's frames within 3 s.
"""

import asyncio
import json
import time

import results
from browser import chromium, stats, wait_for_state
from browserwatch import INBOUND_CODEC, republish, summary, watch
from clients import view

STEADY_FREEZE_S = 1.5  # frozen time allowed per phase, as test_node_browser.py allows (webrtc-stats freeze rule)
RESUME_S = 3.0  # a viewer decodes the reconnected publisher's frames within this of its connecting
MIN_FPS = 5.0  # Chromium's fake camera sends 20–30 frame/s; two shared cores encode and decode


def stream_codec(node, stream: str) -> dict:
    """The video track of `stream` as the node's /v1/streams reports it."""
    status, _, body = node.request("GET", f"/v1/streams/{stream}")
    assert status == 200, (status, body)
    return next(track for track in json.loads(body)["tracks"] if track["kind"] == "video")


def check_decoding(name: str, phase: dict) -> None:
    assert phase["frames"] > 0, f"{name} decoded nothing: {phase}"
    assert phase["fps"] >= MIN_FPS, f"{name} decoded {phase['fps']} frame/s: {phase}"
    assert phase["frozen_s"] < STEADY_FREEZE_S, f"{name} froze for {phase['frozen_s']} s: {phase}"


def check_layer_switch(figures: dict) -> None:
    """Some player decoded across a simulcast layer switch: the capped one climbing once its cap
    lapsed, or any after the reconnect (a viewer restarts on a low layer and climbs). How soon a
    viewer climbs is the layer selector's business; that it decodes on is this test's."""
    switches = sum(phase["switches"] for key in ("steady", "after") for phase in figures[key].values())
    assert switches >= 1, f"no player changed layer during the run: {figures['steady']} {figures['after']}"


def check_reconnect(figures: dict) -> None:
    for name, resumed in figures["reconnect"]["resumed_s"].items():
        assert resumed is not None and resumed <= RESUME_S, (
            f"{name} decoded no frame of the reconnected publisher within {RESUME_S} s: {figures['reconnect']}")


async def single_layer_session(node, stream: str, codec: str, aiortc: bool) -> dict:
    """One publisher without simulcast, a Chromium player (and an aiortc viewer), a reconnect."""
    publish_token, view_token = node.token(stream, "publish"), node.token(stream, "view")
    async with chromium() as browser:
        publisher = await browser.new_page()
        await publisher.goto(f"{node.base}/publish?stream={stream}&token={publish_token}&codec={codec}"
                             "&width=640&height=360")
        await wait_for_state(publisher, "connected")
        player = await browser.new_page()
        await player.goto(f"{node.base}/watch?stream={stream}&token={view_token}")
        await wait_for_state(player, "connected")
        viewer = await view(node, stream, view_token) if aiortc else None
        await asyncio.sleep(2.0)  # the first picture, then a steady stream
        steady = await watch({"player": player}, 5.0)
        aiortc_before = len(viewer.video.frames) if viewer and viewer.video else 0
        reconnect = await republish(publisher, {"player": player})
        reconnected_at = time.monotonic()
        after = await watch({"player": player}, 4.0)
        figures = {
            "publisher": await stats(publisher),
            "player_codec": await player.evaluate(INBOUND_CODEC),
            "node_track": stream_codec(node, stream),
            "steady": {"player": summary(steady["player"])},
            "reconnect": reconnect,
            "after": {"player": summary(after["player"])},
        }
        if viewer:
            frames = viewer.video.frames if viewer.video else []
            figures["aiortc"] = {"before": aiortc_before, "total": len(frames),
                                 "after_reconnect": sum(1 for _, at, _ in frames if at > reconnected_at),
                                 "width": frames[-1][2] if frames else 0}
            await viewer.close()
        return figures


def test_h264_from_chromium_to_chromium_and_aiortc_across_a_reconnect(start_node):
    node = start_node()
    figures = asyncio.run(single_layer_session(node, "h264", "h264", aiortc=True))
    print(f"\nH.264: publisher {figures['publisher']['codec']} {figures['publisher']['layers']}, "
          f"player {figures['player_codec']}\n  steady {figures['steady']}\n  reconnect {figures['reconnect']}"
          f"\n  after {figures['after']}\n  aiortc {figures['aiortc']}")
    results.write("node_codecs_h264", figures)

    assert figures["publisher"]["codec"] == "video/H264", figures["publisher"]
    assert figures["node_track"]["codec"] == "h264", figures["node_track"]
    assert (figures["player_codec"] or "").startswith("video/H264"), figures["player_codec"]
    assert "packetization-mode=1" in figures["player_codec"], figures["player_codec"]
    check_decoding("player (steady)", figures["steady"]["player"])
    check_reconnect(figures)
    check_decoding("player (after the reconnect)", figures["after"]["player"])
    assert figures["aiortc"]["before"] > 0, f"aiortc decoded no H.264 frame: {figures['aiortc']}"
    assert figures["aiortc"]["after_reconnect"] > 0, f"aiortc decoded nothing after the reconnect: {figures['aiortc']}"
    assert node.request("GET", "/ready")[0] == 200


def test_vp9_without_simulcast_from_chromium_across_a_reconnect(start_node):
    node = start_node()
    figures = asyncio.run(single_layer_session(node, "vp9-single", "vp9", aiortc=False))
    print(f"\nVP9: publisher {figures['publisher']['codec']} {figures['publisher']['layers']}, "
          f"player {figures['player_codec']}\n  steady {figures['steady']}\n  reconnect {figures['reconnect']}"
          f"\n  after {figures['after']}")
    results.write("node_codecs_vp9_single", figures)

    assert figures["publisher"]["codec"] == "video/VP9", figures["publisher"]
    assert figures["node_track"]["codec"] == "vp9" and len(figures["node_track"]["layers"]) == 1, figures["node_track"]
    assert (figures["player_codec"] or "").startswith("video/VP9"), figures["player_codec"]
    check_decoding("player (steady)", figures["steady"]["player"])
    check_reconnect(figures)
    check_decoding("player (after the reconnect)", figures["after"]["player"])
    assert node.request("GET", "/ready")[0] == 200


async def vp9_session(node) -> dict:
    stream = "vp9"
    publish_token, view_token = node.token(stream, "publish"), node.token(stream, "view")
    async with chromium() as browser:
        publisher = await browser.new_page()
        await publisher.goto(f"{node.base}/publish?stream={stream}&token={publish_token}&codec=vp9&simulcast=1"
                             "&width=1280&height=720")
        await wait_for_state(publisher, "connected")
        await asyncio.sleep(2.0)  # Chromium turns its upper layers on as its estimate grows
        player = await browser.new_page()
        await player.goto(f"{node.base}/watch?stream={stream}&token={view_token}")
        capped = await browser.new_page()
        await capped.goto(f"{node.base}/watch?stream={stream}&token={view_token}"
                          "&maxBitrate=150000&maxBitrateSeconds=4")
        await wait_for_state(player, "connected")
        await wait_for_state(capped, "connected")
        await asyncio.sleep(1.0)
        # The cap lasts 4 s; the capped viewer's estimate then climbs to a higher layer.
        steady = await watch({"player": player, "capped": capped}, 8.0, until_switch_s=8.0)
        players = {"player": player, "capped": capped}
        reconnect = await republish(publisher, players)
        after = await watch(players, 4.0)
        return {
            "publisher": await stats(publisher),
            "player_codec": await player.evaluate(INBOUND_CODEC),
            "node_track": stream_codec(node, stream),
            "capped_widths": [s["frameWidth"] for s in steady["capped"]],
            "steady": {name: summary(samples) for name, samples in steady.items()},
            "reconnect": reconnect,
            "after": {name: summary(samples) for name, samples in after.items()},
        }


def test_vp9_simulcast_from_chromium_layer_switch_and_reconnect(start_node):
    node = start_node()
    figures = asyncio.run(vp9_session(node))
    print(f"\nVP9 simulcast: publisher {figures['publisher']['codec']} {figures['publisher']['layers']}, "
          f"player {figures['player_codec']}\n  capped widths {figures['capped_widths']}\n  steady {figures['steady']}"
          f"\n  reconnect {figures['reconnect']}\n  after {figures['after']}")
    results.write("node_codecs_vp9", figures)

    assert figures["publisher"]["codec"] == "video/VP9", figures["publisher"]
    assert {layer["rid"] for layer in figures["publisher"]["layers"]} == {"q", "h", "f"}, figures["publisher"]
    assert figures["node_track"]["codec"] == "vp9" and len(figures["node_track"]["layers"]) == 3, figures["node_track"]
    assert (figures["player_codec"] or "").startswith("video/VP9"), figures["player_codec"]
    check_layer_switch(figures)
    for name in ("player", "capped"):
        check_decoding(f"{name} (steady)", figures["steady"][name])
        assert figures["steady"][name]["still"] == 0, f"{name} stopped decoding for a second: {figures['steady']}"
    check_reconnect(figures)
    for name in ("player", "capped"):
        check_decoding(f"{name} (after the reconnect)", figures["after"][name])
    assert node.request("GET", "/ready")[0] == 200
