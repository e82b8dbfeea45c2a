/// The JavaScript the publisher and player pages share to use a WHIP/WHEP `201`'s
/// `Link: <turn:...>; rel="ice-server"` headers (RFC 9725 §4.6).
///
/// The ICE servers arrive with the answer, after the offer was made, so the pages send the offer
/// from `createOffer()` and only then `setConfiguration` with the servers and
/// `setLocalDescription`: gathering starts with them and needs no ICE restart (RFC 9725 §4.6's
/// note). The node is ICE-lite and learns the client's address from its checks, so an offer
/// without candidates loses nothing. `relayOnly` sets `iceTransportPolicy: "relay"`; `turn`
/// (`udp`, `tcp`, `tls`) keeps only that listener.
enum ICEServerScript {
    static let source = #"""
        // RFC 8288 Link values with rel="ice-server" as RTCIceServer objects.
        function iceServersFromLinks(header) {
          const servers = [];
          for (const link of (header || "").matchAll(/<([^>]*)>([^<]*)/g)) {
            const params = {};
            for (const p of link[2].matchAll(/;\s*([\w-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))/g)) {
              params[p[1].toLowerCase()] = p[2] !== undefined ? p[2] : p[3];
            }
            if (!(params.rel || "").split(/\s+/).includes("ice-server")) continue;
            const server = { urls: link[1] };
            if (params.username !== undefined) server.username = params.username;
            if (params.credential !== undefined) server.credential = params.credential;
            servers.push(server);
          }
          return servers;
        }

        // Keeps the TURN servers of one transport: udp (turn: without transport, or udp), tcp, tls (turns:).
        function serversFor(servers, turn) {
          if (!turn) return servers;
          const matches = {
            udp: (url) => /^turn:/.test(url) && !/transport=tcp/.test(url),
            tcp: (url) => /^turn:/.test(url) && /transport=tcp/.test(url),
            tls: (url) => /^turns:/.test(url),
          }[turn];
          if (!matches) throw new Error(`unknown TURN transport ${turn}`);
          return servers.filter((server) => matches(server.urls));
        }

        // POSTs `offer` to `url`, then gathers with the ICE servers of the answer's Link headers.
        async function exchange(peer, offer, url, token, relayOnly, turn) {
          const response = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/sdp", "Authorization": `Bearer ${token}` },
            body: offer.sdp,
          });
          const body = await response.text();
          if (response.status !== 201) throw new Error(`${url.split("/")[1].toUpperCase()} answered ${response.status} ${body.trim()}`);
          const servers = serversFor(iceServersFromLinks(response.headers.get("Link")), turn);
          if (relayOnly && !servers.some((server) => /^turns?:/.test(server.urls))) {
            throw new Error("relay only, but the node named no TURN server");
          }
          meshcast.iceServers = servers.map((server) => server.urls);
          if (servers.length) {
            try {
              peer.setConfiguration({ ...peer.getConfiguration(), iceServers: servers });
            } catch (error) {
              if (relayOnly) throw error;  // direct still works without them
            }
          }
          await peer.setLocalDescription(offer);
          await peer.setRemoteDescription({ type: "answer", sdp: body });
          return new URL(response.headers.get("Location"), response.url).href;
        }

        // The candidate pair ICE chose: its local candidate's type, relay protocol and, for a
        // relay candidate, the TURN server's URL.
        async function selectedPair(peer) {
          const reports = await peer.getStats();
          let pair = null;
          reports.forEach((report) => {
            if (report.type === "transport" && report.selectedCandidatePairId) pair = reports.get(report.selectedCandidatePairId);
          });
          const local = pair && reports.get(pair.localCandidateId);
          return local ? { candidateType: local.candidateType, relayProtocol: local.relayProtocol || null, url: local.url || null } : null;
        }
        """#
}
