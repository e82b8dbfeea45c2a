/// `GET /dashboard`: the live mesh for operators, drawn from `GET /v1/mesh` once a second.
///
/// The page itself is public; its data needs an operator token (the `token` query field or the
/// form), sent as a Bearer token. It shows alerts, a map of the regions (topology coordinates)
/// with nodes coloured by state and relay links drawn with their bitrate and loss, a node table
/// with load bars, one stream's carriers by role (each with the node feeding it) and viewers per
/// node, the relay links with bitrate, packets, RTT and loss, the recent failovers, and
/// sparklines of the last five minutes. `window.meshcast` exposes the last overview and the
/// alerts for tests.
enum DashboardPage: WebPage {
    static let path = "/dashboard"

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Meshcast · mesh</title>
        <style>
          :root { --ok: #1b9e5a; --warn: #e08a00; --bad: #d33; --dim: #888; --line: #ddd; }
          body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #222; }
          header { background: #1d2733; color: #fff; padding: .7em 1em; display: flex; flex-wrap: wrap; gap: .3em 1.5em; }
          header b { font-size: 1.15em; } header span { color: #b8c4d0; }
          main { display: grid; gap: 1em; padding: 1em; grid-template-columns: repeat(auto-fit, minmax(20em, 1fr)); }
          section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8em 1em; overflow-x: auto; }
          section.wide { grid-column: 1 / -1; }
          h2 { font-size: 1em; margin: 0 0 .5em; color: #445; }
          table { border-collapse: collapse; width: 100%; } td, th { padding: .25em .5em; text-align: left; white-space: nowrap; }
          th { font-weight: 600; color: #556; border-bottom: 1px solid var(--line); }
          .state { font-weight: 600; } .serving { color: var(--ok); } .draining { color: var(--warn); }
          .stale { color: var(--bad); } .unlisted { color: var(--dim); }
          .bar { display: inline-block; width: 6em; height: .7em; background: #eee; border-radius: 3px; vertical-align: middle; }
          .bar i { display: block; height: 100%; border-radius: 3px; background: var(--ok); }
          #alerts li { color: var(--bad); } #alerts.quiet li { color: var(--ok); }
          .tree { display: flex; flex-direction: column; gap: .6em; } .tier { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; }
          .tier > b { width: 4.5em; color: #556; } .box { border: 1px solid var(--line); border-radius: 6px; padding: .2em .6em; }
          svg text { font: 11px system-ui, sans-serif; } #form { display: none; } #form.shown { display: block; }
        </style>
        <header><b>Meshcast <span id="mesh"></span></b><span id="summary">connecting…</span></header>
        <form id="form"><label>Operator token <input id="token" size="40" required></label> <button>Show</button>
          <span id="error" class="stale"></span></form>
        <main>
          <section><h2>Alerts</h2><ul id="alerts"></ul></section>
          <section><h2>Last five minutes</h2>
            <div>viewers <b id="viewersNow">0</b></div><svg id="viewersLine" viewBox="0 0 300 40" width="100%" height="40"></svg>
            <div>egress <b id="egressNow">0</b></div><svg id="egressLine" viewBox="0 0 300 40" width="100%" height="40"></svg></section>
          <section class="wide"><h2>Regions</h2><svg id="map" viewBox="0 0 600 260" width="100%"></svg></section>
          <section class="wide"><h2>Nodes</h2><table><thead><tr><th>node</th><th>role</th><th>region</th><th>state</th>
            <th>heartbeat</th><th>sessions</th><th>egress</th><th>cpu</th></tr></thead><tbody id="nodes"></tbody></table></section>
          <section class="wide"><h2>Stream <select id="picker"></select></h2><div id="tree" class="tree"></div></section>
          <section class="wide"><h2>Relay links</h2><table><thead><tr><th>link</th><th>bitrate</th><th>packets/s</th><th>RTT</th>
            <th>loss</th><th>streams</th></tr></thead><tbody id="links"></tbody></table></section>
          <section class="wide"><h2>Recent failovers</h2><table><thead><tr><th>when</th><th>node</th><th>stream</th><th>from</th>
            <th>to</th><th>cause</th><th>took</th></tr></thead><tbody id="failovers"></tbody></table></section>
        </main>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const query = new URLSearchParams(location.search);
        const history = [];  // {viewers, egress} once a second, five minutes
        let token = query.get("token") || "";
        window.meshcast = { overview: null, alerts: [], error: null, updates: 0 };

        function element(tag, attributes, text) {
          const made = document.createElementNS(tag === "svg" || attributes.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
          for (const [key, value] of Object.entries(attributes)) if (key !== "svg") made.setAttribute(key, value);
          if (text !== undefined) made.textContent = text;
          return made;
        }
        const mbit = (bits) => `${(bits / 1e6).toFixed(bits < 1e7 ? 2 : 1)} Mbit/s`;
        const percent = (share) => `${(share * 100).toFixed(1)} %`;
        const linkFigures = (link) => `${mbit(link.bitsPerSecond)}, ${Math.round(link.packetsPerSecond)} packets/s, ${percent(link.fractionLost)} loss${link.roundTripMilliseconds === undefined ? "" : `, RTT ${link.roundTripMilliseconds.toFixed(1)} ms`}`;
        function bar(share) {
          const outer = element("span", { class: "bar" }), inner = element("i", {});
          inner.style.width = `${Math.min(100, Math.round(share * 100))}%`;
          if (share > 0.8) inner.style.background = "var(--bad)";
          outer.append(inner);
          return outer;
        }

        // What an operator must look at now, worst first.
        function alertsOf(overview) {
          const alerts = [];
          for (const node of overview.nodes) {
            if (node.state === "stale") alerts.push(`${node.id}: no heartbeat (stale)`);
            const draining = node.drainingSince === undefined ? 0 : (overview.readAt - node.drainingSince) / 1000;
            if (node.state === "draining" && draining > overview.drainDeadlineSeconds)
              alerts.push(`${node.id}: draining for ${draining.toFixed(1)} s, past its ${overview.drainDeadlineSeconds} s deadline (${node.sessions} session${node.sessions === 1 ? "" : "s"} left)`);
            else if (node.heartbeatAgeMilliseconds > 1000) alerts.push(`${node.id}: heartbeat ${node.heartbeatAgeMilliseconds} ms old`);
            if (node.state === "unlisted") alerts.push(`${node.id}: heartbeating but not in the topology`);
          }
          for (const region of overview.regions) {
            const nodes = overview.nodes.filter((n) => n.region === region.name && n.sessionCapacity > 0 && n.state !== "stale");
            const capacity = nodes.reduce((sum, n) => sum + n.sessionCapacity, 0);
            const sessions = nodes.reduce((sum, n) => sum + n.sessions, 0);
            if (capacity > 0 && sessions > 0.8 * capacity) alerts.push(`region ${region.name}: ${sessions} of ${capacity} sessions (over 80 %)`);
          }
          for (const link of overview.links || [])
            if (link.fractionLost > 0.02) alerts.push(`link ${link.upstream} → ${link.downstream}: ${(link.fractionLost * 100).toFixed(1)} % loss`);
          const applied = overview.appliedTopology;
          for (const node of overview.nodes)
            if (applied && node.topology && node.topology !== applied) alerts.push(`${node.id} runs topology ${node.topology}, applied is ${applied}`);
          return alerts;
        }

        function drawAlerts(alerts) {
          const list = $("alerts");
          list.replaceChildren(...alerts.map((text) => element("li", {}, text)));
          list.className = alerts.length ? "" : "quiet";
          if (!alerts.length) list.append(element("li", {}, "all nodes serving"));
        }

        function drawNodes(overview) {
          $("nodes").replaceChildren(...overview.nodes.map((node) => {
            const row = element("tr", { "data-node": node.id, "data-state": node.state });
            const cells = [node.id, node.role, node.region];
            for (const text of cells) row.append(element("td", {}, text));
            row.append(element("td", { class: `state ${node.state}` }, node.state));
            row.append(element("td", {}, node.heartbeatAgeMilliseconds === undefined ? "–" : `${node.heartbeatAgeMilliseconds} ms`));
            const sessions = element("td", {}, `${node.sessions}${node.sessionCapacity ? "/" + node.sessionCapacity : ""} `);
            if (node.sessionCapacity) sessions.append(bar(node.sessions / node.sessionCapacity));
            row.append(sessions, element("td", {}, mbit(node.egressBitsPerSecond)));
            const cpu = element("td", {}, `${Math.round(node.cpu * 100)} % `);
            cpu.append(bar(node.cpu));
            row.append(cpu);
            return row;
          }));
        }

        // Regions placed by their coordinates (equirectangular, fitted to the box); nodes around them.
        function drawMap(overview) {
          const map = $("map"), placed = overview.regions.filter((r) => r.latitude !== undefined && r.longitude !== undefined);
          map.replaceChildren();
          const lons = placed.map((r) => r.longitude), lats = placed.map((r) => r.latitude);
          const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
          const where = new Map();
          overview.regions.forEach((region, index) => {
            const x = placed.length > 1 && maxLon > minLon && region.longitude !== undefined ? 70 + 460 * (region.longitude - minLon) / (maxLon - minLon) : 70 + 460 * (index + 0.5) / overview.regions.length;
            const y = placed.length > 1 && maxLat > minLat && region.latitude !== undefined ? 215 - 170 * (region.latitude - minLat) / (maxLat - minLat) : 130;
            where.set(region.name, [x, y]);
            map.append(element("circle", { svg: 1, cx: x, cy: y, r: 38, fill: "#eef2f6", stroke: "#c5d0db" }));
            map.append(element("text", { svg: 1, x: x, y: y + 52, "text-anchor": "middle" }, region.name));
          });
          const colours = { serving: "#1b9e5a", draining: "#e08a00", stale: "#d33", unlisted: "#888" };
          const spot = new Map(), dots = [];
          for (const region of overview.regions) {
            const nodes = overview.nodes.filter((n) => n.region === region.name), [x, y] = where.get(region.name);
            nodes.forEach((node, index) => {
              const angle = 2 * Math.PI * index / Math.max(nodes.length, 1);
              spot.set(node.id, [x + 22 * Math.cos(angle), y + 22 * Math.sin(angle)]);
            });
          }
          // Links under the dots: width by bitrate (1 px + 1 px per Mbit/s, 6 at most), red above 2 % loss.
          for (const link of overview.links || []) {
            const from = spot.get(link.upstream), to = spot.get(link.downstream);
            if (!from || !to) continue;
            const line = element("line", { svg: 1, x1: from[0], y1: from[1], x2: to[0], y2: to[1], "data-link": `${link.upstream}>${link.downstream}`,
              "data-bitrate": Math.round(link.bitsPerSecond), stroke: link.fractionLost > 0.02 ? "#d33" : "#2a6fdb",
              "stroke-width": 1 + Math.min(5, link.bitsPerSecond / 1e6) });
            line.append(element("title", { svg: 1 }, `${link.upstream} → ${link.downstream}: ${linkFigures(link)}`));
            map.append(line);
            // Links inside one region are too short to label: their figures are in the tooltip and the table.
            if (Math.hypot(to[0] - from[0], to[1] - from[1]) > 90)
              map.append(element("text", { svg: 1, x: (from[0] + to[0]) / 2, y: (from[1] + to[1]) / 2 - 4, "text-anchor": "middle",
                fill: link.fractionLost > 0.02 ? "#d33" : "#2a6fdb" }, `${mbit(link.bitsPerSecond)} · ${percent(link.fractionLost)}`));
          }
          for (const region of overview.regions) {
            const nodes = overview.nodes.filter((n) => n.region === region.name);
            nodes.forEach((node) => {
              const [nx, ny] = spot.get(node.id);
              const dot = element("circle", { svg: 1, cx: nx, cy: ny, r: 8, fill: colours[node.state] || "#888", "data-node": node.id });
              dot.append(element("title", { svg: 1 }, `${node.id} (${node.role}) ${node.state}`));
              map.append(dot, element("text", { svg: 1, x: nx, y: ny - 11, "text-anchor": "middle" }, node.id));
            });
          }
        }

        // One stream: its origin, then the relays and the edges that carry it, viewers per node.
        function drawTree(overview) {
          const picker = $("picker"), chosen = picker.value;
          const names = overview.streams.map((s) => s.name);
          if (names.join() !== [...picker.options].map((o) => o.value).join())
            picker.replaceChildren(...names.map((name) => element("option", { value: name }, name)));
          if (names.includes(chosen)) picker.value = chosen;
          const stream = overview.streams.find((s) => s.name === picker.value);
          if (!stream) { $("tree").replaceChildren(element("p", {}, "no live streams")); return; }
          const role = (id) => (overview.nodes.find((n) => n.id === id) || {}).role;
          const tier = (label, ids) => {
            const row = element("div", { class: "tier" });
            row.append(element("b", {}, label));
            for (const id of ids) {
              const viewers = stream.viewers[id] || 0;
              const feed = (overview.links || []).find((l) => l.downstream === id && l.streams.includes(stream.name));
              const from = feed ? ` ← ${feed.upstream}` : "";
              row.append(element("span", { class: "box", "data-carrier": id, "data-viewers": viewers, "data-from": feed ? feed.upstream : "" },
                `${id}${from} · ${viewers} viewer${viewers === 1 ? "" : "s"}`));
            }
            if (!ids.length) row.append(element("span", { class: "unlisted" }, "none"));
            return row;
          };
          const others = stream.carriers.filter((id) => id !== stream.origin);
          $("tree").replaceChildren(tier("origin", [stream.origin]), tier("relays", others.filter((id) => role(id) === "relay")),
            tier("edges", others.filter((id) => role(id) !== "relay")));
        }

        function drawLinks(overview) {
          const links = overview.links || [];
          $("links").replaceChildren(...links.map((link) => {
            const row = element("tr", { "data-link": `${link.upstream}>${link.downstream}`, "data-bitrate": Math.round(link.bitsPerSecond) });
            for (const text of [`${link.upstream} → ${link.downstream}`, mbit(link.bitsPerSecond), Math.round(link.packetsPerSecond),
              link.roundTripMilliseconds === undefined ? "–" : `${link.roundTripMilliseconds.toFixed(1)} ms`])
              row.append(element("td", {}, text));
            row.append(element("td", { class: link.fractionLost > 0.02 ? "stale" : "" }, percent(link.fractionLost)), element("td", {}, link.streams.join(", ")));
            return row;
          }));
          if (!links.length) $("links").append(element("tr", {}, "no relay links"));
        }

        // Streams moved off a lost or draining upstream, newest first.
        function drawFailovers(overview) {
          const moves = overview.failovers || [];
          $("failovers").replaceChildren(...moves.map((move) => {
            const row = element("tr", { "data-failover": `${move.node}:${move.stream}`, "data-from": move.from, "data-to": move.to || "" });
            const ago = Math.max(0, Math.round((overview.readAt - move.at) / 1000));
            for (const text of [`${ago} s ago`, move.node, move.stream, move.from]) row.append(element("td", {}, text));
            // A failure's reason can be long: the cell says "none", its tooltip why.
            row.append(element("td", { class: move.to ? "" : "stale", title: move.failure || "" }, move.to || "none"),
              element("td", { class: move.cause === "upstream lost" ? "stale" : "draining" }, move.cause), element("td", {}, `${move.milliseconds} ms`));
            return row;
          }));
          if (!moves.length) $("failovers").append(element("tr", {}, "none recorded"));
        }

        function sparkline(svg, values) {
          // The newest sample at the right; at least a minute across, five at most.
          const top = Math.max(1, ...values), step = 300 / Math.max(60, values.length);
          const points = values.map((v, i) => `${300 - step * (values.length - 1 - i)},${38 - 36 * v / top}`).join(" ");
          svg.replaceChildren(element("polyline", { svg: 1, points, fill: "none", stroke: "#2a6fdb", "stroke-width": 1.5 }));
        }

        function draw(overview) {
          const viewers = overview.streams.reduce((sum, s) => sum + Object.values(s.viewers).reduce((a, b) => a + b, 0), 0);
          const egress = overview.nodes.reduce((sum, n) => sum + n.egressBitsPerSecond, 0);
          history.push({ viewers, egress });
          if (history.length > 300) history.shift();
          $("mesh").textContent = overview.mesh;
          const placements = overview.nodes.reduce((sum, n) => sum + (n.placementsPerSecond || 0), 0);
          const p99 = Math.max(0, ...overview.nodes.map((n) => n.placementP99Seconds || 0));
          $("summary").textContent = `${overview.nodes.length} nodes · ${overview.streams.length} streams · ${placements.toFixed(1)} placements/s (p99 ${(p99 * 1000).toFixed(1)} ms) · answered by ${overview.answeredBy} · ${new Date(overview.readAt).toLocaleTimeString()}`;
          $("viewersNow").textContent = viewers;
          $("egressNow").textContent = mbit(egress);
          sparkline($("viewersLine"), history.map((h) => h.viewers));
          sparkline($("egressLine"), history.map((h) => h.egress));
          meshcast.alerts = alertsOf(overview);
          drawAlerts(meshcast.alerts);
          drawMap(overview);
          drawNodes(overview);
          drawTree(overview);
          drawLinks(overview);
          drawFailovers(overview);
        }

        async function poll() {
          try {
            const response = await fetch("/v1/mesh", { headers: { "Authorization": `Bearer ${token}` }, cache: "no-store" });
            if (response.status === 401 || response.status === 403) {
              meshcast.error = `the token was refused (${response.status}): an operator token is needed`;
              $("error").textContent = meshcast.error;
              $("form").className = "shown";
              return;
            }
            if (!response.ok) throw new Error(`/v1/mesh answered ${response.status}`);
            meshcast.overview = await response.json();
            meshcast.error = null;
            draw(meshcast.overview);
            meshcast.updates += 1;
          } catch (error) {
            meshcast.error = error.message;
            $("summary").textContent = `cannot read the mesh: ${error.message}`;
          }
          setTimeout(poll, 1000);
        }

        $("picker").addEventListener("change", () => meshcast.overview && drawTree(meshcast.overview));
        $("form").addEventListener("submit", (event) => {
          event.preventDefault();
          token = $("token").value.trim();
          $("form").className = "";
          poll();
        });
        if (token) poll(); else $("form").className = "shown";
        </script>
        </html>
        """#
}
