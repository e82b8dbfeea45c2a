"""aiortc WHIP publisher and WHEP viewer that talk to a MeshNode (non-trickle, RFC 9725)."""

import asyncio
import time
import urllib.parse

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription

from media import AudioCounter, FrameCounter, NumberedVideoTrack, ToneAudioTrack


def prefer_vp8(transceiver) -> None:
    codecs = RTCRtpSender.getCapabilities("video").codecs
    transceiver.setCodecPreferences([c for c in codecs if c.mimeType in ("video/VP8", "video/rtx")])


class Session:
    """One WHIP or WHEP session: its peer connection and its resource URL on the node."""

    def __init__(self, node, pc: RTCPeerConnection, token: str) -> None:
        self.node, self.pc, self.token = node, pc, token
        self.location: str | None = None
        self.posted_at = 0.0
        self.video: FrameCounter | None = None
        self.audio: AudioCounter | None = None
        self.source: NumberedVideoTrack | None = None

    async def offer(self, path: str) -> None:
        """Gathers every candidate (aiortc does so in setLocalDescription), POSTs the offer,
        applies the 201's answer."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.posted_at = time.monotonic()
        status, headers, body = await asyncio.to_thread(
            self.node.request, "POST", path, self.pc.localDescription.sdp.encode(),
            {"Content-Type": "application/sdp", "Authorization": f"Bearer {self.token}"})
        assert status == 201, f"POST {path} answered {status}: {body[:300]!r}"
        assert headers.get("content-type", "").startswith("application/sdp"), headers
        assert "location" in headers, "a 201 must carry Location (RFC 9725 §4.2)"
        self.location = urllib.parse.urljoin(self.node.base + path, headers["location"])
        await self.pc.setRemoteDescription(RTCSessionDescription(body.decode(), "answer"))

    async def connected(self, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.pc.connectionState != "connected":
            assert self.pc.connectionState != "failed", "ICE or DTLS failed"
            assert time.monotonic() < deadline, f"not connected after {timeout_s} s ({self.pc.connectionState})"
            await asyncio.sleep(0.05)

    async def close(self) -> int:
        """DELETE the resource (RFC 9725 §4.2: ends the session), then close; returns the status."""
        status = 0
        if self.location:
            path = urllib.parse.urlsplit(self.location).path
            status, _, _ = await asyncio.to_thread(
                self.node.request, "DELETE", path, None, {"Authorization": f"Bearer {self.token}"})
        for counter in (self.video, self.audio):
            if counter:
                await counter.stop()
        await self.pc.close()
        return status


async def publish(node, stream: str, token: str) -> Session:
    """WHIP: numbered VP8 video plus an Opus tone."""
    session = Session(node, RTCPeerConnection(RTCConfiguration(iceServers=[])), token)
    session.source = NumberedVideoTrack()
    prefer_vp8(session.pc.addTransceiver(session.source, direction="sendonly"))
    session.pc.addTransceiver(ToneAudioTrack(), direction="sendonly")
    await session.offer(f"/whip/{urllib.parse.quote(stream)}")
    return session


def viewer_session(node, token: str, kind: type = Session) -> Session:
    """A WHEP viewer not yet offered: receive-only video and audio, every decoded frame read
    by a FrameCounter."""
    session = kind(node, RTCPeerConnection(RTCConfiguration(iceServers=[])), token)
    session.pc.addTransceiver("video", direction="recvonly")
    session.pc.addTransceiver("audio", direction="recvonly")

    @session.pc.on("track")
    def on_track(track):
        if track.kind == "video":
            session.video = FrameCounter(track)
        else:
            session.audio = AudioCounter(track)

    return session


async def view(node, stream: str, token: str, query: str = "") -> Session:
    """WHEP: receive-only video and audio, every decoded frame read by a FrameCounter."""
    session = viewer_session(node, token)
    await session.offer(f"/whep/{urllib.parse.quote(stream)}" + (f"?{query}" if query else ""))
    return session
