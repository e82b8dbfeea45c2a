"""The node's own pages work in headless Chromium before the node exists.

Chromium's fake camera feeds the publisher page, which does WHIP against an aiortc stand-in
(standin.py); the player page does WHEP and must decode growing numbers of frames. Checks the
pages' side of issue 3's WHIP/WHEP flow: complete offer (non-trickle), 201 + Location,
window.meshcast state and stats, DELETE on unload.
"""

import asyncio

import pages
from browser import chromium, stats, wait_for_state
from media import keep_ice_on_loopback
from standin import StandInNode


def test_pages_are_extracted_from_swift():
    html = pages.load()
    assert set(html) >= {"index", "publisher", "player"}
    assert 'href="/publish"' in html["index"] and 'href="/watch"' in html["index"]
    assert "meshcast token" in html["index"]
    for name in ("publisher", "player"):
        assert html[name].startswith("<!doctype html>") and html[name].rstrip().endswith("</html>")
        assert "http://" not in html[name] and "https://" not in html[name]  # no external assets


async def publish_and_watch() -> dict:
    keep_ice_on_loopback()
    node = StandInNode()
    base = await node.start()
    try:
        async with chromium() as browser:
            publisher = await browser.new_page()
            await publisher.goto(f"{base}/publish?stream=demo&token=t&width=640&height=480")
            await wait_for_state(publisher, "connected")
            preview = await publisher.evaluate(
                "() => new Promise((ok) => { const v = document.getElementById('preview');"
                " const check = () => v.videoWidth ? ok([v.videoWidth, v.videoHeight]) : setTimeout(check, 100);"
                " check(); })")
            await asyncio.sleep(1.0)
            player = await browser.new_page()
            await player.goto(f"{base}/watch?stream=demo&token=t")
            await wait_for_state(player, "connected")
            await asyncio.sleep(3.0)
            first = await stats(player)
            await asyncio.sleep(3.0)
            second = await stats(player)
            sent = await stats(publisher)
            sessions_before = len(node.sessions)
            await player.close(run_before_unload=True)
            for _ in range(50):
                if len(node.sessions) < sessions_before:
                    break
                await asyncio.sleep(0.1)
            return {"preview": preview, "first": first, "second": second, "sent": sent,
                    "sessions_before": sessions_before, "sessions_after": len(node.sessions)}
    finally:
        await node.stop()


def test_publisher_and_player_pages_in_headless_chromium():
    figures = asyncio.run(publish_and_watch())
    print(f"\npages via stand-in: {figures}")
    assert figures["preview"][0] > 0, "the publisher page shows no camera picture"
    assert figures["sent"]["framesEncoded"] > 0
    assert figures["first"]["framesDecoded"] > 0
    assert figures["second"]["framesDecoded"] > figures["first"]["framesDecoded"]
    assert figures["second"]["frameWidth"] > 0
    assert figures["sessions_after"] < figures["sessions_before"], "the player page sent no DELETE on unload"
