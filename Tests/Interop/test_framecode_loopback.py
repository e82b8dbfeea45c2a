"""The frame-number barcode survives a real VP8 round trip between two aiortc peers.

No node needed: this proves the measuring instrument before the node tests rely on it.
"""

import asyncio
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender

import results
from media import AudioCounter, FrameCounter, NumberedVideoTrack, ToneAudioTrack, delivery, keep_ice_on_loopback


def prefer_vp8(transceiver) -> None:
    codecs = RTCRtpSender.getCapabilities("video").codecs
    transceiver.setCodecPreferences([c for c in codecs if c.mimeType in ("video/VP8", "video/rtx")])


async def loopback(seconds: float) -> dict:
    keep_ice_on_loopback()
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    video, audio = NumberedVideoTrack(), ToneAudioTrack()
    prefer_vp8(sender.addTransceiver(video, direction="sendonly"))
    sender.addTransceiver(audio, direction="sendonly")
    counters = {}

    @receiver.on("track")
    def on_track(track):
        counters[track.kind] = FrameCounter(track) if track.kind == "video" else AudioCounter(track)

    started = time.monotonic()
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    await asyncio.sleep(seconds)
    last_sent = video.sent[-1][0]
    await asyncio.sleep(1.0)  # let frames in flight arrive
    figures = delivery(video.sent, last_sent, counters["video"], started)
    figures["audio_frames"] = counters["audio"].frames
    for counter in counters.values():
        await counter.stop()
    await sender.close()
    await receiver.close()
    return figures


def test_barcode_survives_vp8_loopback():
    figures = asyncio.run(loopback(6.0))
    print(f"\nloopback VP8: {figures}")
    results.write("framecode_loopback", figures)
    assert figures["ratio"] >= 0.95, figures
    assert figures["in_order"], figures
    assert figures["unreadable"] <= 0.01 * figures["decoded"], figures
    assert figures["audio_frames"] > 0, figures
