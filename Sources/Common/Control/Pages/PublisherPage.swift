/// `GET /publish`: sends the camera or the screen to this node over WHIP (RFC 9725).
///
/// Query fields fill the form (`stream`, `token`, `source=camera|screen`, `simulcast=1`,
/// `order=high-first` (list the full-size layer first, as many applications do; the node ranks
/// layers by what they carry), `codec=vp8|vp9|h264`, `maxBitrate` in bit/s, `width`, `height`);
/// `relay=1` (relay only), `turn=udp|tcp|tls` (one TURN listener); with both `stream` and `token`
/// present it starts at once. The ICE servers come from the `201`'s `Link` headers
/// (``ICEServerScript``). `window.meshcast` exposes the state, `stats()`, `pair()` and
/// `iceServers` for tests, and `setLayerActive(rid, active)`, which stops or restarts one
/// simulcast layer (`RTCRtpSender.setParameters`) as an encoder short of bandwidth or CPU does,
/// so tests can see what the mesh does when a layer goes (a recording's `layers: top`).
///
/// `codec` forces the video codec with `RTCRtpTransceiver.setCodecPreferences` (the chosen codec
/// and RTX only): `h264` is constrained baseline (`42e01f`) with packetization-mode 1, `vp9` is
/// profile 0, and every simulcast layer of VP9 is sent as its own stream (`scalabilityMode`
/// L1T3), not as Chromium's spatial layers in one stream. Empty leaves the browser's order.
enum PublisherPage: WebPage {
    static let path = "/publish"

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Meshcast · publish</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em; }
          label { margin-right: 1em; } video { width: 100%; max-height: 60vh; background: #000; }
          #stats { font-family: monospace; white-space: pre-wrap; }
        </style>
        <h1>Publish</h1>
        <form id="form">
          <label>Stream <input id="stream" required></label>
          <label>Token <input id="token" required size="40"></label>
          <label>Source <select id="source"><option>camera</option><option>screen</option></select></label>
          <label><input type="checkbox" id="simulcast"> Simulcast (3 layers)</label>
          <label>Codec <select id="codec"><option value="">any</option><option value="vp8">VP8</option>
            <option value="vp9">VP9</option><option value="h264">H.264</option></select></label>
          <label>Max bitrate (bit/s) <input id="maxBitrate" type="number" min="0" placeholder="none"></label>
          <label><input type="checkbox" id="relay"> Relay only (TURN)</label>
          <label>TURN <select id="turn"><option value="">any</option><option>udp</option>
            <option>tcp</option><option>tls</option></select></label>
          <button id="start">Start</button> <button id="stop" type="button" disabled>Stop</button>
        </form>
        <p>State: <b id="state">idle</b></p>
        <video id="preview" autoplay muted playsinline></video>
        <div id="stats"></div>
        <p><a href="/">Home</a> · <a href="/watch">Watch</a></p>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const query = new URLSearchParams(location.search);
        let pc = null, media = null, resource = null, token = "";

        \#(ICEServerScript.source)

        window.meshcast = { state: "idle", error: null, stats: publisherStats, iceServers: [],
                            pair: () => (pc ? selectedPair(pc) : null), setLayerActive };

        async function setLayerActive(rid, active) {
          const sender = pc && pc.getSenders().find((s) => s.track && s.track.kind === "video");
          if (!sender) throw new Error("no video sender");
          const parameters = sender.getParameters();
          const encoding = parameters.encodings.find((e) => e.rid === rid);
          if (!encoding) throw new Error(`no layer ${rid}`);
          encoding.active = active;
          await sender.setParameters(parameters);
        }

        function setState(state, error) {
          meshcast.state = state;
          meshcast.error = error || null;
          $("state").textContent = error ? `${state}: ${error}` : state;
        }

        function encodings(simulcast, maxBitrate) {
          if (!simulcast) return [maxBitrate ? { maxBitrate } : {}];
          // Low, half and full resolution; a cap applies to the top layer, lower ones get a share.
          const layers = [["q", 4], ["h", 2], ["f", 1]];
          if (query.get("order") === "high-first") layers.reverse();
          return layers.map(([rid, scale]) => {
            const layer = { rid, scaleResolutionDownBy: scale };
            if (maxBitrate) layer.maxBitrate = Math.max(30000, Math.round(maxBitrate / (scale * scale)));
            return layer;
          });
        }

        // What `codec=` asks for, as a test on a capability's mimeType and fmtp line.
        const codecChoices = {
          vp8: (mime) => mime === "video/vp8",
          vp9: (mime, fmtp) => mime === "video/vp9" && (fmtp.get("profile-id") || "0") === "0",
          h264: (mime, fmtp) => mime === "video/h264" && fmtp.get("packetization-mode") === "1"
            && (fmtp.get("profile-level-id") || "").toLowerCase() === "42e01f",
        };

        // Keeps only the chosen codec (and RTX) in the offer, so the node cannot answer another.
        function preferCodec(transceiver, name) {
          if (!name) return;
          const choose = codecChoices[name];
          if (!choose) throw new Error(`unknown codec ${name}`);
          const codecs = RTCRtpSender.getCapabilities("video").codecs;
          const fmtp = (codec) => new Map((codec.sdpFmtpLine || "").split(";").map((part) => part.split("=")));
          const chosen = codecs.filter((codec) => choose(codec.mimeType.toLowerCase(), fmtp(codec)));
          if (!chosen.length) throw new Error(`this browser cannot send ${name}`);
          const rtx = codecs.filter((codec) => codec.mimeType.toLowerCase() === "video/rtx");
          transceiver.setCodecPreferences([...chosen, ...rtx]);
        }

        // Chromium sends VP9 with several encodings as spatial layers of one stream unless each
        // encoding names a scalability mode; L1T3 makes them simulcast streams, as VP8's are.
        function withScalability(list, codec) {
          if (codec !== "vp9" || list.length < 2) return list;
          return list.map((layer) => ({ ...layer, scalabilityMode: "L1T3" }));
        }

        async function capture(source) {
          const size = { width: { ideal: Number(query.get("width")) || 1280 },
                         height: { ideal: Number(query.get("height")) || 720 } };
          if (source === "screen") return navigator.mediaDevices.getDisplayMedia({ video: size, audio: true });
          return navigator.mediaDevices.getUserMedia({ video: size, audio: true });
        }

        async function start() {
          const stream = $("stream").value.trim();
          token = $("token").value.trim();
          const maxBitrate = Number($("maxBitrate").value) || 0;
          $("start").disabled = true; $("stop").disabled = false;
          setState("connecting");
          try {
            media = await capture($("source").value);
            $("preview").srcObject = media;
            pc = new RTCPeerConnection($("relay").checked ? { iceTransportPolicy: "relay" } : {});
            pc.addEventListener("connectionstatechange", () => {
              if (pc.connectionState === "connected") setState("connected");
              if (pc.connectionState === "failed") setState("failed", "ICE or DTLS failed");
            });
            const codec = $("codec").value;
            for (const track of media.getTracks()) {
              const init = { direction: "sendonly", streams: [media] };
              if (track.kind === "video") {
                init.sendEncodings = withScalability(encodings($("simulcast").checked, maxBitrate), codec);
              }
              const transceiver = pc.addTransceiver(track, init);
              if (track.kind === "video") preferCodec(transceiver, codec);
            }
            resource = await exchange(pc, await pc.createOffer(), `/whip/${encodeURIComponent(stream)}`, token,
                                      $("relay").checked, $("turn").value);
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
          if (media) media.getTracks().forEach((track) => track.stop());
          pc = media = null;
          $("start").disabled = false; $("stop").disabled = true;
          setState("idle");
        }

        async function publisherStats() {
          const result = { framesEncoded: 0, bytesSent: 0, packetsSent: 0, nackCount: 0, pliCount: 0, codec: null,
                           layers: [] };
          if (!pc) return result;
          const reports = await pc.getStats();
          reports.forEach((report) => {
            if (report.type !== "outbound-rtp" || report.kind !== "video") return;
            const codec = reports.get(report.codecId);
            if (codec) result.codec = codec.mimeType;
            for (const key of ["framesEncoded", "bytesSent", "packetsSent", "nackCount", "pliCount"]) {
              result[key] += report[key] || 0;
            }
            result.layers.push({ rid: report.rid || null, frameWidth: report.frameWidth || 0,
                                 frameHeight: report.frameHeight || 0, framesPerSecond: report.framesPerSecond || 0,
                                 limitation: report.qualityLimitationReason || null });
          });
          result.layers.sort((a, b) => a.frameWidth - b.frameWidth);
          return result;
        }

        setInterval(async () => {
          if (!pc) return;
          const s = await publisherStats();
          const layers = s.layers.map((l) => `${l.rid || "-"} ${l.frameWidth}x${l.frameHeight}@${l.framesPerSecond}`);
          $("stats").textContent = `${s.codec || "-"}: encoded ${s.framesEncoded} frames, ${s.bytesSent} bytes, ` +
            `NACK ${s.nackCount}, PLI ${s.pliCount}; layers: ${layers.join(", ")}`;
        }, 1000);

        for (const name of ["stream", "token", "source", "codec", "maxBitrate", "turn"]) {
          if (query.has(name)) $(name).value = query.get(name);
        }
        $("relay").checked = ["1", "on", "true"].includes(query.get("relay"));
        $("simulcast").checked = ["1", "on", "true"].includes(query.get("simulcast"));
        $("form").addEventListener("submit", (event) => { event.preventDefault(); start(); });
        $("stop").addEventListener("click", stop);
        addEventListener("pagehide", stop);
        if (query.get("stream") && query.get("token")) start();
        </script>
        </html>
        """#
}
