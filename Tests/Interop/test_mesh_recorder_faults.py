"""Issue 14, the recorder's faults: a real PostgreSQL (meshpostgres), a real Redis and every node
a separate `meshcast node` process (origin-1, relay-1, edge-a, edge-b, recorder-1), aiortc
publishing numbered VP8 frames (framecode) and an Opus tone to streams the topology's
`policies.record: ["rec-*"]` matches.

- PostgreSQL stopped for 10 s during a recording (fast shutdown, then the same cluster again on
  the same port): the recording goes on (segments close during the outage, the outbox holds
  their rows: `meshcast_catalog_pending` > 0), and once PostgreSQL is back every row arrives:
  the recording stopped, every segment closed with the SHA-256 of its file, the segments'
  durations adding up within 2 % to the time published while recorded, and every numbered
  frame from the first recorded to the last there once and in order (nothing lost).
- `kill -9` of the recorder in the middle of a segment, then a restart as a supervisor would:
  the open `.part` is cut back to its last whole cluster and catalogued `recovered`, the
  interrupted recording is `failed` ("interrupted"), every segment file plays
  (`ffmpeg -v error -i FILE -f null -` prints nothing), the recovered segment's last frame
  was taken at most 2 s before the kill (the issue's bound: at most the open cluster), and the
  policy starts a new recording of the stream, which plays too.
"""

import asyncio
import json
import pathlib
import shutil
import time

import pytest

import meshpostgres
import results
from clients import publish
from conftest import running_mesh
from test_mesh_recorder import (api, ffmpeg_errors, ffprobe, frame_numbers, operator_token, recording_rows,
                                wait_for)

SEGMENT_SECONDS = 5
OUTAGE_SECONDS = 10.0
MAX_CRASH_LOSS_S = 2.0


@pytest.fixture(scope="module")
def fault_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    for tool in ("ffprobe", "ffmpeg"):
        if not shutil.which(tool):
            pytest.skip(f"needs {tool} (apt-get install ffmpeg)")
    directory = tmp_path_factory.mktemp("mesh_recorder_faults")
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    storage = directory / "recordings"
    options = {
        "recorder": {"storage": f"{{path: {storage}, segment_seconds: {SEGMENT_SECONDS}}}",
                     "postgres_url": postgres.url},
        "policies": {"record": '["rec-*"]'},
        "trace": False,
    }
    try:
        with running_mesh(request, directory, "mesh_recorder_faults", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()


def segment_rows(mesh, recording: str) -> list[list[str]]:
    return mesh.postgres.query(
        f"SELECT sequence, file, state, duration, coalesce(sha256, ''), frames FROM segments "
        f"WHERE recording_id = '{recording}' ORDER BY sequence")


def playable(mesh, segments: list[list[str]]) -> list[list[str]]:
    """The segments that hold media. One the catalog says is empty (no frames: a cut's key frame
    alone as the stream ended, or a `.part` killed in its first cluster) has no file, which
    /media skips; every other segment must play."""
    kept = []
    for segment in segments:
        if int(segment[5]) == 0:
            assert not (mesh.storage / segment[1]).exists(), f"an empty segment's file is left: {segment}"
            continue
        kept.append(segment)
    return kept


def recording_of(mesh, stream: str, token: str, exclude: tuple[str, ...] = ()) -> str:
    """The id of the recording of `stream` the recorder runs now (through the API, which
    needs PostgreSQL), other than `exclude`."""
    def listed():
        status, _, body = api(mesh, "GET", f"/v1/recordings?stream={stream}&state=recording", token)
        if status != 200:
            return None
        ids = [r["id"] for r in json.loads(body)["recordings"] if r["id"] not in exclude]
        return ids[0] if ids else None

    return wait_for(listed, 20, f"a recording of {stream} listed by the recorder")


def check_plays(path: pathlib.Path) -> dict:
    """ffprobe sees VP8 and Opus, ffmpeg decodes it without a word; the probe's figures."""
    errors = ffmpeg_errors(path)
    assert errors == "", f"ffmpeg -v error on {path.name}: {errors}"
    probe = ffprobe(path)
    kinds = {s["codec_type"]: s for s in probe["streams"]}
    assert set(kinds) == {"video", "audio"}, probe
    return {"file": path.name, "ffprobe_s": float(probe["format"]["duration"]),
            "video_frames": int(kinds["video"].get("nb_read_frames", 0))}


def test_postgres_outage_delays_rows_not_media(fault_mesh):
    mesh = fault_mesh
    stream = "rec-outage"
    token = operator_token(mesh)
    origin = mesh["origin-1"]
    recorder = mesh["recorder-1"]

    async def run() -> dict:
        publisher = await publish(origin, stream, origin.token(stream, "publish"))
        await publisher.connected()
        recording = await asyncio.to_thread(recording_of, mesh, stream, token)
        await asyncio.sleep(3.0)
        segments_before = recorder.metric_total("meshcast_recording_segments_total")
        mesh.postgres.halt()
        halted_at = time.monotonic()
        await asyncio.sleep(OUTAGE_SECONDS / 2)
        # Reads need PostgreSQL; the recording does not.
        read_status = (await asyncio.to_thread(api, mesh, "GET", f"/v1/recordings/{recording}", token))[0]
        await asyncio.sleep(OUTAGE_SECONDS / 2)
        pending = recorder.metric_total("meshcast_catalog_pending")
        segments_during = recorder.metric_total("meshcast_recording_segments_total") - segments_before
        mesh.postgres.start()
        back_at = time.monotonic()
        await asyncio.sleep(4.0)
        await publisher.close()
        return {"id": recording, "sent": list(publisher.source.sent), "outage_s": back_at - halted_at,
                "read_status_during_outage": read_status, "catalog_pending_during_outage": pending,
                "segments_closed_during_outage": segments_during}

    figures = asyncio.run(run())
    recording = figures["id"]
    assert figures["outage_s"] >= OUTAGE_SECONDS
    assert figures["read_status_during_outage"] == 503, figures
    assert figures["segments_closed_during_outage"] >= 1, figures
    assert figures["catalog_pending_during_outage"] >= 1, figures
    rows = wait_for(lambda: [r for r in recording_rows(mesh, stream) if r[0] == recording and r[1] != "recording"],
                    30, "the recording stopped in the catalog after PostgreSQL came back")
    assert rows[0][1] == "stopped", rows
    wait_for(lambda: recorder.metric_total("meshcast_catalog_pending") == 0, 10, "the outbox emptied")
    segments = segment_rows(mesh, recording)
    assert [int(s[0]) for s in segments] == list(range(len(segments))), f"a segment row is missing: {segments}"
    assert len(segments) >= 3, segments
    total = 0.0
    numbers: list[int | None] = []
    played = []
    for sequence, file, state, duration, sha, frames in playable(mesh, segments):
        assert state == "closed" and sha, (sequence, state, sha)
        path = mesh.storage / file
        played.append(check_plays(path))
        total += played[-1]["ffprobe_s"]
        numbers.extend(frame_numbers(path))
    read = [n for n in numbers if n is not None]
    sent = dict(figures.pop("sent"))
    recorded_s = sent[read[-1]] - sent[read[0]] + 1 / 30
    figures.update(segments=played, ffprobe_total_s=total, recorded_s=recorded_s,
                   error_pct=100 * (total - recorded_s) / recorded_s, first_frame=read[0], last_frame=read[-1])
    results.write("mesh_recorder_postgres_outage", figures)
    print(f"\nPostgreSQL away {figures['outage_s']:.1f} s: {figures['segments_closed_during_outage']:.0f} segment(s) "
          f"closed meanwhile, {figures['catalog_pending_during_outage']:.0f} change(s) held; {len(segments)} "
          f"segments, ffprobe total {total:.3f} s vs {recorded_s:.3f} s published ({figures['error_pct']:+.2f} %)")
    assert abs(total - recorded_s) <= 0.02 * recorded_s, figures
    assert read == list(range(read[0], read[-1] + 1)), "a frame is missing or out of order"


def test_kill9_mid_segment_recovers_and_resumes(fault_mesh):
    mesh = fault_mesh
    stream = "rec-crash"
    token = operator_token(mesh)
    origin = mesh["origin-1"]

    async def run() -> dict:
        publisher = await publish(origin, stream, origin.token(stream, "publish"))
        await publisher.connected()
        first = await asyncio.to_thread(recording_of, mesh, stream, token)
        # Into the second segment, half of it written: the kill lands mid-segment (timed from
        # the segment's row: the first frame comes a second or two after the recording starts).
        await asyncio.to_thread(wait_for, lambda: len(segment_rows(mesh, first)) >= 2, 20, "the second segment open")
        await asyncio.sleep(SEGMENT_SECONDS / 2)
        killed_at = mesh.kill9("recorder-1")
        sent_before_kill = len(publisher.source.sent)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(mesh["recorder-1"].restart)
        restarted_at = time.monotonic()
        second = await asyncio.to_thread(recording_of, mesh, stream, token, (first,))
        resumed_at = time.monotonic()
        await asyncio.sleep(SEGMENT_SECONDS + 3)
        await publisher.close()
        return {"first": first, "second": second, "killed_at": killed_at, "sent": list(publisher.source.sent),
                "frames_sent_before_kill": sent_before_kill, "restart_s": restarted_at - killed_at,
                "resumed_after_restart_s": resumed_at - restarted_at}

    figures = asyncio.run(run())
    first, second = figures["first"], figures["second"]
    rows = {r[0]: r for r in recording_rows(mesh, stream)}
    assert rows[first][1] == "failed" and "interrupted" in rows[first][5], rows[first]
    assert rows[first][4] == "rec-*" and rows[second][4] == "rec-*", rows
    segments = segment_rows(mesh, first)
    states = [s[2] for s in segments]
    assert "recovered" in states and "open" not in states, segments
    assert not list((mesh.storage / first).glob("*.part")), "a .part is left after recovery"
    played = []
    numbers: list[int | None] = []
    for sequence, file, state, duration, sha, frames in playable(mesh, segments):
        path = mesh.storage / file
        played.append({**check_plays(path), "state": state})
        numbers.extend(frame_numbers(path))
    read = [n for n in numbers if n is not None]
    sent = dict(figures.pop("sent"))
    killed_at = figures.pop("killed_at")
    # What the crash lost: from the last frame the recovered files hold to the kill.
    loss_s = killed_at - sent[read[-1]]
    figures.update(segments=played, last_frame_kept=read[-1], loss_s=loss_s)
    assert read == list(range(read[0], read[-1] + 1)), "a frame before the crash is missing or out of order"

    # The policy's new recording runs to the stream's end and plays.
    wait_for(lambda: [r for r in recording_rows(mesh, stream) if r[0] == second and r[1] == "stopped"], 20,
             "the resumed recording stopped after the publisher left")
    resumed = segment_rows(mesh, second)
    assert resumed and all(s[2] == "closed" for s in resumed), resumed
    resumed_numbers = []
    for sequence, file, state, duration, sha, frames in playable(mesh, resumed):
        played.append({**check_plays(mesh.storage / file), "state": state, "recording": "resumed"})
        resumed_numbers.extend(n for n in frame_numbers(mesh.storage / file) if n is not None)
    figures.update(resumed_first_frame=resumed_numbers[0], resumed_after_kill_s=sent[resumed_numbers[0]] - killed_at)
    results.write("mesh_recorder_kill9", figures)
    print(f"\nkill -9 mid-segment: last frame kept {read[-1]} taken {loss_s:.3f} s before the kill; restart "
          f"{figures['restart_s']:.1f} s after it, the policy's new recording listed "
          f"{figures['resumed_after_restart_s']:.1f} s later, its first frame taken "
          f"{figures['resumed_after_kill_s']:.1f} s after the kill")
    for segment in played:
        print(f"  {segment}")
    assert 0 <= loss_s <= MAX_CRASH_LOSS_S, figures
    assert resumed_numbers == list(range(resumed_numbers[0], resumed_numbers[-1] + 1))
