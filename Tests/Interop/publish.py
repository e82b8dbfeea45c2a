"""Publishes the numbered test video (VP8) and an Opus tone to a WHIP URL for N seconds.

    .venv-interop/bin/python Tests/Interop/publish.py --whip URL --token TOKEN --seconds 20 [--bitrate 1500000]

Used by scripts/measure-fanout as the one publisher. Prints `publishing` once connected and
`done` after deleting its session. aiortc caps VP8 at 1.5 Mbit/s and the node's REMB may
lower it; the bitrate asked for is the encoder's starting target.
"""

import argparse
import asyncio
import sys
import time
import urllib.parse
import urllib.request

import aiortc.codecs.vpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from clients import prefer_vp8
from media import NumberedVideoTrack, ToneAudioTrack, keep_ice_on_loopback


def request(method: str, url: str, token: str, body: bytes | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/sdp"
    call = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(call, timeout=10) as response:
        return response.status, response.headers, response.read()


async def publish(whip: str, token: str, seconds: float, bitrate: int) -> None:
    aiortc.codecs.vpx.DEFAULT_BITRATE = bitrate
    keep_ice_on_loopback()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    prefer_vp8(pc.addTransceiver(NumberedVideoTrack(), direction="sendonly"))
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
    arguments = parser.parse_args()
    asyncio.run(publish(arguments.whip, arguments.token, arguments.seconds, arguments.bitrate))


if __name__ == "__main__":
    sys.exit(main())
