"""A lip-sync clip and its measurement, for the recorder's A/V sync test (issue 14).

The clip is made by ffmpeg's lavfi sources: 320 x 240 at 30 frame/s, black with a white flash of
100 ms at every whole second (drawbox enabled while mod(t,1) < 0.1), and 48 kHz mono silence
with a 1 kHz beep at half of full scale over the same 100 ms (aevalsrc, sample by sample):
FFV1 and PCM in Matroska, lossless, so flash and beep start within a sample of each other
(measured on the clip itself: 0.5 ms at most).

`ClipTracks` publishes it through aiortc. aiortc's MediaPlayer paces each track from that
track's own first read, so its two tracks can start tens of milliseconds apart, an offset that
would be the publisher's, not the mesh's. Here both tracks are paced from one start instant: a
frame of clip time t is handed to the encoder at start + t. `audio_delay` drops the audio
before that clip time, so audio starts late and its first frame is still stamped at its place
in the clip (an RTP timestamp origin of its own; only the sender reports tie it to the video).

`flash_onsets` and `beep_onsets` read a recorded file back (PyAV): the time of each video frame
that turns bright after a dark one, and of each audio sample that rises above a quarter of full
scale after 300 ms of quiet. `offsets` pairs each flash with the nearest beep.
"""

import asyncio
import fractions
import pathlib
import subprocess
import time

import array

import av
from aiortc import MediaStreamTrack

WIDTH, HEIGHT, FPS, RATE = 320, 240, 30, 48000
SAMPLES = 960
FLASH_S = 0.1


def make_clip(path: pathlib.Path, seconds: float) -> pathlib.Path:
    video = (f"color=c=black:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds},"
             f"drawbox=x=0:y=0:w=iw:h=ih:c=white:t=fill:enable='lt(mod(t\\,1)\\,{FLASH_S})'")
    # aevalsrc computes every sample (a filter's `enable` would switch per 1024-sample frame).
    audio = f"aevalsrc='0.5*sin(2*PI*1000*t)*lt(mod(t\\,1)\\,{FLASH_S})':s={RATE}:d={seconds}"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio,
                    "-c:v", "ffv1", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-ac", "1", str(path)],
                   check=True, timeout=120)
    return path


class _Pacer:
    """One start instant for both tracks: clip time t is handed over at start + t."""

    def __init__(self) -> None:
        self.start: float | None = None

    async def wait_until(self, clip_time: float) -> None:
        if self.start is None:
            self.start = time.monotonic() - clip_time
        delay = self.start + clip_time - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class _ClipTrack(MediaStreamTrack):
    def __init__(self, path: pathlib.Path, kind: str, pacer: _Pacer, skip_before: float = 0.0) -> None:
        super().__init__()
        self.kind = kind
        self._container = av.open(str(path))
        self._frames = self._container.decode(video=0) if kind == "video" else self._container.decode(audio=0)
        self._pacer = pacer
        self._skip_before = skip_before
        self._samples = 0
        self._pcm = bytearray()

    async def recv(self):
        if self.kind == "audio":
            return await self._recv_audio()
        frame = self._next()
        await self._pacer.wait_until(frame.time)
        frame.pts = round(frame.time * 90000)
        frame.time_base = fractions.Fraction(1, 90000)
        return frame

    def _next(self):
        while True:
            try:
                frame = next(self._frames)
            except StopIteration:
                self.stop()
                raise
            if frame.time is not None and frame.time >= self._skip_before:
                return frame

    async def _recv_audio(self):
        """Exactly 20 ms (960 samples) per frame, its pts the sample count: aiortc's Opus
        encoder gives every packet made from one input frame that frame's RTP timestamp, so
        the clip's 1024-sample frames would put two packets on one timestamp every 320 ms."""
        while len(self._pcm) < 2 * SAMPLES:
            frame = self._next()
            if self._samples == 0 and not self._pcm:
                self._samples = round(frame.time * RATE)
            self._pcm += bytes(frame.planes[0])[:2 * frame.samples]
        await self._pacer.wait_until(self._samples / RATE)
        mono = av.AudioFrame(format="s16", layout="mono", samples=SAMPLES)
        mono.planes[0].update(bytes(self._pcm[:2 * SAMPLES]))
        del self._pcm[:2 * SAMPLES]
        mono.sample_rate = RATE
        mono.pts = self._samples
        mono.time_base = fractions.Fraction(1, RATE)
        self._samples += SAMPLES
        return mono

    def stop(self) -> None:
        super().stop()
        self._container.close()


class ClipTracks:
    """The clip's video and audio tracks, paced together; audio from `audio_delay` s on."""

    def __init__(self, path: pathlib.Path, audio_delay: float = 0.0) -> None:
        pacer = _Pacer()
        self.video = _ClipTrack(path, "video", pacer)
        self.audio = _ClipTrack(path, "audio", pacer, skip_before=audio_delay)


def flash_onsets(path: pathlib.Path) -> list[float]:
    onsets, bright = [], False
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            plane = frame.planes[0]
            luma = sum(bytes(plane)) / (plane.line_size * plane.height)
            if luma > 128 and not bright:
                onsets.append(float(frame.time))
            bright = luma > 128
    return onsets


def beep_onsets(path: pathlib.Path, quiet_s: float = 0.3) -> list[float]:
    onsets: list[float] = []
    last_loud: float | None = None
    threshold = 32768 // 4
    # Opus decodes to float planes; one mono s16 conversion (same rate, so no resampling delay).
    to_s16 = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    with av.open(str(path)) as container:
        for decoded in container.decode(audio=0):
            assert decoded.sample_rate == RATE, decoded.sample_rate
            start = float(decoded.time)
            offset = 0
            for frame in to_s16.resample(decoded):
                samples = array.array("h", bytes(frame.planes[0])[:2 * frame.samples])
                for index, value in enumerate(samples):
                    if abs(value) > threshold:
                        at = start + (offset + index) / RATE
                        if last_loud is None or at - last_loud > quiet_s:
                            onsets.append(at)
                        last_loud = at
                offset += frame.samples
    return onsets


def offsets(flashes: list[float], beeps: list[float], window_s: float = 0.45) -> list[float]:
    """Beep minus flash (s) for each flash with a beep within `window_s`."""
    found = []
    for flash in flashes:
        nearest = min(beeps, key=lambda beep: abs(beep - flash), default=None)
        if nearest is not None and abs(nearest - flash) <= window_s:
            found.append(nearest - flash)
    return found
