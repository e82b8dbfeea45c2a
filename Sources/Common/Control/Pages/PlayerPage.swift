/// `GET /watch`: plays a stream from this node over WHEP.
///
/// Query fields fill the form (`stream`, `token`, and optional `maxBitrate` in bit/s with
/// `maxBitrateSeconds`, passed on to the node; `relay=1` for relay only, `turn=udp|tcp|tls` for
/// one TURN listener); with both `stream` and `token` present it starts at once. The ICE servers
/// come from the `201`'s `Link` headers (``ICEServerScript``). `window.meshcast` exposes the
/// state, `stats()`, `pair()` (the selected candidate pair's local type) and `iceServers` for tests.
enum PlayerPage: WebPage {
    static let path = "/watch"

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Meshcast · watch</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em; }
          label { margin-right: 1em; } video { width: 100%; max-height: 70vh; background: #000; }
          #stats { font-family: monospace; white-space: pre-wrap; }
        </style>
        <h1>Watch</h1>
        <form id="form">
          <label>Stream <input id="stream" required></label>
          <label>Token <input id="token" required size="40"></label>
          <label>Max bitrate (bit/s) <input id="maxBitrate" type="number" min="0" placeholder="none"></label>
          <label>for (s) <input id="maxBitrateSeconds" type="number" min="0" placeholder="always"></label>
          <label><input type="checkbox" id="relay"> Relay only (TURN)</label>
          <label>TURN <select id="turn"><option value="">any</option><option>udp</option>
            <option>tcp</option><option>tls</option></select></label>
          <button id="start">Play</button> <button id="stop" type="button" disabled>Stop</button>
        </form>
        <p>State: <b id="state">idle</b></p>
        <video id="video" autoplay muted playsinline controls></video>
        <div id="stats"></div>
        <p><a href="/">Home</a> · <a href="/publish">Publish</a></p>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const query = new URLSearchParams(location.search);
        let pc = null, resource = null, token = "";

        \#(ICEServerScript.source)

        window.meshcast = { state: "idle", error: null, stats: playerStats, iceServers: [],
                            pair: () => (pc ? selectedPair(pc) : null) };

        function setState(state, error) {
          meshcast.state = state;
          meshcast.error = error || null;
          $("state").textContent = error ? `${state}: ${error}` : state;
        }

        async function start() {
          const stream = $("stream").value.trim();
          token = $("token").value.trim();
          const options = new URLSearchParams();
          for (const name of ["maxBitrate", "maxBitrateSeconds"]) {
            if ($(name).value) options.set(name, $(name).value);
          }
          $("start").disabled = true; $("stop").disabled = false;
          setState("connecting");
          try {
            pc = new RTCPeerConnection($("relay").checked ? { iceTransportPolicy: "relay" } : {});
            const received = new MediaStream();
            $("video").srcObject = received;
            pc.addEventListener("track", (event) => received.addTrack(event.track));
            pc.addEventListener("connectionstatechange", () => {
              if (pc.connectionState === "connected") setState("connected");
              if (pc.connectionState === "failed") setState("failed", "ICE or DTLS failed");
            });
            pc.addTransceiver("video", { direction: "recvonly" });
            pc.addTransceiver("audio", { direction: "recvonly" });
            const suffix = options.toString() ? `?${options}` : "";
            resource = await exchange(pc, await pc.createOffer(), `/whep/${encodeURIComponent(stream)}${suffix}`,
                                      token, $("relay").checked, $("turn").value);
          } catch (error) {
            setState("failed", error.message);
          }
        }

        function stop() {
          if (resource) {
            fetch(resource, { method: "DELETE", keepalive: true, headers: { "Authorization": `Bearer ${token}` } });
          }
          resource = null;
          if (pc) pc.close();
          pc = null;
          $("start").disabled = false; $("stop").disabled = true;
          setState("idle");
        }

        async function playerStats() {
          const result = { framesDecoded: 0, framesDropped: 0, freezeCount: 0, totalFreezesDuration: 0,
                           frameWidth: 0, frameHeight: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0,
                           nackCount: 0, pliCount: 0, keyFramesDecoded: 0, audioPacketsReceived: 0 };
          if (!pc) return result;
          (await pc.getStats()).forEach((report) => {
            if (report.type !== "inbound-rtp") return;
            if (report.kind === "audio") { result.audioPacketsReceived += report.packetsReceived || 0; return; }
            for (const key of ["framesDecoded", "framesDropped", "freezeCount", "totalFreezesDuration",
                               "bytesReceived", "packetsReceived", "packetsLost", "nackCount", "pliCount",
                               "keyFramesDecoded"]) {
              result[key] += report[key] || 0;
            }
            result.frameWidth = report.frameWidth || result.frameWidth;
            result.frameHeight = report.frameHeight || result.frameHeight;
          });
          return result;
        }

        setInterval(async () => {
          if (!pc) return;
          const s = await playerStats();
          $("stats").textContent = `${s.frameWidth}x${s.frameHeight}, decoded ${s.framesDecoded}, ` +
            `dropped ${s.framesDropped}, freezes ${s.freezeCount} (${s.totalFreezesDuration.toFixed(1)} s), ` +
            `${s.bytesReceived} bytes, lost ${s.packetsLost}, NACK ${s.nackCount}, PLI ${s.pliCount}`;
        }, 1000);

        for (const name of ["stream", "token", "maxBitrate", "maxBitrateSeconds", "turn"]) {
          if (query.has(name)) $(name).value = query.get(name);
        }
        $("relay").checked = ["1", "on", "true"].includes(query.get("relay"));
        $("form").addEventListener("submit", (event) => { event.preventDefault(); start(); });
        $("stop").addEventListener("click", stop);
        addEventListener("pagehide", stop);
        if (query.get("stream") && query.get("token")) start();
        </script>
        </html>
        """#
}
