"""WHEP through the mesh's placement: POST at any node, check its 307, follow it to the edge.

The redirect is followed as a browser's fetch follows a cross-origin 307: same method and
body, no Authorization header (the edge reads the `access_token` the Location carries).
The session then lives on the edge: DELETE goes to the Location of the edge's 201.
"""

import asyncio
import base64
import json
import time
import urllib.parse

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from clients import Session, viewer_session

SDP = "application/sdp"


def whep_path(stream: str, region: str | None = None) -> str:
    return f"/whep/{urllib.parse.quote(stream)}" + (f"?region={urllib.parse.quote(region)}" if region else "")


def placement_headers(token: str, forwarded_for: str | None) -> dict[str, str]:
    headers = {"Content-Type": SDP, "Authorization": f"Bearer {token}"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return headers


async def post_whep(entry, stream: str, token: str, sdp: bytes, forwarded_for: str | None = None,
                    region: str | None = None):
    """One WHEP POST at `entry`, not followed: (status, headers, body)."""
    return await asyncio.to_thread(entry.request, "POST", whep_path(stream, region), sdp,
                                   placement_headers(token, forwarded_for))


async def throwaway_offer() -> bytes:
    """A real recvonly offer from a peer connection that is closed at once (for probes whose
    answer is not meant to be used)."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp.encode()
    await pc.close()
    return sdp


class PlacedViewer(Session):
    """A WHEP viewer placed by the mesh. After `offer_placed`: `entry` (the node that answered
    307), `node` (the edge that answered 201), `redirect` (the Location), `unavailable`
    (Retry-After values of the 503s it waited through)."""

    entry = None
    redirect: str | None = None
    unavailable: list[str | None]

    async def offer_placed(self, mesh, entry, stream: str, forwarded_for: str | None = None,
                           region: str | None = None, expect_edge: str | None = None,
                           retry_503_s: float = 0.0) -> None:
        self.entry, self.unavailable = entry, []
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp = self.pc.localDescription.sdp.encode()
        path = whep_path(stream, region)
        self.posted_at = time.monotonic()
        deadline = self.posted_at + retry_503_s
        while True:
            status, headers, body = await post_whep(entry, stream, self.token, sdp, forwarded_for, region)
            if status == 503 and time.monotonic() < deadline:
                self.unavailable.append(headers.get("retry-after"))
                await asyncio.sleep(0.5)
                continue
            break
        assert status == 307, f"POST {path} at {entry.node_id} answered {status}, not 307: {body[:300]!r}"
        assert "location" in headers, f"{entry.node_id}'s 307 has no Location"
        self.redirect = urllib.parse.urljoin(entry.base + path, headers["location"])
        edge = mesh.node_for_url(self.redirect)
        target = urllib.parse.urlsplit(self.redirect)
        query = urllib.parse.parse_qs(target.query)
        assert target.path == urllib.parse.urlsplit(path).path, f"307 to another path: {self.redirect}"
        grant = placement_grant(query)
        assert grant.get("node") == edge.node_id, f"Location's grant does not name {edge.node_id}: {self.redirect}"
        assert query.get("access_token"), f"Location carries no access_token: {self.redirect}"
        if expect_edge:
            assert edge.node_id == expect_edge, f"placed on {edge.node_id}, want {expect_edge}: {self.redirect}"
        follow_headers = {"Content-Type": SDP}
        if forwarded_for:
            follow_headers["X-Forwarded-For"] = forwarded_for
        status, headers, body = await asyncio.to_thread(
            edge.request, "POST", target.path + "?" + target.query, sdp, follow_headers)
        assert status == 201, f"POST {self.redirect} answered {status}: {body[:300]!r}"
        assert headers.get("content-type", "").startswith(SDP), headers
        assert "location" in headers, "a 201 must carry Location (RFC 9725 §4.2)"
        self.node = edge
        self.location = urllib.parse.urljoin(self.redirect, headers["location"])
        await self.pc.setRemoteDescription(RTCSessionDescription(body.decode(), "answer"))


def placement_grant(query: dict) -> dict:
    """The claims of the `grant=` a placement redirect carries (a JWS whose middle part is
    base64url JSON); its signature is the nodes' to check."""
    grants = query.get("grant") or []
    assert len(grants) == 1, f"a placement redirect carries one grant, not {grants}"
    payload = grants[0].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def view_placed(mesh, entry, stream: str, token: str, **placement) -> PlacedViewer:
    """A viewer that POSTs at `entry` and follows the 307 (see PlacedViewer.offer_placed)."""
    viewer = viewer_session(entry, token, PlacedViewer)
    await viewer.offer_placed(mesh, entry, stream, **placement)
    return viewer


# Reading what the viewers got -------------------------------------------------------------

def readable(counter) -> list[tuple[int, float]]:
    """(frame number, decode time) of every frame whose barcode read."""
    return [(number, at) for number, at, _ in (counter.frames if counter else []) if number is not None]


def largest_gap(counter, start: float, end: float) -> float:
    """The longest time in [start, end] without a readable decoded frame, in seconds."""
    times = [start] + [at for _, at in readable(counter) if start < at < end] + [end]
    return max(b - a for a, b in zip(times, times[1:]))


def first_fresh_frame(sent: list[tuple[int, float]], counter, after: float) -> tuple[int, float] | None:
    """The first decoded frame that the publisher handed to its encoder after `after`: such a
    frame cannot have come over a path that was cut at `after`."""
    fresh = {number for number, at in sent if at > after}
    return next(((number, at) for number, at in readable(counter) if number in fresh), None)
