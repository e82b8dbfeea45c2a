"""Issue 16, `/dashboard` in headless Chromium on a running mesh with a publisher and viewers.

An aiortc publisher on origin-1, one viewer placed on edge-a (region a) and one on edge-b
(region b, by X-Forwarded-For). Chromium opens origin-1's /dashboard with an operator token:
- every node of the topology has a row with its state (all `serving`), and a dot on the map;
- the stream's tree shows origin-1 as origin and edge-a and edge-b with one viewer each, each
  fed by origin-1, and the map draws those two relay links;
- no alert while all is well; relay-1 killed with SIGKILL turns `stale` in the table and raises
  an alert naming it within 5 s.
Screenshots (before and after the kill) go to .build/interop-results/dashboard*.png.
"""

import asyncio
import subprocess
import time

import results
from browser import chromium
from clients import publish
from meshclients import view_placed
from meshmesh import REGION_A_CLIENT, REGION_B_CLIENT
from meshnode import binary

MESH_OPTIONS = {"trace": False}


def operator_token(node) -> str:
    result = subprocess.run([str(binary()), "token", "--operator"], capture_output=True, text=True, env=node.env,
                            timeout=30, check=True)
    return result.stdout.strip().splitlines()[-1].strip()


async def table(page) -> dict[str, str]:
    return await page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#nodes tr')].map(r => [r.dataset.node, r.dataset.state]))")


async def session(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, "dash", origin.token("dash", "publish"))
    await publisher.connected()
    view_token = origin.token("dash", "view")
    viewers = [await view_placed(mesh, origin, "dash", view_token, forwarded_for=REGION_A_CLIENT.format(7),
                                 expect_edge="edge-a"),
               await view_placed(mesh, origin, "dash", view_token, forwarded_for=REGION_B_CLIENT.format(7),
                                 expect_edge="edge-b")]
    for viewer in viewers:
        await viewer.connected()
    figures = {}
    try:
        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 1100, "height": 1000})
            await page.goto(f"{origin.base}/dashboard?token={operator_token(origin)}")
            # Viewer reports reach Redis once a second, and the page reads every second.
            await page.wait_for_function(
                """() => { const boxes = [...document.querySelectorAll('#tree [data-carrier]')];
                     const viewers = Object.fromEntries(boxes.map(b => [b.dataset.carrier, b.dataset.viewers]));
                     return viewers['edge-a'] === '1' && viewers['edge-b'] === '1'; }""", timeout=15000)
            figures["table"] = await table(page)
            figures["map_dots"] = await page.evaluate("() => document.querySelectorAll('#map circle[data-node]').length")
            figures["map_links"] = await page.evaluate(
                "() => [...document.querySelectorAll('#map line[data-link]')].map(l => l.dataset.link)")
            figures["fed_from"] = await page.evaluate(
                "() => Object.fromEntries([...document.querySelectorAll('#tree [data-carrier]')].map(b => [b.dataset.carrier, b.dataset.from]))")
            figures["tree"] = await page.evaluate(
                "() => [...document.querySelectorAll('#tree .tier')].map(t => t.textContent)")
            figures["alerts_before"] = await page.evaluate("() => window.meshcast.alerts")
            await page.screenshot(path=str(results.DIRECTORY / "dashboard.png"), full_page=True)

            killed_at = mesh.kill9("relay-1")
            await page.wait_for_function(
                """() => document.querySelector('#nodes tr[data-node="relay-1"]')?.dataset.state === 'stale'
                     && window.meshcast.alerts.some(a => a.includes('relay-1'))""", timeout=5000)
            figures["stale_after_s"] = round(time.monotonic() - killed_at, 2)
            figures["alerts_after"] = await page.evaluate("() => window.meshcast.alerts")
            figures["table_after"] = await table(page)
            await page.screenshot(path=str(results.DIRECTORY / "dashboard-relay-killed.png"), full_page=True)
    finally:
        for viewer in viewers:
            await viewer.close()
        await publisher.close()
    return figures


def test_dashboard_shows_the_mesh_and_a_dead_relay(start_mesh):
    mesh = start_mesh(trace=False)
    results.DIRECTORY.mkdir(parents=True, exist_ok=True)
    figures = asyncio.run(session(mesh))
    print(f"\ndashboard: {figures}")
    results.write("dashboard", figures)
    assert figures["table"] == {"origin-1": "serving", "relay-1": "serving", "edge-a": "serving", "edge-b": "serving"}
    assert figures["map_dots"] == 4
    origin, relays, edges = figures["tree"]
    assert "origin-1" in origin and "edge-a ← origin-1 · 1 viewer" in edges and "edge-b ← origin-1 · 1 viewer" in edges, (
        figures["tree"])
    assert figures["alerts_before"] == [], figures["alerts_before"]
    # DIRECT_LINKS: the idle mesh feeds both edges straight from the origin.
    assert {"origin-1>edge-a", "origin-1>edge-b"} <= set(figures["map_links"]), figures["map_links"]
    assert figures["fed_from"]["edge-a"] == "origin-1" and figures["fed_from"]["edge-b"] == "origin-1", figures
    assert figures["table_after"]["relay-1"] == "stale"
    assert any("relay-1" in alert and "stale" in alert for alert in figures["alerts_after"])
    assert figures["stale_after_s"] <= 5.0
