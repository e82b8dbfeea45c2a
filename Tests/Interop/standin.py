"""A stand-in for the node, built on aiortc, so the pages can be tried before the node exists.

It serves the pages at the node's paths and answers WHIP and WHEP the way the node will
(201 + SDP answer + Location; DELETE ends a session), forwarding one publisher's tracks to
any number of viewers through aiortc's MediaRelay. No simulcast, no bitrate caps, no tokens:
it checks the pages' signalling and media plumbing, not the node.
"""

import asyncio
import itertools
import urllib.parse

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay

import pages


class StandInNode:
    def __init__(self) -> None:
        self.html = pages.load()
        self.relay = MediaRelay()
        self.tracks: dict[str, list] = {}  # stream -> tracks received over WHIP
        self.sessions: dict[str, RTCPeerConnection] = {}
        self.ids = itertools.count(1)
        self.server = None
        self.port = 0

    async def start(self, port: int = 0) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        for pc in self.sessions.values():
            await pc.close()
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader, writer) -> None:
        try:
            request = (await reader.readline()).decode().split()
            headers = {}
            while (line := (await reader.readline()).decode().strip()):
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, kind, payload, extra = await self._route(request[0], urllib.parse.urlsplit(request[1]).path, body)
        except Exception as error:  # a stand-in: report, do not crash
            status, kind, payload, extra = 500, "text/plain", str(error).encode(), {}
        head = [f"HTTP/1.1 {status} X", f"Content-Type: {kind}", f"Content-Length: {len(payload)}", "Connection: close"]
        head += [f"{key}: {value}" for key, value in extra.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        writer.close()

    async def _route(self, method: str, path: str, body: bytes):
        if method == "GET" and path in pages.ROUTES:
            return 200, "text/html; charset=utf-8", self.html[pages.ROUTES[path]].encode(), {}
        if method == "GET" and path == "/ready":
            return 200, "text/plain", b"ready", {}
        if method == "GET" and path == "/metrics":
            return 200, "text/plain", b"meshcast_drops_total 0\n", {}
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 2 and parts[0] in ("whip", "whep"):
            answer, location = await (self._whip if parts[0] == "whip" else self._whep)(parts[1], body.decode())
            return 201, "application/sdp", answer.encode(), {"Location": location}
        if method == "DELETE" and path.startswith("/session/") and path[9:] in self.sessions:
            await self.sessions.pop(path[9:]).close()
            return 200, "text/plain", b"", {}
        return 404, "text/plain", b"not found", {}

    async def _answer(self, pc: RTCPeerConnection) -> tuple[str, str]:
        await pc.setLocalDescription(await pc.createAnswer())
        session = str(next(self.ids))
        self.sessions[session] = pc
        return pc.localDescription.sdp, f"/session/{session}"

    async def _whip(self, stream: str, offer: str):
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.tracks[stream] = []
        pc.on("track", lambda track: self.tracks[stream].append(track))
        await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        return await self._answer(pc)

    async def _whep(self, stream: str, offer: str):
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        for track in self.tracks.get(stream, []):
            pc.addTrack(self.relay.subscribe(track))
        return await self._answer(pc)
