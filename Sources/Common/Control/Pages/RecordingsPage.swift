/// `GET /recordings`: a recorder's recordings for operators, newest first, with a player for the
/// finished ones.
///
/// The page itself is public and served by every node; its data comes from the recorder API on
/// the same node (`GET /v1/recordings`, issue 14), which needs an operator token (the `token`
/// query field or the form), sent as a Bearer token. On a node that is not a recorder the API
/// answers 404 and the page says so. A finished recording plays from
/// `GET /v1/recordings/{id}/media`: a `<video>` element cannot send an Authorization header, so
/// the page fetches the file with the token and plays it from a blob (the whole file is loaded
/// first; a token in the media URL would let the browser stream it with `Range`, but would put
/// an operator token in logs and history). `window.meshcast` exposes the list, the recording
/// playing and the last error, for tests.
enum RecordingsPage: WebPage {
    static let path = "/recordings"

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Meshcast · recordings</title>
        <style>
          body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #222; }
          header { background: #1d2733; color: #fff; padding: .7em 1em; }
          main { padding: 1em; display: grid; gap: 1em; }
          section { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: .8em 1em; overflow-x: auto; }
          table { border-collapse: collapse; width: 100%; } td, th { padding: .25em .5em; text-align: left; white-space: nowrap; }
          th { font-weight: 600; color: #556; border-bottom: 1px solid #ddd; }
          .recording { color: #e08a00; } .stopped { color: #1b9e5a; } .failed { color: #d33; }
          #form { display: none; } #form.shown { display: block; } #error { color: #d33; }
          video { max-width: 100%; background: #000; }
        </style>
        <header><b>Meshcast recordings</b> <span id="summary">connecting…</span></header>
        <main>
          <form id="form"><label>Operator token <input id="token" size="40" required></label> <button>Show</button></form>
          <p id="error"></p>
          <section><table><thead><tr><th>stream</th><th>state</th><th>started</th><th>duration</th><th>size</th>
            <th>policy</th><th>error</th><th></th></tr></thead><tbody id="recordings"></tbody></table>
            <button id="more" hidden>More</button></section>
          <section><h2 id="playing">Nothing playing</h2><video id="player" controls muted autoplay playsinline></video></section>
        </main>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const query = new URLSearchParams(location.search);
        let token = query.get("token") || "";
        const meshcast = { recordings: [], next: null, playing: null, error: null, updates: 0 };
        window.meshcast = meshcast;

        function fail(message) {
          meshcast.error = message;
          $("error").textContent = message;
        }

        async function api(path) {
          const response = await fetch(path, { headers: { "Authorization": `Bearer ${token}` }, cache: "no-store" });
          if (response.status === 401 || response.status === 403) {
            $("form").className = "shown";
            throw new Error(`the token was refused (${response.status}): an operator token is needed`);
          }
          if (response.status === 404 && path.startsWith("/v1/recordings?")) {
            throw new Error("this node records nothing: open this page on a recorder node");
          }
          if (!response.ok) throw new Error(`${path.split("?")[0]} answered ${response.status}`);
          return response;
        }

        function cell(row, text) {
          const td = document.createElement("td");
          td.textContent = text;
          row.appendChild(td);
          return td;
        }

        function size(bytes) {
          return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
        }

        function draw() {
          const body = $("recordings");
          body.replaceChildren();
          for (const recording of meshcast.recordings) {
            const row = document.createElement("tr");
            row.dataset.recording = recording.id;
            row.dataset.state = recording.state;
            cell(row, recording.stream);
            cell(row, recording.state).className = recording.state;
            cell(row, new Date(recording.startedAt).toLocaleString());
            cell(row, `${recording.duration.toFixed(1)} s`);
            cell(row, size(recording.bytes));
            cell(row, recording.policy || "API");
            cell(row, recording.error || "");
            const action = cell(row, "");
            if (recording.state !== "recording") {
              const button = document.createElement("button");
              button.textContent = "Play";
              button.dataset.play = recording.id;
              button.addEventListener("click", () => play(recording));
              action.appendChild(button);
            }
            body.appendChild(row);
          }
          $("more").hidden = !meshcast.next;
          $("summary").textContent = `${meshcast.recordings.length} recordings listed`;
        }

        async function load(more) {
          try {
            const after = more && meshcast.next ? `&after=${encodeURIComponent(meshcast.next)}` : "";
            const page = await (await api(`/v1/recordings?limit=50${after}`)).json();
            meshcast.recordings = more ? meshcast.recordings.concat(page.recordings) : page.recordings;
            meshcast.next = page.next || null;
            meshcast.updates += 1;
            meshcast.error = null;
            $("error").textContent = "";
            draw();
          } catch (error) {
            fail(error.message);
          }
        }

        async function play(recording) {
          try {
            $("playing").textContent = `Loading ${recording.stream}…`;
            const blob = await (await api(`/v1/recordings/${recording.id}/media`)).blob();
            const player = $("player");
            if (player.src) URL.revokeObjectURL(player.src);
            player.src = URL.createObjectURL(blob);
            meshcast.playing = recording.id;
            $("playing").textContent = `${recording.stream} · ${new Date(recording.startedAt).toLocaleString()}`;
            await player.play().catch(() => {});
          } catch (error) {
            fail(error.message);
          }
        }

        // The first page is read again every 5 s until "More" has added older ones to it.
        let expanded = false;
        async function refresh() {
          if (!expanded) await load(false);
          setTimeout(refresh, 5000);
        }

        $("more").addEventListener("click", () => {
          expanded = true;
          load(true);
        });
        $("form").addEventListener("submit", (event) => {
          event.preventDefault();
          token = $("token").value.trim();
          $("form").className = "";
          load(false);
        });
        if (token) refresh(); else $("form").className = "shown";
        </script>
        </html>
        """#
}
