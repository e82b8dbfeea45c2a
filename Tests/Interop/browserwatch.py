"""What Chromium players show while a Chromium publisher sends one codec (the codec tests).

A player page is the node's /watch; its getStats() (W3C webrtc-stats: framesDecoded,
freezeCount, totalFreezesDuration, frameWidth) is read through window.meshcast.stats(), and the
negotiated codec of its inbound video through its peer connection (the page's `pc`).
"""

import asyncio
import time

from browser import stats, wait_for_state

KEYS = ("framesDecoded", "frameWidth", "frameHeight", "freezeCount", "totalFreezesDuration", "keyFramesDecoded",
        "pliCount", "packetsLost")

# The inbound video's codec as "mimeType fmtp" (webrtc-stats RTCCodecStats), or null.
INBOUND_CODEC = """async () => {
  if (!pc) return null;
  const reports = await pc.getStats();
  let found = null;
  reports.forEach((report) => {
    if (report.type !== "inbound-rtp" || report.kind !== "video") return;
    const codec = reports.get(report.codecId);
    if (codec) found = `${codec.mimeType} ${codec.sdpFmtpLine || ""}`.trim();
  });
  return found;
}"""


async def sample(page) -> dict:
    """The player's figures now, with the monotonic time they were read at."""
    figures = await stats(page)
    return {"t": time.monotonic(), **{key: figures[key] for key in KEYS}}


async def watch(pages: dict, seconds: float, every_s: float = 1.0, until_switch_s: float = 0.0
                ) -> dict[str, list[dict]]:
    """Samples every page once per `every_s` for `seconds`, then on for up to `until_switch_s`
    more while no page has changed picture size (a simulcast layer switch): {name: [sample, ...]}."""
    samples: dict[str, list[dict]] = {name: [await sample(page)] for name, page in pages.items()}
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        switched = any(summary(list_)["switches"] for list_ in samples.values())
        if elapsed >= seconds + until_switch_s or (elapsed >= seconds and (switched or not until_switch_s)):
            return samples
        await asyncio.sleep(every_s)
        for name, page in pages.items():
            samples[name].append(await sample(page))


def summary(samples: list[dict]) -> dict:
    """Frames, frame rate, freezes and resolutions between the first and the last sample."""
    first, last = samples[0], samples[-1]
    span = max(last["t"] - first["t"], 1e-6)
    frames = last["framesDecoded"] - first["framesDecoded"]
    return {
        "seconds": round(span, 1),
        "frames": frames,
        "fps": round(frames / span, 1),
        "freezes": last["freezeCount"] - first["freezeCount"],
        "frozen_s": round(last["totalFreezesDuration"] - first["totalFreezesDuration"], 3),
        "widths": sorted({s["frameWidth"] for s in samples if s["frameWidth"]}),
        # Simulcast layer switches the player decoded through: its picture size changed.
        "switches": sum(1 for a, b in zip(samples, samples[1:])
                        if a["frameWidth"] and b["frameWidth"] and a["frameWidth"] != b["frameWidth"]),
        "still": sum(1 for a, b in zip(samples, samples[1:]) if b["framesDecoded"] <= a["framesDecoded"]),
    }


async def republish(publisher, players: dict, gap_s: float = 0.5, timeout_s: float = 10.0) -> dict:
    """The publisher page stops (WHIP DELETE) and publishes again to the same stream after
    `gap_s`. Returns, per player, how long after the new publisher connected it decoded its
    third new frame (None: not within `timeout_s`), and the freeze the gap left."""
    before = {name: await sample(page) for name, page in players.items()}
    await publisher.evaluate("() => stop()")
    await asyncio.sleep(gap_s)
    await publisher.evaluate("() => start()")
    await wait_for_state(publisher, "connected")
    connected_at = time.monotonic()
    base = {name: (await sample(page))["framesDecoded"] for name, page in players.items()}
    resumed: dict[str, float | None] = {name: None for name in players}
    while any(value is None for value in resumed.values()) and time.monotonic() - connected_at < timeout_s:
        await asyncio.sleep(0.1)
        for name, page in players.items():
            if resumed[name] is None and (await sample(page))["framesDecoded"] >= base[name] + 3:
                resumed[name] = round(time.monotonic() - connected_at, 2)
    after = {name: await sample(page) for name, page in players.items()}
    return {
        "resumed_s": resumed,
        "gap_freeze_s": {name: round(after[name]["totalFreezesDuration"] - before[name]["totalFreezesDuration"], 3)
                         for name in players},
    }
