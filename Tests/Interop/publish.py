"""Publishes the numbered test video (VP8) and an Opus tone to a WHIP URL for N seconds.

    .venv-interop/bin/python Tests/Interop/publish.py --whip URL --token TOKEN --seconds 20 [--bitrate 1500000]

Used by scripts/measure-fanout as the one publisher. Prints `publishing` once connected and
`done` after deleting its session. aiortc caps VP8 at 1.5 Mbit/s and the node's REMB may
lower it; the bitrate asked for is the encoder's starting target. The plain numbered frames
compress to a few hundred kbit/s, so by default the lower half of each frame is fresh noise,
which makes the encoder spend its target (`--plain` turns that off).
"""

import argparse
import asyncio
import os
import sys
import time
import urllib.parse
import urllib.request

import aiortc.codecs.vpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from clients import prefer_vp8
from framecode import HEIGHT
from media import NumberedVideoTrack, ToneAudioTrack, keep_ice_on_loopback


class TexturedVideoTrack(NumberedVideoTrack):
    """The numbered frames with fresh noise in the lower half of the luma plane."""

    async def recv(self):
        frame = await super().recv()
        plane = frame.planes[0]
        luma = bytearray(bytes(plane))
        start = plane.line_size * (HEIGHT // 2)
        luma[start:] = os.urandom(len(luma) - start)
        plane.update(bytes(luma))
        return frame


def request(method: str, url: str, token: str, body: bytes | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/sdp"
    call = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(call, timeout=10) as response:
        return response.status, response.headers, response.read()


async def publish(whip: str, token: str, seconds: float, bitrate: int, plain: bool) -> None:
    aiortc.codecs.vpx.DEFAULT_BITRATE = bitrate
    keep_ice_on_loopback()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    source = NumberedVideoTrack() if plain else TexturedVideoTrack()
    prefer_vp8(pc.addTransceiver(source, direction="sendonly"))
    pc.addTransceiver(ToneAudioTrack(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    status, headers, body = await asyncio.to_thread(request, "POST", whip, token, pc.localDescription.sdp.encode())
    if status != 201:
        raise SystemExit(f"POST {whip} answered {status}: {body[:300]!r}")
    location = urllib.parse.urljoin(whip, headers["Location"])
    await pc.setRemoteDescription(RTCSessionDescription(body.decode(), "answer"))
    deadline = time.monotonic() + 10
    while pc.connectionState != "connected":
        if pc.connectionState == "failed" or time.monotonic() > deadline:
            raise SystemExit(f"publisher not connected ({pc.connectionState})")
        await asyncio.sleep(0.05)
    print("publishing", flush=True)
    await asyncio.sleep(seconds)
    try:
        await asyncio.to_thread(request, "DELETE", location, token)
    finally:
        await pc.close()
    print("done", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--whip", required=True, help="WHIP URL, http://HOST:PORT/whip/STREAM")
    parser.add_argument("--token", required=True, help="bearer token with the publish scope")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--bitrate", type=int, default=1_500_000, help="VP8 target, bit/s (aiortc caps it at 1.5M)")
    parser.add_argument("--plain", action="store_true", help="the plain numbered frames, no noise")
    arguments = parser.parse_args()
    asyncio.run(publish(arguments.whip, arguments.token, arguments.seconds, arguments.bitrate, arguments.plain))


if __name__ == "__main__":
    sys.exit(main())
