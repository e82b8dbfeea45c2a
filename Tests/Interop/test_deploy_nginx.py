"""Issue 16, HTTPS in front: deploy/nginx/meshcast.conf in front of a local mesh, with a browser.

Debian's nginx runs the shipped server block once per node (origin-1, relay-1, edge-a, edge-b),
its EDIT values replaced: a free port on 127.0.0.1 instead of 443 and 80, the node's API as
upstream, a self-signed certificate the test makes with openssl (subjectAltName IP:127.0.0.1),
and deploy/nginx/meshcast-nodes.conf's proxy_redirect lines written for this mesh. One line is
added that a real host does not need: `proxy_bind 127.0.0.2`, so that nginx reaches the nodes
from another loopback address than the browser's (on one machine both would be 127.0.0.1).

The topology makes the two tell apart: region a is 127.0.0.2/32 (nginx) and region b is
127.0.0.1/32 (the browser), and only 127.0.0.2 is a trusted proxy. Headless Chromium (trusting
the certificate through Playwright's ignore_https_errors) publishes on origin-1's page over
https:// and watches on origin-1's player page: its WHEP POST is placed by origin-1, whose 307
names edge-b's API address, which nginx rewrites to edge-b's https:// front; Chromium follows
it cross-origin and decodes. The viewer lands on edge-b (region b) only if the node took the
region from X-Forwarded-For: from the peer address it would be region a (edge-a).
Also: the public side answers 404 for /metrics and /internal, and plain HTTP gets a 308 to https.
"""

import asyncio
import http.client
import json
import shutil
import ssl
import subprocess
import time

import pytest

import meshnode
from browser import CHROMIUM, chromium, stats, wait_for_state
from meshnode import free_tcp_port

CONF = meshnode.ROOT / "deploy" / "nginx" / "meshcast.conf"
NODES_CONF = meshnode.ROOT / "deploy" / "nginx" / "meshcast-nodes.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENTS = {"a": "127.0.0.2/32", "b": "127.0.0.1/32", "trusted_proxies": "127.0.0.2/32"}

pytestmark = [
    pytest.mark.skipif(not shutil.which(NGINX), reason="nginx is missing (scripts/interop-setup)"),
    pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is missing"),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is missing"),
]


def replaced(text: str, old: str, new: str) -> str:
    """`text` with `old` replaced; fails when the shipped file no longer holds `old`."""
    assert old in text, f"{CONF.name} no longer contains {old!r}: update this test with it"
    return text.replace(old, new)


def server_blocks(node, index: int, https_port: int, http_port: int, tls) -> str:
    """The shipped meshcast.conf for `node`, its EDIT values replaced."""
    text = CONF.read_text()
    text = replaced(text, "upstream meshcast_node ", f"upstream meshcast_node_{index} ")
    text = replaced(text, "http://meshcast_node;", f"http://meshcast_node_{index};")
    text = replaced(text, "server 10.0.2.10:8080;", f"server 127.0.0.1:{node.api_port};")
    text = replaced(text, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n")
    text = replaced(text, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
                    f"    listen 127.0.0.1:{https_port} ssl http2;\n    proxy_bind 127.0.0.2;\n")
    text = replaced(text, "server_name edge-a.example.net;", "server_name 127.0.0.1;")
    text = replaced(text, "/etc/meshcast/tls/fullchain.pem", str(tls / "cert.pem"))
    text = replaced(text, "/etc/meshcast/tls/privkey.pem", str(tls / "key.pem"))
    return replaced(text, "/etc/nginx/meshcast-nodes.conf", str(tls.parent / "meshcast-nodes.conf"))


def make_certificate(directory) -> None:
    directory.mkdir(parents=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
                   check=True, capture_output=True, timeout=60)


class Front:
    """nginx in front of every node of `mesh`: `https[node_id]` is the node's https:// base."""

    def __init__(self, directory, mesh) -> None:
        self.directory = directory
        tls = directory / "tls"
        make_certificate(tls)
        ports = {node_id: (free_tcp_port(), free_tcp_port()) for node_id in mesh.nodes}
        self.https = {node_id: f"https://127.0.0.1:{ports[node_id][0]}" for node_id in mesh.nodes}
        self.http = {node_id: f"http://127.0.0.1:{ports[node_id][1]}" for node_id in mesh.nodes}
        # The shipped example's form, one line per node of this mesh.
        assert NODES_CONF.read_text().count("proxy_redirect http://") == 4
        (directory / "meshcast-nodes.conf").write_text("".join(
            f"proxy_redirect http://127.0.0.1:{node.api_port}/ {self.https[node_id]}/;\n"
            for node_id, node in mesh.nodes.items()))
        servers = "\n".join(server_blocks(node, index, *ports[node_id], tls)
                            for index, (node_id, node) in enumerate(mesh.nodes.items()))
        (directory / "logs").mkdir()
        self.config = directory / "nginx.conf"
        self.config.write_text(f"""
daemon off;
user root;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/logs/access.log;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
{servers}
}}
""")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        check = subprocess.run([NGINX, "-t", "-c", str(self.config), "-p", str(self.directory)],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen([NGINX, "-c", str(self.config), "-p", str(self.directory)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            try:
                if self.get(self.https["origin-1"], "/")[0] == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, self.log("error.log")
            assert time.monotonic() < deadline, "nginx not answering within 15 s\n" + self.log("error.log")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            self.process.wait(15)

    def log(self, name: str) -> str:
        path = self.directory / "logs" / name
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def get(base: str, path: str) -> tuple[int, dict[str, str]]:
        scheme, _, hostport = base.partition("://")
        host, port = hostport.split(":")
        if scheme == "https":
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            connection = http.client.HTTPSConnection(host, int(port), timeout=10, context=context)
        else:
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()


def viewers_on(node, stream: str) -> int:
    status, _, body = node.request("GET", f"/v1/streams/{stream}")
    return json.loads(body).get("viewers", 0) if status == 200 else 0


async def publish_and_watch(mesh, front) -> dict:
    origin = front.https["origin-1"]
    publish_token = mesh["origin-1"].token("front", "publish")
    view_token = mesh["origin-1"].token("front", "view")
    async with chromium() as browser:
        context = await browser.new_context(ignore_https_errors=True)
        publisher = await context.new_page()
        await publisher.goto(f"{origin}/publish?stream=front&token={publish_token}")
        await wait_for_state(publisher, "connected")
        player = await context.new_page()
        await player.goto(f"{origin}/watch?stream=front&token={view_token}")
        await wait_for_state(player, "connected", timeout_s=20)
        await asyncio.sleep(3.0)
        return {"player": await stats(player), "page": player.url,
                "viewers": {node_id: viewers_on(node, "front") for node_id, node in mesh.nodes.items()}}


def test_browser_publishes_and_watches_through_nginx_https(start_mesh, tmp_path):
    mesh = start_mesh(trace=False, clients=CLIENTS)
    front = Front(tmp_path / "nginx", mesh)
    try:
        front.start()
        figures = asyncio.run(publish_and_watch(mesh, front))
        print(f"\nthrough nginx: {figures}")
        assert figures["player"]["framesDecoded"] > 0, figures["player"]
        assert figures["viewers"]["edge-b"] == 1 and figures["viewers"]["edge-a"] == 0, (
            f"the viewer (127.0.0.1, region b by X-Forwarded-For; nginx's own 127.0.0.2 is region a) "
            f"was not placed on edge-b: {figures['viewers']}")
        access = front.log("access.log")
        assert '"POST /whep/front?' in access and '"POST /whep/front HTTP' in access, access[-3000:]
        assert front.get(front.https["edge-b"], "/metrics")[0] == 404
        assert front.get(front.https["edge-b"], "/internal/v1/links")[0] == 404
        assert front.get(front.https["edge-b"], "/health")[0] == 404
        status, headers = front.get(front.http["origin-1"], "/watch?stream=front")
        assert status == 308 and headers["location"].startswith("https://"), (status, headers)
    finally:
        front.stop()
