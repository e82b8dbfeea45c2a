"""Issue 16, `/dashboard` in headless Chromium on a running mesh with a publisher and viewers.

An aiortc publisher on origin-1, one viewer placed on edge-a (region a) and one on edge-b
(region b, by X-Forwarded-For). The topology feeds edge-a only through relay-1
(RELAY_FIRST_LINKS), and edge-b joins the tree at relay-1 once it carries the stream (see
test_mesh_failover). Chromium opens origin-1's /dashboard with an operator token:
- every node of the topology has a row with its state (all `serving`), and a dot on the map;
- the stream's tree shows origin-1 as origin, relay-1 fed by it, and edge-a and edge-b with one
  viewer each, each fed by relay-1; the map and the links table draw those three relay links
  with a live bitrate (from the links' byte counters) and their loss;
- no alert while all is well; relay-1 killed with SIGKILL turns `stale` in the table and raises
  an alert naming it within 5 s; the recent failovers then list edge-b's move from relay-1 to
  origin-1 (cause `upstream lost`) and edge-a's failed one (relay-1 was its only way);
- edge-a drained by an operator (`meshcast node drain`) with a 2 s `drain_deadline_seconds`
  shows `draining`, and an alert that it is past its deadline once 2 s have gone by.
Screenshots (before and after the kill, and with the drain) go to .build/interop-results/dashboard*.png.
"""

import asyncio
import subprocess
import time

import results
from browser import chromium
from clients import publish
from meshclients import view_placed
from meshmesh import RELAY_FIRST_LINKS, REGION_A_CLIENT, REGION_B_CLIENT
from meshnode import binary

DRAIN_DEADLINE_S = 2


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
                                 expect_edge="edge-a")]
    await viewers[0].connected()
    # relay-1 is listed as a carrier within a second; then edge-b joins the tree there.
    await asyncio.sleep(1.5)
    viewers.append(await view_placed(mesh, origin, "dash", view_token, forwarded_for=REGION_B_CLIENT.format(7),
                                     expect_edge="edge-b"))
    await viewers[1].connected()
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
            # Link rates need two reports a second apart at each end.
            await page.wait_for_function(
                """() => [...document.querySelectorAll('#links tr[data-link]')].filter(r => +r.dataset.bitrate > 0).length >= 3""",
                timeout=10000)
            figures["link_bitrates"] = await page.evaluate(
                "() => Object.fromEntries([...document.querySelectorAll('#links tr[data-link]')].map(r => [r.dataset.link, +r.dataset.bitrate]))")
            figures["links_table"] = await page.evaluate(
                "() => [...document.querySelectorAll('#links tr[data-link]')].map(r => r.textContent)")
            figures["alerts_before"] = await page.evaluate("() => window.meshcast.alerts")
            await page.screenshot(path=str(results.DIRECTORY / "dashboard.png"), full_page=True)

            killed_at = mesh.kill9("relay-1")
            await page.wait_for_function(
                """() => document.querySelector('#nodes tr[data-node="relay-1"]')?.dataset.state === 'stale'
                     && window.meshcast.alerts.some(a => a.includes('relay-1'))""", timeout=5000)
            figures["stale_after_s"] = round(time.monotonic() - killed_at, 2)
            figures["alerts_after"] = await page.evaluate("() => window.meshcast.alerts")
            figures["table_after"] = await table(page)
            # edge-b hears nothing from relay-1 for 1 s, re-paths, and logs the move in Redis.
            await page.wait_for_function(
                """() => document.querySelector('#failovers tr[data-failover="edge-b:dash"]')?.dataset.to === 'origin-1'""",
                timeout=10000)
            figures["failovers"] = await page.evaluate(
                "() => [...document.querySelectorAll('#failovers tr[data-failover]')].map(r => r.textContent)")
            figures["failover_records"] = await page.evaluate("() => window.meshcast.overview.failovers")
            await page.screenshot(path=str(results.DIRECTORY / "dashboard-relay-killed.png"), full_page=True)

            subprocess.run([str(binary()), "node", "drain", "edge-a", "--topology", str(mesh.topology)],
                           env=origin.env, capture_output=True, text=True, timeout=30, check=True)
            drained_at = time.monotonic()
            await page.wait_for_function(
                """() => window.meshcast.alerts.some(a => a.startsWith('edge-a: draining') && a.includes('past its'))""",
                timeout=(DRAIN_DEADLINE_S + 6) * 1000)
            figures["drain_alert_after_s"] = round(time.monotonic() - drained_at, 2)
            figures["alerts_drained"] = await page.evaluate("() => window.meshcast.alerts")
            await page.screenshot(path=str(results.DIRECTORY / "dashboard-drain-deadline.png"), full_page=True)
    finally:
        for viewer in viewers:
            await viewer.close()
        await publisher.close()
    return figures


def test_dashboard_shows_the_mesh_and_a_dead_relay(start_mesh):
    mesh = start_mesh(trace=False, links=RELAY_FIRST_LINKS, order=("relay-1", "origin-1", "edge-a", "edge-b"),
                      policies={"drain_deadline_seconds": DRAIN_DEADLINE_S})
    results.DIRECTORY.mkdir(parents=True, exist_ok=True)
    figures = asyncio.run(session(mesh))
    print(f"\ndashboard: {figures}")
    results.write("dashboard", figures)
    assert figures["table"] == {"origin-1": "serving", "relay-1": "serving", "edge-a": "serving", "edge-b": "serving"}
    assert figures["map_dots"] == 4
    origin, relays, edges = figures["tree"]
    assert "origin-1" in origin and "relay-1 ← origin-1" in relays, figures["tree"]
    assert "edge-a ← relay-1 · 1 viewer" in edges and "edge-b ← relay-1 · 1 viewer" in edges, figures["tree"]
    assert figures["alerts_before"] == [], figures["alerts_before"]
    tree_links = {"origin-1>relay-1", "relay-1>edge-a", "relay-1>edge-b"}
    assert tree_links <= set(figures["map_links"]), figures["map_links"]
    # aiortc's VP8 and Opus: tens of kbit/s at least on every link of the tree.
    assert all(figures["link_bitrates"].get(link, 0) > 20_000 for link in tree_links), figures["link_bitrates"]
    assert figures["fed_from"] == {"origin-1": "", "relay-1": "origin-1", "edge-a": "relay-1", "edge-b": "relay-1"}, (
        figures["fed_from"])
    assert figures["table_after"]["relay-1"] == "stale"
    assert any("relay-1" in alert and "stale" in alert for alert in figures["alerts_after"])
    assert figures["stale_after_s"] <= 5.0
    moves = {(move["node"], move["from"]): move for move in figures["failover_records"]}
    assert moves[("edge-b", "relay-1")]["to"] == "origin-1" and moves[("edge-b", "relay-1")]["cause"] == "upstream lost"
    # RELAY_FIRST_LINKS: relay-1 was edge-a's only way in.
    assert "to" not in moves.get(("edge-a", "relay-1"), {}), moves
    assert any(alert.startswith("edge-a: draining") for alert in figures["alerts_drained"]), figures["alerts_drained"]
    assert DRAIN_DEADLINE_S <= figures["drain_alert_after_s"] <= DRAIN_DEADLINE_S + 4, figures["drain_alert_after_s"]
