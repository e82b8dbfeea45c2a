"""Issue 14 item 3, a publisher reconnect: a real PostgreSQL, a real Redis and every node a
separate `meshcast node` process, `policies.record: ["rec-*"]`. aiortc publishes `rec-again`
for 4 s after its recording is catalogued, leaves, and publishes again 0.5 s later (inside the
recorder's 1.5 s of grace, so the same recording goes on) for 5 s more. The origin keeps the
stream's tracks and continues their sequence numbers, so the recorder sees no break in them;
the new sender's RTP timestamps start elsewhere. Then:

- there is one recording, and it holds both publishers: at least 3 s of media after the
  reconnect's gap (before the fix the second publisher's frames were timed with the first
  one's reports and nothing of them was written: 3.0 s recorded in all);
- its gaps include `publisher-reconnect` ones (one per track), each spanning the silence
  between the two senders (0.2-5 s), and none is `loss`;
- every segment plays (`ffmpeg -v error` prints nothing).

And a stream published again just after its recording stopped: the recorder still carries the
stream's layers with the last publisher's sender reports, and the new recording's first packets
came with them (`meshbench capacity` with reused stream names wrote audio hours ahead of the
video). The new recording's segments start their audio and video together and last about as
long as the second publisher sent.
"""

import asyncio
import json
import shutil
import subprocess

import pytest

import meshpostgres
from clients import publish
from conftest import running_mesh
from test_mesh_recorder import ffmpeg_errors, recording_rows, wait_for

STREAM = "rec-again"
ANEW = "rec-anew"


@pytest.fixture(scope="module")
def reconnect_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg (apt-get install ffmpeg)")
    directory = tmp_path_factory.mktemp("mesh_recorder_reconnect")
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    storage = directory / "recordings"
    options = {
        "recorder": {"storage": f"{{path: {storage}, segment_seconds: 3}}", "postgres_url": postgres.url},
        "policies": {"record": '["rec-*"]'},
        "trace": False,
    }
    try:
        with running_mesh(request, directory, "mesh_recorder_reconnect", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()


async def publish_twice(mesh, stream: str, between, second_seconds: float) -> None:
    """aiortc publishes `stream` on origin-1 until 4 s after its recording is catalogued and
    leaves; after `between()` it publishes again for `second_seconds`."""
    origin = mesh["origin-1"]
    first = await publish(origin, stream, origin.token(stream, "publish"))
    await first.connected()
    await asyncio.to_thread(wait_for, lambda: recording_rows(mesh, stream), 20, "the recording catalogued")
    await asyncio.sleep(4.0)
    await first.close()
    await between()
    second = await publish(origin, stream, origin.token(stream, "publish"))
    await second.connected()
    await asyncio.sleep(second_seconds)
    await second.close()


def test_a_publisher_reconnect_is_a_gap_of_its_own_and_recording_goes_on(reconnect_mesh):
    mesh = reconnect_mesh
    asyncio.run(publish_twice(mesh, STREAM, lambda: asyncio.sleep(0.5), 5.0))
    rows = wait_for(lambda: [r for r in recording_rows(mesh, STREAM) if r[1] != "recording"], 20,
                    "the recording stopped after the second publisher left")
    assert len(recording_rows(mesh, STREAM)) == 1, recording_rows(mesh, STREAM)
    recording = rows[0][0]
    assert rows[0][1] == "stopped", rows
    gaps = mesh.postgres.query(f"SELECT reason, at, duration FROM gaps WHERE recording_id = '{recording}' ORDER BY at")
    reconnects = [g for g in gaps if g[0] == "publisher-reconnect"]
    assert reconnects, f"no publisher-reconnect gap: {gaps}"
    assert all(0.2 <= float(g[2]) <= 5.0 for g in reconnects), reconnects
    assert not [g for g in gaps if g[0] == "loss"], gaps
    segments = mesh.postgres.query(
        f"SELECT file, duration FROM segments WHERE recording_id = '{recording}' ORDER BY sequence")
    total = sum(float(s[1]) for s in segments)
    # The second publisher sent 5 s: at least 3 of them are in the files after the gap (the
    # first key frame after the reconnect, and the last one before the stream ended, bound it).
    after = total - max(float(g[1]) + float(g[2]) for g in reconnects)
    assert after >= 3.0, f"{after:.2f} s of the second publisher in {total:.2f} s: {segments}, gaps {gaps}"
    for file, _ in segments:
        assert ffmpeg_errors(mesh.storage / file) == "", file
    print(f"\npublisher reconnect: {total:.2f} s recorded in {len(segments)} segments, {after:.2f} s after the "
          f"gap; gaps {gaps}")


def stream_times(path) -> dict[str, tuple[float, float]]:
    """Each stream's first and last packet time in seconds, by ffprobe."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=index,codec_type:packet=stream_index,pts_time",
         "-of", "json", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"ffprobe {path}: {result.stderr}"
    probe = json.loads(result.stdout)
    kinds = {stream["index"]: stream["codec_type"] for stream in probe["streams"]}
    times: dict[str, tuple[float, float]] = {}
    for packet in probe["packets"]:
        kind, at = kinds[packet["stream_index"]], float(packet["pts_time"])
        first, last = times.get(kind, (at, at))
        times[kind] = (min(first, at), max(last, at))
    return times


def test_a_stream_published_again_after_its_recording_stopped_is_timed_by_its_own_reports(reconnect_mesh):
    mesh = reconnect_mesh

    def stopped(count: int):
        rows = recording_rows(mesh, ANEW)
        return rows if len(rows) == count and all(row[1] != "recording" for row in rows) else None

    async def until_the_first_stopped() -> None:
        await asyncio.to_thread(wait_for, lambda: stopped(1), 20, "the first recording stopped")

    asyncio.run(publish_twice(mesh, ANEW, until_the_first_stopped, 6.0))
    rows = wait_for(lambda: stopped(2), 20, "two recordings, both stopped")
    newest = rows[-1]  # by start
    segments = mesh.postgres.query(
        f"SELECT file, duration FROM segments WHERE recording_id = '{newest[0]}' AND state = 'closed' "
        "ORDER BY sequence")
    assert segments, rows
    total = sum(float(d) for _, d in segments)
    figures = []
    for file, _ in segments:
        path = mesh.storage / file
        assert ffmpeg_errors(path) == "", file
        starts = stream_times(path)
        figures.append((file, starts))
        assert set(starts) == {"audio", "video"}, figures
        # Audio starts one CodecDelay (0.2 s) before the key frame, video at 0; both end
        # within a frame or two of each other (hours apart before the fix).
        (audio_start, audio_end), (video_start, video_end) = starts["audio"], starts["video"]
        assert abs(audio_start + 0.2) < 0.05 and abs(video_start) < 0.05, figures
        assert abs(audio_end - video_end) < 0.5, figures
    assert 3.0 <= total <= 7.0, f"{total:.2f} s recorded of 6 s published: {segments}"
    print(f"\npublished again after the recording stopped: {total:.2f} s in {len(segments)} segments; "
          f"starts {figures}")
