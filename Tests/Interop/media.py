"""aiortc media for the interop tests: a numbered video source, a tone, and a frame counter."""

import asyncio
import fractions
import math
import struct
import time

from aiortc import MediaStreamTrack, VideoStreamTrack
from av import AudioFrame

import framecode


def keep_ice_on_loopback() -> None:
    """Makes aiortc offer only 127.0.0.1 host candidates: the tests touch loopback only."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class NumberedVideoTrack(VideoStreamTrack):
    """30 frame/s, 320 x 240; frame n shows n as a block barcode (see framecode)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[int, float]] = []  # (number, monotonic time handed to the encoder)

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        number = len(self.sent)
        self.sent.append((number, time.monotonic()))
        return framecode.make_frame(number, pts, time_base)


class ToneAudioTrack(MediaStreamTrack):
    """A 400 Hz sine, 48 kHz mono s16, 20 ms per frame, paced in real time (Opus input)."""

    kind = "audio"
    RATE = 48000
    SAMPLES = 960  # 20 ms; 400 Hz has a period of 120 samples, so every frame is the same

    def __init__(self) -> None:
        super().__init__()
        samples = (int(8000 * math.sin(2 * math.pi * 400 * i / self.RATE)) for i in range(self.SAMPLES))
        self._pcm = struct.pack(f"<{self.SAMPLES}h", *samples)
        self._start: float | None = None
        self._pts = 0

    async def recv(self):
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += self.SAMPLES
            delay = self._start + self._pts / self.RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        frame = AudioFrame(format="s16", layout="mono", samples=self.SAMPLES)
        frame.planes[0].update(self._pcm)
        frame.sample_rate = self.RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.RATE)
        return frame


class FrameCounter:
    """Pulls every decoded frame from a remote video track and reads its number."""

    def __init__(self, track) -> None:
        self.frames: list[tuple[int | None, float, int]] = []  # (number or None, time, width)
        self._task = asyncio.ensure_future(self._run(track))

    async def _run(self, track) -> None:
        try:
            while True:
                frame = await track.recv()
                self.frames.append((framecode.read_frame(frame), time.monotonic(), frame.width))
        except Exception:  # MediaStreamError when the track ends
            pass

    @property
    def first_decoded_at(self) -> float | None:
        return self.frames[0][1] if self.frames else None

    async def stop(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


class AudioCounter:
    """Counts decoded audio frames from a remote audio track (proof that Opus flowed)."""

    def __init__(self, track) -> None:
        self.frames = 0
        self._task = asyncio.ensure_future(self._run(track))

    async def _run(self, track) -> None:
        try:
            while True:
                await track.recv()
                self.frames += 1
        except Exception:
            pass

    async def stop(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


def delivery(sent: list[tuple[int, float]], last_sent: int, counter: FrameCounter, joined_at: float) -> dict:
    """What a viewer got of the frames sent from its first decoded frame up to `last_sent`.

    Frames sent before the viewer's first picture cannot be shown (a viewer starts at a
    keyframe), so they do not count; the join time says how long that wait was.
    """
    readable = [number for number, _, _ in counter.frames if number is not None]
    unreadable = sum(1 for number, _, _ in counter.frames if number is None)
    if not readable:
        return {"decoded": 0, "unreadable": unreadable, "expected": 0, "ratio": 0.0, "in_order": False,
                "join_ms": None}
    first = readable[0]
    expected = [number for number, _ in sent if first <= number <= last_sent]
    got = set(readable) & set(expected)
    return {
        "first_number": first,
        "last_number": readable[-1],
        "decoded": len(readable),
        "unreadable": unreadable,
        "expected": len(expected),
        "received": len(got),
        "ratio": len(got) / len(expected) if expected else 0.0,
        "in_order": all(b > a for a, b in zip(readable, readable[1:])),
        "join_ms": round((counter.first_decoded_at - joined_at) * 1000, 1),
    }
