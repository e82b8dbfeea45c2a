"""Issue 11 item 5: Debian's firefox-esr as a second browser, publishing and watching.

Firefox (headless, Marionette, fake camera: see firefox.py) publishes VP8 with rid simulcast
(RFC 8853 simulcast, RFC 8851 rid, q/h/f at 1/4, 1/2, 1/1) through the node's /publish page
over WHIP (RFC 9725); an aiortc WHEP viewer and a Firefox /watch window must decode it. Then
Firefox watches, through /watch over WHEP, the numbered 320x240 VP8 an aiortc publisher sends:
its `framesDecoded` (W3C webrtc-stats, RTCInboundRtpStreamStats) must grow and its <video>
must have that size. Figures go to .build/interop-results/firefox_*.json.
"""

import asyncio
import json

import pytest

import results
from clients import publish, view
from firefox import FirefoxProcess, session, stats, wait_for_state, why_no_firefox
from framecode import HEIGHT, WIDTH

WATCH_S = 5.0  # long enough for a key frame, a layer choice and a few seconds of pictures
MIN_FRAMES = 30  # of ~150 sent in WATCH_S at 30 frame/s: a viewer that decodes at all gets far more

VIDEO_SIZE = "const video = document.getElementById('video'); return [video.videoWidth, video.videoHeight];"


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    """One headless Firefox for the module's tests (each test has its own Marionette session)."""
    reason = why_no_firefox()
    if reason:
        pytest.skip(f"needs Debian's firefox-esr: {reason}")
    process = FirefoxProcess(tmp_path_factory.mktemp("firefox") / "profile")
    yield process
    process.stop()


def node_layers(node, stream: str) -> list[dict]:
    """The video layers the node reports for `stream` (GET /v1/streams/{stream})."""
    status, _, body = node.request("GET", f"/v1/streams/{stream}")
    assert status == 200, f"GET /v1/streams/{stream} answered {status}"
    return [layer for track in json.loads(body)["tracks"] if track["kind"] == "video" for layer in track["layers"]]


async def firefox_publishes(node, firefox) -> dict:
    publish_token, view_token = node.token("fox", "publish"), node.token("fox", "view")
    async with session(firefox) as browser:
        await browser.grant_media(node.base)
        await browser.goto(f"{node.base}/publish?stream=fox&token={publish_token}&simulcast=1&width=1280&height=720")
        await wait_for_state(browser, "connected")
        publisher = await browser.window()
        await asyncio.sleep(2.0)  # Firefox turns layers on as its bandwidth estimate grows

        viewer = await view(node, "fox", view_token)
        await browser.new_window()
        await browser.goto(f"{node.base}/watch?stream=fox&token={view_token}")
        await wait_for_state(browser, "connected")
        await asyncio.sleep(1.0)
        player_start = await stats(browser)
        await asyncio.sleep(WATCH_S)
        player_end, video_size = await stats(browser), await browser.evaluate(VIDEO_SIZE)
        await browser.switch_to(publisher)
        figures = {
            "firefox": browser.version,
            "publisher": await stats(browser),
            "node_layers": await asyncio.to_thread(node_layers, node, "fox"),
            "aiortc_viewer": {"decoded": len(viewer.video.frames) if viewer.video else 0,
                              "widths": sorted({width for _, _, width in viewer.video.frames}) if viewer.video else [],
                              "audio_frames": viewer.audio.frames if viewer.audio else 0},
            "firefox_player": {"start": player_start, "end": player_end, "video_size": video_size},
        }
        await viewer.close()
        return figures


def test_firefox_publishes_simulcast_to_aiortc_and_firefox(start_node, firefox):
    node = start_node()
    figures = asyncio.run(firefox_publishes(node, firefox))
    print(f"\nfirefox publishes: {json.dumps(figures)}")
    results.write("firefox_publishes", figures)

    rids = {layer["rid"] for layer in figures["publisher"]["layers"]}
    assert rids == {"q", "h", "f"}, f"Firefox sends rids {rids}: {figures['publisher']}"
    active = [layer for layer in figures["publisher"]["layers"] if layer["frameWidth"] > 0]
    assert len(active) >= 2, f"Firefox sends {len(active)} active simulcast layers: {figures['publisher']}"
    carried = [layer for layer in figures["node_layers"] if layer["bitrate"] > 0]
    assert len(carried) >= 2, f"the node carries {len(carried)} of Firefox's layers: {figures['node_layers']}"

    got = figures["aiortc_viewer"]
    assert got["decoded"] >= MIN_FRAMES and max(got["widths"]) > 0, f"aiortc viewer of Firefox: {got}"
    assert got["audio_frames"] > 0, "aiortc viewer decoded no Opus from Firefox"
    player = figures["firefox_player"]
    assert player["end"]["framesDecoded"] - player["start"]["framesDecoded"] >= MIN_FRAMES, player
    assert min(player["video_size"]) > 0 and player["end"]["frameWidth"] > 0, player
    assert player["end"]["audioPacketsReceived"] > 0, player
    assert node.request("GET", "/ready")[0] == 200


async def firefox_watches(node, firefox) -> dict:
    publisher = await publish(node, "numbers", node.token("numbers", "publish"))
    await publisher.connected()
    async with session(firefox) as browser:
        await browser.grant_media(node.base)  # the grant, not a capture, lets Firefox use 127.0.0.1
        await browser.goto(f"{node.base}/watch?stream=numbers&token={node.token('numbers', 'view')}")
        await wait_for_state(browser, "connected")
        await asyncio.sleep(1.0)
        start = await stats(browser)
        await asyncio.sleep(WATCH_S)
        figures = {"firefox": browser.version, "start": start, "end": await stats(browser),
                   "video_size": await browser.evaluate(VIDEO_SIZE), "frames_sent": len(publisher.source.sent)}
    await publisher.close()
    return figures


def test_firefox_watches_aiortc(start_node, firefox):
    node = start_node()
    figures = asyncio.run(firefox_watches(node, firefox))
    print(f"\nfirefox watches: {json.dumps(figures)}")
    results.write("firefox_watches", figures)

    start, end = figures["start"], figures["end"]
    assert end["framesDecoded"] - start["framesDecoded"] >= MIN_FRAMES, f"Firefox decoded {start} -> {end}"
    assert (end["frameWidth"], end["frameHeight"]) == (WIDTH, HEIGHT), end
    assert figures["video_size"] == [WIDTH, HEIGHT], figures["video_size"]
    assert end["audioPacketsReceived"] > 0, "Firefox received no Opus"
    assert node.request("GET", "/ready")[0] == 200
