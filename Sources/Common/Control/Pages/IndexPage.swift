/// `GET /`: links to the publisher and the player, and says how to get a token.
enum IndexPage: WebPage {
    static let path = "/"

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Meshcast</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 44em; margin: 2em auto; padding: 0 1em; }
          code, pre { background: #f3f3f3; padding: 0 .2em; }
          pre { padding: .6em; overflow-x: auto; }
        </style>
        <h1>Meshcast</h1>
        <p>This node takes streams in over WHIP and serves them over WHEP.</p>
        <ul>
          <li><a href="/publish">Publish</a> your camera or screen (WHIP).</li>
          <li><a href="/watch">Watch</a> a stream (WHEP).</li>
        </ul>
        <h2>Tokens</h2>
        <p>Publishing and watching each need a signed token scoped to one stream. Mint them on a machine
          that has the mesh secret (<code>MESHCAST_SECRET</code>):</p>
        <pre>meshcast token --stream demo --publish --ttl 3600
        meshcast token --stream demo --view --ttl 3600</pre>
        <p>Paste the token into the page's form, or put everything in the address, which starts at once:</p>
        <pre>/publish?stream=demo&amp;token=…&amp;source=camera&amp;simulcast=1&amp;codec=vp9
        /watch?stream=demo&amp;token=…&amp;maxBitrate=300000&amp;maxBitrateSeconds=10</pre>
        <p><code>codec</code> is <code>vp8</code>, <code>vp9</code> or <code>h264</code> (constrained baseline);
          without it the browser picks.</p>
        <p>Other tools: <code>GET /v1/streams/{stream}</code> describes a stream as JSON,
          <code>GET /metrics</code> is Prometheus text, <code>GET /ready</code> answers 200 once the node serves.
          Operators: <a href="/dashboard">/dashboard</a> shows the mesh, and on a recorder node
          <a href="/recordings">/recordings</a> lists its recordings with a player.</p>
        </html>
        """#
}
