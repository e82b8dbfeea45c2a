"""Issue 13: coturn's own client through the node's integrated TURN server over UDP, TCP and TLS.

The node runs `turn: {udp, relay_ports, relay_to: open, allow_peers: [127.0.0.0/8]}` with a
TURN REST secret; `turnutils_peer` (Debian's coturn) echoes on loopback. `turnutils_uclient -W`
mints its own REST credential from the secret, allocates on the node, installs permissions and
sends numbered messages as Send indications; the echoes come back as Data indications. The
test fails unless every message came back through the relay (uclient's own counts), the node
logged each allocation opening and closing with the bytes it carried, and a peer outside the
allow-list (10.0.0.1, on the deny list) is refused.

uclient runs with `-s` (Send indications): for channels it picks numbers in RFC 5766's
0x4000-0x7FFF, and RFC 8656 §12 answers those above 0x4FFF with 400, as this server does; the
ChannelBind and ChannelData paths are covered byte by byte in Tests/MeshTURNTests.

Over TCP (`-t`) and TLS (`-t -S`, a self-signed certificate from the topology) the same run
must relay every message (RFC 8656 §3.1 framing, the relayed side stays UDP), and each
allocation closes with its connection. SIGHUP re-reads the certificate: a new connection gets the new
one afterwards (the old one before), while a TLS allocation open across the reload relays every
message.

RFC 9725 §4.6: a WHIP `201` carries a `Link: <turn:...>; rel="ice-server"` with credentials
minted for that session; uclient relays with exactly those (`-u`, `-w`), and a second `201`
carries different ones. DELETE of the WHIP session ends the allocations made with its
credential within 1 s.
"""

import asyncio
import http.client
import json
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

import meshnode
import results

MESSAGES = 20
CLIENTS = 2


def start_turn_node(tmp_path, listeners: str = ""):
    """A node with TURN over UDP (and `listeners`, more entries of its `turn:` map) in open mode."""
    reason = meshnode.why_no_node()
    if reason:
        pytest.skip(f"needs a meshcast node: {reason}")
    if not (shutil.which("turnutils_uclient") and shutil.which("turnutils_peer")):
        pytest.skip("needs Debian's coturn (turnutils_uclient, turnutils_peer): run scripts/interop-setup")
    secret = secrets.token_hex(16)
    node = meshnode.MeshNode(tmp_path, {"MESHCAST_TURN_SECRET": secret})
    turn_port = meshnode.free_udp_range(1)[0]
    relay = meshnode.free_udp_range(50)
    while set(relay) & set(node.udp_ports) or turn_port in relay or turn_port in node.udp_ports:
        turn_port, relay = meshnode.free_udp_range(1)[0], meshnode.free_udp_range(50)
    text = node.topology.read_text()
    text = text.replace(
        "    workers: 2\n",
        "    workers: 2\n"
        f"    turn: {{udp: {turn_port}, {listeners}relay_ports: {relay[0]}-{relay[-1]}, relay_to: open, "
        "allow_peers: [127.0.0.0/8]}\n")
    text += "  turn: MESHCAST_TURN_SECRET\n"
    node.topology.write_text(text)
    node.start()
    return node, secret, turn_port, relay


def uclient(secret: str | None, port: int, peer_host: str, peer_port: int, timeout_s: float = 60,
            user: tuple[str, str] | None = None, transport: list[str] | None = None, messages: int = MESSAGES):
    """turnutils_uclient with Send indications; `transport` adds `-t` (TCP) or `-t -S` (TLS)."""
    auth = ["-u", user[0], "-w", user[1]] if user else ["-W", secret]
    command = ["turnutils_uclient", "-s", *(transport or []), *auth, "-p", str(port), "-e", peer_host,
               "-r", str(peer_port), "-n", str(messages), "-m", str(CLIENTS), "-l", "170", "-c", "127.0.0.1"]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)


def totals(output: str) -> tuple[int, int]:
    found = re.findall(r"start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)", output)
    assert found, f"uclient printed no totals:\n{output[-3000:]}"
    return int(found[-1][0]), int(found[-1][1])


def whip_links(node, stream: str) -> tuple[list[str], str]:
    """POSTs an aiortc offer to /whip/STREAM; returns every Link header of the 201 and its Location."""
    from aiortc import RTCPeerConnection

    import clients
    from media import NumberedVideoTrack

    async def offer() -> str:
        pc = RTCPeerConnection()
        clients.prefer_vp8(pc.addTransceiver(NumberedVideoTrack(), direction="sendonly"))
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return sdp

    sdp = asyncio.run(offer())
    connection = http.client.HTTPConnection(node.host, node.api_port, timeout=10)
    try:
        connection.request("POST", f"/whip/{stream}", body=sdp.encode(), headers={
            "Content-Type": "application/sdp", "Authorization": f"Bearer {node.token(stream, 'publish')}"})
        response = connection.getresponse()
        response.read()
        assert response.status == 201, f"WHIP answered {response.status}"
        links = [value for name, value in response.getheaders() if name.lower() == "link"]
        return links, response.getheader("Location")
    finally:
        connection.close()


def test_uclient_relays_through_the_node(tmp_path):
    node, secret, turn_port, relay = start_turn_node(tmp_path)
    peer_port = meshnode.free_udp_range(1)[0]
    peer = subprocess.Popen(["turnutils_peer", "-L", "127.0.0.1", "-p", str(peer_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        started = time.monotonic()
        run = uclient(secret, turn_port, "127.0.0.1", peer_port)
        elapsed = time.monotonic() - started
        output = run.stdout + run.stderr
        sent = re.findall(r"start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)", output)
        lost = re.search(r"Total lost packets (\d+)", output)
        assert run.returncode == 0, f"uclient exited {run.returncode}:\n{output[-3000:]}"
        assert sent, f"uclient printed no totals:\n{output[-3000:]}"
        total_sent, total_received = map(int, sent[-1])
        # Every message went out through the relay and its echo came back the same way.
        assert total_sent == MESSAGES * CLIENTS, output[-2000:]
        assert total_received == total_sent, output[-2000:]
        assert lost is not None and int(lost.group(1)) == 0, output[-2000:]

        # A peer on the deny list (10/8) is refused: nothing is relayed.
        denied = uclient(secret, turn_port, "10.0.0.1", peer_port, timeout_s=60)
        denied_output = denied.stdout + denied.stderr
        denied_totals = re.findall(r"start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)", denied_output)
        assert denied.returncode != 0 or (denied_totals and int(denied_totals[-1][1]) == 0), denied_output[-2000:]
        assert "403" in denied_output, denied_output[-2000:]
    finally:
        peer.terminate()
        peer.wait(5)
        status = node.stop()
    log = node.log_path.read_text(errors="replace")
    opened = re.findall(r"turn allocation opened user=\S+ from=udp/127\.0\.0\.1:\d+ relayed=127\.0\.0\.1:(\d+)", log)
    closed = re.findall(r"turn allocation closed .* bytes_from_client=(\d+) bytes_to_client=(\d+)", log)
    assert status in (0, -15, 143), f"node exited {status}:\n{node.log_tail()}"
    assert len(opened) >= CLIENTS and all(int(port) in relay for port in opened), node.log_tail()
    assert len(closed) == len(opened), node.log_tail()
    carried = sum(int(up) for up, _ in closed)
    assert carried >= MESSAGES * CLIENTS * 170, node.log_tail()
    results.write("node_turn_uclient", {
        "messages_sent": total_sent, "messages_received": total_received, "allocations": len(opened),
        "bytes_relayed_from_clients": carried, "uclient_seconds": round(elapsed, 2),
    })


def test_link_header_credentials_relay(tmp_path):
    node, _, turn_port, _ = start_turn_node(tmp_path)
    peer_port = meshnode.free_udp_range(1)[0]
    peer = subprocess.Popen(["turnutils_peer", "-L", "127.0.0.1", "-p", str(peer_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pattern = re.compile(r'<turn:127\.0\.0\.1:(\d+)\?transport=udp>; rel="ice-server"; '
                             r'username="([^"]+)"; credential="([^"]+)"; credential-type="password"')
        links, location = whip_links(node, "turn-a")
        first = [m for m in map(pattern.fullmatch, links) if m]
        second = [m for m in map(pattern.fullmatch, whip_links(node, "turn-b")[0]) if m]
        assert len(first) == 2 and len(second) == 2, "each 201 carries two UDP TURN Links"
        # The first UDP Link names the media port of the worker that owns the session, which
        # serves TURN too (issue 13, item 6), the second the listener; coturn's client allocates
        # on the first, and in open mode its peer is reached through a relayed socket there.
        link_port = int(first[0].group(1))
        assert link_port in node.udp_ports and int(first[1].group(1)) == turn_port, (first, node.udp_ports)
        assert first[0].group(2) == first[1].group(2), "one credential for every Link of a session"
        assert first[0].group(2) != second[0].group(2), "credentials are minted per session"
        expiry = int(first[0].group(2).split(":")[0])
        assert 11 * 3600 < expiry - time.time() <= 12 * 3600 + 5
        time.sleep(0.5)
        run = uclient(None, link_port, "127.0.0.1", peer_port, user=(first[0].group(2), first[0].group(3)))
        output = run.stdout + run.stderr
        assert run.returncode == 0, f"uclient exited {run.returncode}:\n{output[-3000:]}"
        sent, received = totals(output)
        assert sent == MESSAGES * CLIENTS and received == sent, output[-2000:]
        # A tampered password is refused (401): nothing is relayed.
        bad = uclient(None, link_port, "127.0.0.1", peer_port, timeout_s=30,
                      user=(first[0].group(2), "x" + first[0].group(3)))
        bad_output = bad.stdout + bad.stderr
        assert bad.returncode != 0 or totals(bad_output)[1] == 0, bad_output[-2000:]

        # DELETE of the WHIP session ends the allocations of the credential minted for it
        # within 1 s (the username carries the session id).
        username = re.escape(first[0].group(2))
        ended = re.compile(rf"turn allocation closed user={username} .* reason=session-ended")
        assert not ended.search(node.log_path.read_text(errors="replace")), "ended before the DELETE"
        path = location if location.startswith("/") else "/" + location.split("/", 3)[3]
        deleted_at = time.monotonic()
        status, _, _ = node.request("DELETE", path, None,
                                    {"Authorization": f"Bearer {node.token('turn-a', 'publish')}"})
        assert status == 200, f"DELETE answered {status}"
        while not ended.search(node.log_path.read_text(errors="replace")):
            assert time.monotonic() - deleted_at < 1.0, f"allocations outlived their session by 1 s:\n{node.log_tail(40)}"
            time.sleep(0.02)
        end_seconds = time.monotonic() - deleted_at
    finally:
        peer.terminate()
        peer.wait(5)
        node.stop()
    results.write("node_turn_link_credentials", {"messages_sent": sent, "messages_received": received,
                                                 "allocations_ended_after_delete_seconds": round(end_seconds, 3)})


def self_signed(directory, name: str) -> tuple[str, str]:
    """A fresh P-256 certificate and key (PEM) for CN=`name`, written into `directory`."""
    cert, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN={name}"],
                   check=True, capture_output=True)
    return str(cert), str(key)


def start_stream_turn_node(tmp_path):
    """The open-mode node with TCP and TLS listeners too; the TLS files are copies the test may replace."""
    cert, key = self_signed(tmp_path, "turn-first")
    shutil.copy(cert, tmp_path / "turn.pem")
    shutil.copy(key, tmp_path / "turn-key.pem")
    tcp_port, tls_port = meshnode.free_tcp_port(), meshnode.free_tcp_port()
    while tls_port == tcp_port:
        tls_port = meshnode.free_tcp_port()
    node, secret, _, _ = start_turn_node(
        tmp_path, f"tcp: {tcp_port}, tls: {{port: {tls_port}, cert: {tmp_path / 'turn.pem'}, "
                  f"key: {tmp_path / 'turn-key.pem'}}}, ")
    return node, secret, tcp_port, tls_port


def assert_all_relayed(run, messages: int = MESSAGES) -> tuple[int, int]:
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"uclient exited {run.returncode}:\n{output[-3000:]}"
    sent, received = totals(output)
    # Every message went out through the relay and its echo came back the same way.
    assert sent == messages * CLIENTS and received == sent, output[-2000:]
    return sent, received


@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_uclient_relays_over_tcp_and_tls(tmp_path, transport):
    """RFC 8656 §3.1: the client reaches the server over TCP or TLS; the relayed side is UDP."""
    node, secret, tcp_port, tls_port = start_stream_turn_node(tmp_path)
    port, flags = (tcp_port, ["-t"]) if transport == "tcp" else (tls_port, ["-t", "-S"])
    peer_port = meshnode.free_udp_range(1)[0]
    peer = subprocess.Popen(["turnutils_peer", "-L", "127.0.0.1", "-p", str(peer_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        started = time.monotonic()
        sent, received = assert_all_relayed(uclient(secret, port, "127.0.0.1", peer_port, transport=flags))
        elapsed = time.monotonic() - started
        # A peer on the deny list (10/8) is refused over a stream too.
        denied = uclient(secret, port, "10.0.0.1", peer_port, timeout_s=60, transport=flags)
        denied_output = denied.stdout + denied.stderr
        assert "403" in denied_output, denied_output[-2000:]
        # /metrics counts what happened: allocations by transport, challenges, 403s, relayed packets.
        metrics = node.metrics()
        def sample(line: str) -> float:
            found = re.search(rf"^{re.escape(line)} (\S+)$", metrics, re.M)
            assert found, f"no {line} in /metrics:\n{metrics[-3000:]}"
            return float(found.group(1))
        assert sample(f'meshcast_turn_allocations_opened_total{{transport="{transport}"}}') >= 2 * CLIENTS
        assert sample('meshcast_turn_responses_total{method="allocate",code="401"}') >= 2 * CLIENTS
        assert sample('meshcast_turn_responses_total{method="create_permission",code="403"}') >= 1
        assert sample('meshcast_turn_relayed_packets_total{direction="to_client",path="kernel"}') >= received
        # The connections closed with uclient, and their allocations with them.
        deadline = time.monotonic() + 5
        log = node.log_path.read_text(errors="replace")
        opened = re.findall(rf"turn allocation opened user=\S+ from={transport}/127\.0\.0\.1:(\d+)", log)
        closed = re.findall(rf"turn allocation closed user=\S+ from={transport}/127\.0\.0\.1:\d+ .* "
                            r"bytes_from_client=(\d+) bytes_to_client=(\d+)", log)
        while len(closed) < len(opened) and time.monotonic() < deadline:
            time.sleep(0.1)
            log = node.log_path.read_text(errors="replace")
            closed = re.findall(rf"turn allocation closed user=\S+ from={transport}/127\.0\.0\.1:\d+ .* "
                                r"bytes_from_client=(\d+) bytes_to_client=(\d+)", log)
    finally:
        peer.terminate()
        peer.wait(5)
        status = node.stop()
    assert status in (0, -15, 143), f"node exited {status}:\n{node.log_tail()}"
    assert len(opened) >= CLIENTS, node.log_tail()
    assert len(closed) == len(opened), f"allocations outlived their connections:\n{node.log_tail()}"
    carried = sum(int(up) for up, _ in closed)
    assert carried >= MESSAGES * CLIENTS * 170, node.log_tail()
    results.write(f"node_turn_uclient_{transport}", {
        "messages_sent": sent, "messages_received": received, "allocations": len(opened),
        "bytes_relayed_from_clients": carried, "uclient_seconds": round(elapsed, 2)})


def presented_certificate(port: int) -> bytes:
    """The DER certificate the TLS listener on 127.0.0.1:`port` presents to a new connection."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def der(path: str) -> bytes:
    with open(path) as pem:
        return ssl.PEM_cert_to_DER_cert(pem.read())


def test_tls_certificate_reloads_on_sighup_without_dropping_allocations(tmp_path):
    """SIGHUP re-reads the TLS certificate: new connections get the new one, and a TLS
    allocation open across the reload relays every message."""
    node, secret, _, tls_port = start_stream_turn_node(tmp_path)
    second_cert, second_key = self_signed(tmp_path, "turn-second")
    peer_port = meshnode.free_udp_range(1)[0]
    peer = subprocess.Popen(["turnutils_peer", "-L", "127.0.0.1", "-p", str(peer_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        assert presented_certificate(tls_port) == der(str(tmp_path / "turn-first.pem"))
        # 150 messages 20 ms apart per client: the allocations live through the reload.
        long_run = subprocess.Popen(
            ["turnutils_uclient", "-s", "-t", "-S", "-W", secret, "-p", str(tls_port), "-e", "127.0.0.1",
             "-r", str(peer_port), "-n", "150", "-m", str(CLIENTS), "-l", "170", "-c", "127.0.0.1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)
        shutil.copy(second_cert, tmp_path / "turn.pem")
        shutil.copy(second_key, tmp_path / "turn-key.pem")
        node.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "SIGHUP: TURN over TLS now presents" not in node.log_path.read_text(errors="replace"):
            assert time.monotonic() < deadline, node.log_tail(40)
            time.sleep(0.05)
        assert presented_certificate(tls_port) == der(second_cert), "new connections still get the old certificate"
        # GET /v1/turn lists the live TLS allocations for an operator token valid on every stream.
        publish = node.token("turn-ops", "publish")
        operator = node.resigned(publish, stream="*", action="operator", jti="turn-listing")
        assert node.request("GET", "/v1/turn")[0] == 401
        assert node.request("GET", "/v1/turn", headers={"Authorization": f"Bearer {publish}"})[0] == 403
        status, _, body = node.request("GET", "/v1/turn", headers={"Authorization": f"Bearer {operator}"})
        assert status == 200, body
        listed = [a for a in json.loads(body)["allocations"] if a["transport"] == "tls"]
        assert len(listed) >= CLIENTS, body
        assert all(a["client"].startswith("127.0.0.1:") and a["relayed"].startswith("127.0.0.1:") for a in listed), body
        assert any(a["permissions"] >= 1 for a in listed), body
        assert long_run.poll() is None, "the long run ended before the reload: it proves nothing"
        output, _ = long_run.communicate(timeout=60)
        assert long_run.returncode == 0, output[-3000:]
        sent, received = totals(output)
        assert sent == 150 * CLIENTS and received == sent, output[-2000:]
        assert_all_relayed(uclient(secret, tls_port, "127.0.0.1", peer_port, transport=["-t", "-S"]))
    finally:
        peer.terminate()
        peer.wait(5)
        status = node.stop()
    assert status in (0, -15, 143), f"node exited {status}:\n{node.log_tail()}"
