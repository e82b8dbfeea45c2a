"""Issue 14, dedicated recorder nodes: a real PostgreSQL (meshpostgres), a real Redis and every
node a separate `meshcast node` process (origin-1, relay-1, edge-a, edge-b, recorder-1), the
recorder fed over a relay link through placement like an edge.

- Policy: aiortc publishes `rec-policy` (matching the topology's `policies.record: ["rec-*"]`)
  for 20 s after its recording is listed, then stops. The recording must end on its own (the
  stream ended), its catalog rows must be there (recording stopped, tracks, closed segments
  with the SHA-256 of their files), `ffprobe` must report VP8 video and Opus audio in every
  segment, the segments' durations must add up within 2 % to the time published while recorded
  (from the first recorded frame to the last, in the publisher's media time: the frames are
  numbered, 30 a second), `ffmpeg -v error -i FILE -f null -` must print nothing for each segment, and decoding the
  segments (PyAV) must give every numbered frame (framecode) from the first recorded to the
  last sent, once and in order.
  The recorder joins once the stream is published (it learns of it from Redis); how long after
  the publisher connected its first recorded frame was taken is printed and kept in the results.
- MP4 (the post-processing job): the policy is `{match: "rec-*", mp4: remux}`, so the stopped
  policy recording gets a `remux-mp4` job, which a recorder claims from PostgreSQL and runs
  ffmpeg for (VP8 has no MP4 mapping: its video is re-encoded to H.264, the Opus copied); the
  job is `done` in `GET /v1/recordings/{id}`, `/mp4` serves the file, which ffprobe reads as
  H.264 + Opus with a duration within 2 % of the segments'. The API recording is given a
  `transcode-mp4` job through `POST /v1/recordings/{id}/jobs` (409 while it records, 400 for a
  bad kind, 404 for an unknown id): H.264 + AAC, within 2 %, `Range` served, jobs by state in
  the recorder's metrics.
- Any node: origin-1 (no recordings of its own) answers `/v1/recordings` requests with a `307`
  to recorder-1 (the recorder placement picks), after checking the token (401 without one).
- API: start, stop twice, list (stream and state filters, paging), detail, a segment
  downloaded whole and with `Range`, the whole recording as one file (`/media`: 409 while it
  records, then the segments joined: ffmpeg decodes it cleanly, ffprobe's duration within 2 % of
  the segments', `Range` served), delete; bad ids, bad bodies and bad tokens get 4xx.
- Simulcast (headless Chromium's fake 1280x720 camera in three layers, q 1/4, h 1/2, f full
  size, from the origin's publisher page, as test_node_simulcast_order.py publishes):
  `layers: top` (`rec-sim`, matching `rec-*`): the publisher stops its top layer mid-recording
  (`setParameters`, `active: false`, as an encoder short of bandwidth does) and starts it again;
  the recording goes on, on the lower layer, and back: the catalog's segments name their layer
  (f, then h, then f), each segment's video is no larger than its layer (ffprobe) and f's
  differ from h's, every segment plays (`ffmpeg -v error` prints nothing). `layers: all`
  started through the API (`POST /v1/recordings {stream: all-sim, layers: "all"}`: 201): one
  video track per layer in the catalog (by rid) and in every segment after the first, each at
  its own size and no larger than its layer, every segment playing. The topology also lists
  `{match: "rec-all-*", layers: all}` first, so a node starts with a `layers` policy.
"""

import asyncio
import hashlib
import json
import pathlib
import shutil
import subprocess
import time
import urllib.parse

import av
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

import framecode
import meshpostgres
import results
from clients import Session, prefer_vp8, publish
from conftest import running_mesh
from media import NumberedVideoTrack, ToneAudioTrack
from meshnode import binary

POLICY_STREAM = "rec-policy"
API_STREAM = "api-rec"
SEGMENT_SECONDS = 5
PUBLISH_SECONDS = 20.0


@pytest.fixture(scope="module")
def recorder_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    for tool in ("ffprobe", "ffmpeg"):
        if not shutil.which(tool):
            pytest.skip(f"needs {tool} (apt-get install ffmpeg)")
    directory = tmp_path_factory.mktemp("mesh_recorder")
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    storage = directory / "recordings"
    options = {
        "recorder": {"storage": f"{{path: {storage}, segment_seconds: {SEGMENT_SECONDS}}}",
                     "postgres_url": postgres.url},
        "policies": {"record": '[{match: "rec-all-*", layers: all}, {match: "rec-*", mp4: remux}]'},
        "trace": False,
    }
    try:
        with running_mesh(request, directory, "mesh_recorder", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()


def operator_token(mesh) -> str:
    node = mesh["recorder-1"]
    result = subprocess.run([str(binary()), "token", "--operator"], capture_output=True, text=True,
                            env=node.env, timeout=30, check=True)
    return result.stdout.strip().splitlines()[-1].strip()


def api(mesh, method: str, path: str, token: str | None, body: dict | bytes | None = None,
        headers: dict[str, str] | None = None):
    node = mesh["recorder-1"]
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    elif body is not None:
        data = body
    return node.request(method, path, data, sent)


def wait_for(check, timeout_s: float, what: str, interval_s: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def ffprobe(path: pathlib.Path) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
         "format=duration:stream=codec_type,codec_name,nb_read_frames,duration", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"ffprobe {path}: {result.stderr}"
    return json.loads(result.stdout)


def ffmpeg_errors(path: pathlib.Path) -> str:
    """What `ffmpeg -v error -i FILE -f null -` prints (the issue's check: nothing)."""
    result = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
                            capture_output=True, text=True, timeout=120)
    return (result.stdout + result.stderr).strip()


def published_span(numbers: list[int]) -> float:
    """Seconds of video from frame `numbers[0]` to the end of `numbers[-1]`, in the publisher's
    media time: `NumberedVideoTrack` stamps frame n at n/30 s (aiortc's `next_timestamp`). Its
    send times are not that: when its loop falls behind under load it sends the late frames back
    to back (in one clean-clone CI run, 172 frames in 3.52 s), and a recording follows the
    timestamps, as players do."""
    return (numbers[-1] - numbers[0] + 1) / 30


def frame_numbers(path: pathlib.Path) -> list[int | None]:
    """The number each decoded video frame of a segment shows (framecode barcodes)."""
    with av.open(str(path)) as container:
        return [framecode.read_frame(frame) for frame in container.decode(video=0)]


def job_done(mesh, token: str, recording: str, kind: str, timeout_s: float = 90) -> dict:
    """Waits for the recording's job of `kind` to end; returns it (it must be done)."""
    def ended():
        status, _, body = api(mesh, "GET", f"/v1/recordings/{recording}", token)
        assert status == 200, body
        jobs = [j for j in json.loads(body)["jobs"] if j["kind"] == kind]
        return jobs[0] if jobs and jobs[0]["state"] in ("done", "failed") else None

    job = wait_for(ended, timeout_s, f"the {kind} job of {recording} ended", interval_s=0.5)
    assert job["state"] == "done" and job["error"] is None, job
    assert job["claimedBy"] == "recorder-1" and job["output"] == f"{recording}/recording.mp4", job
    return job


def fetch_mp4(mesh, token: str, recording: str, name: str) -> tuple[pathlib.Path, bytes]:
    status, headers, data = api(mesh, "GET", f"/v1/recordings/{recording}/mp4", token)
    assert status == 200 and headers["content-type"] == "video/mp4" and headers["accept-ranges"] == "bytes", status
    path = mesh.storage / name
    path.write_bytes(data)
    return path, data


def recording_rows(mesh, stream: str) -> list[list[str]]:
    return mesh.postgres.query(
        f"SELECT id, state, bytes, duration, coalesce(policy, ''), coalesce(error, '') FROM recordings "
        f"WHERE stream = '{stream}' ORDER BY started_at")


def test_policy_recording_plays_with_audio_and_video(recorder_mesh):
    mesh = recorder_mesh
    token = operator_token(mesh)
    origin = mesh["origin-1"]

    async def run() -> dict:
        publisher = await publish(origin, POLICY_STREAM, origin.token(POLICY_STREAM, "publish"))
        await publisher.connected()
        connected_at = time.monotonic()

        def listed():
            status, _, body = api(mesh, "GET", f"/v1/recordings?stream={POLICY_STREAM}", token)
            return status == 200 and json.loads(body)["recordings"]

        rows = await asyncio.to_thread(wait_for, listed, 15, "the policy recording listed by the recorder")
        listed_at = time.monotonic()
        await asyncio.sleep(PUBLISH_SECONDS)
        await publisher.close()
        stopped_at = time.monotonic()
        sent = list(publisher.source.sent)
        return {"id": rows[0]["id"], "policy": rows[0]["policy"], "listed_after_s": listed_at - connected_at,
                "published_s": stopped_at - connected_at, "connected_at": connected_at, "sent": sent,
                "frames_sent": len(sent), "frames_sent_while_listed": sum(1 for _, t in sent if t >= listed_at)}

    figures = asyncio.run(run())
    recording = figures["id"]
    assert figures["policy"] == "rec-*"
    # The stream ended: the recording stops by itself and its end reaches the catalog.
    rows = wait_for(lambda: [r for r in recording_rows(mesh, POLICY_STREAM) if r[1] != "recording"], 20,
                    "the recording stopped in the catalog after the publisher left")
    assert rows[0][0] == recording and rows[0][1] == "stopped", rows
    tracks = mesh.postgres.query(f"SELECT number, kind, codec FROM tracks WHERE recording_id = '{recording}' "
                                 "ORDER BY number")
    assert sorted(t[1] for t in tracks) == ["audio", "video"], (tracks, recording_rows(mesh, POLICY_STREAM))
    segments = mesh.postgres.query(
        f"SELECT sequence, file, state, duration, bytes, frames, sha256 FROM segments "
        f"WHERE recording_id = '{recording}' ORDER BY sequence")
    assert len(segments) >= 3, f"{PUBLISH_SECONDS} s in {SEGMENT_SECONDS} s segments: {segments}"
    total = 0.0
    per_segment = []
    numbers: list[int | None] = []
    for sequence, file, state, duration, size, frames, sha in segments:
        assert state == "closed", (sequence, state)
        path = mesh.storage / file
        data = path.read_bytes()
        assert len(data) == int(size) and hashlib.sha256(data).hexdigest() == sha, f"segment {sequence} row vs file"
        probe = ffprobe(path)
        kinds = {s["codec_type"]: s for s in probe["streams"]}
        assert set(kinds) == {"video", "audio"}, probe
        assert kinds["video"]["codec_name"] == "vp8" and kinds["audio"]["codec_name"] == "opus", probe
        errors = ffmpeg_errors(path)
        assert errors == "", f"ffmpeg -v error on segment {sequence}: {errors}"
        numbers.extend(frame_numbers(path))
        seconds = float(probe["format"]["duration"])
        total += seconds
        per_segment.append({"sequence": int(sequence), "ffprobe_s": seconds, "catalog_s": float(duration),
                            "video_frames": int(kinds["video"].get("nb_read_frames", 0)),
                            "audio_frames": int(kinds["audio"].get("nb_read_frames", 0))})
    metrics = mesh["recorder-1"].metrics()
    assert "meshcast_recordings_active 0" in metrics
    assert mesh["recorder-1"].metric_total("meshcast_recording_segments_total") >= len(segments)
    assert mesh["recorder-1"].metric_total("meshcast_catalog_pending") == 0
    recorded_frames = sum(s["video_frames"] for s in per_segment)
    read = [n for n in numbers if n is not None]
    assert read and len(read) >= 0.99 * len(numbers), f"{len(read)} of {len(numbers)} frames carry a readable number"
    # From the first frame recorded to the last, every frame the publisher sent is there, in order.
    expected = read[-1] - read[0] + 1
    # The time published while recorded: from the first recorded frame to the last, plus one,
    # at the publisher's 30 frames/s (`published_span`). The recorder joins after the stream is
    # published, so how long after the publisher connected its first frame was taken is a
    # separate figure (the join delay).
    sent = dict(figures.pop("sent"))
    recorded_s = published_span(read)
    figures.update(segments=per_segment, ffprobe_total_s=total, video_frames=recorded_frames, recorded_s=recorded_s,
                   sent_span_s=sent[read[-1]] - sent[read[0]] + 1 / 30,
                   join_delay_s=sent[read[0]] - figures.pop("connected_at"),
                   first_frame=read[0], last_frame=read[-1], frames_in_order=len(read), frames_expected=expected,
                   error_pct=100 * (total - recorded_s) / recorded_s)
    results.write("mesh_recorder_policy", figures)
    print(f"\nrecording {recording}: {len(segments)} segments, ffprobe total {total:.3f} s; "
          f"published while recorded {recorded_s:.3f} s, off by {figures['error_pct']:+.2f} %; first frame taken "
          f"{figures['join_delay_s']:.3f} s after the publisher connected (listed after {figures['listed_after_s']:.3f} s)")
    print(f"video frames: {recorded_frames} recorded, numbers {read[0]}..{read[-1]} of {figures['frames_sent']} sent "
          f"({figures['frames_sent_while_listed']} after the recording was listed)")
    for segment in per_segment:
        print(f"  {segment}")
    assert abs(total - recorded_s) <= 0.02 * recorded_s, figures
    # Every frame from the first recorded on is in the files, once and in order (no loss on this
    # mesh; the 5 %-loss case is not built yet), up to the last ones the publisher sent.
    assert read == list(range(read[0], read[-1] + 1)), f"missing or out of order: {expected - len(read)}"
    assert read[-1] >= figures["frames_sent"] - 5, figures

    # The policy's MP4: queued when the recording stopped, claimed and run by the recorder.
    started = time.monotonic()
    job = job_done(mesh, token, recording, "remux-mp4")
    mp4, _ = fetch_mp4(mesh, token, recording, "policy.mp4")
    assert ffmpeg_errors(mp4) == ""
    probe = ffprobe(mp4)
    codecs = sorted(s["codec_name"] for s in probe["streams"])
    mp4_s = float(probe["format"]["duration"])
    print(f"remux-mp4 (VP8 re-encoded, Opus copied): {codecs}, {mp4_s:.3f} s against segments {total:.3f} s, "
          f"done {time.monotonic() - started:.1f} s after the recording stopped in the catalog, attempts {job['attempts']}")
    assert codecs == ["h264", "opus"], probe
    assert abs(mp4_s - total) <= 0.02 * total, (mp4_s, total)
    results.write("mesh_recorder_mp4", {"ffprobe_s": mp4_s, "segments_s": total, "codecs": codecs})


def test_recordings_api(recorder_mesh):
    mesh = recorder_mesh
    token = operator_token(mesh)
    origin = mesh["origin-1"]
    view_token = origin.token(API_STREAM, "view")

    # Tokens: none → 401 with a challenge, a viewer's → 403, garbage → 401.
    status, headers, _ = api(mesh, "GET", "/v1/recordings", None)
    assert status == 401 and "bearer" in headers.get("www-authenticate", "").lower()
    assert api(mesh, "GET", "/v1/recordings", view_token)[0] == 403
    assert api(mesh, "GET", "/v1/recordings", "not.a.token")[0] == 401
    assert api(mesh, "POST", "/v1/recordings", view_token, {"stream": API_STREAM})[0] == 403
    # Bad bodies and ids.
    assert api(mesh, "POST", "/v1/recordings", token, b"{nope")[0] == 400
    assert api(mesh, "POST", "/v1/recordings", token, {"stream": "bad/name"})[0] == 400
    assert api(mesh, "POST", "/v1/recordings", token, {"stream": API_STREAM, "layers": "some"})[0] == 400
    assert api(mesh, "POST", "/v1/recordings", token, {"stream": "never-published"})[0] == 404
    assert api(mesh, "GET", "/v1/recordings/not-a-uuid", token)[0] == 400
    assert api(mesh, "GET", "/v1/recordings/00000000-0000-4000-8000-000000000000", token)[0] == 404
    assert api(mesh, "POST", "/v1/recordings/00000000-0000-4000-8000-000000000000/stop", token)[0] == 404
    assert api(mesh, "GET", "/v1/recordings?state=sleeping", token)[0] == 400

    async def run() -> str:
        publisher = await publish(origin, API_STREAM, origin.token(API_STREAM, "publish"))
        await publisher.connected()
        await asyncio.sleep(1.0)
        status, headers, body = await asyncio.to_thread(api, mesh, "POST", "/v1/recordings", token,
                                                        {"stream": API_STREAM})
        assert status == 201, body
        started = json.loads(body)
        assert headers["location"] == f"/v1/recordings/{started['id']}"
        again = await asyncio.to_thread(api, mesh, "POST", "/v1/recordings", token, {"stream": API_STREAM})
        assert again[0] == 409, again
        recording_job = await asyncio.to_thread(api, mesh, "POST", f"/v1/recordings/{started['id']}/jobs", token,
                                                {"kind": "remux-mp4"})
        assert recording_job[0] == 409, recording_job
        await asyncio.sleep(2 * SEGMENT_SECONDS + 1)
        # The whole recording as one file only once it has stopped.
        media = await asyncio.to_thread(api, mesh, "GET", f"/v1/recordings/{started['id']}/media", token)
        assert media[0] == 409, media
        first = await asyncio.to_thread(api, mesh, "POST", f"/v1/recordings/{started['id']}/stop", token)
        second = await asyncio.to_thread(api, mesh, "POST", f"/v1/recordings/{started['id']}/stop", token)
        assert first[0] == 200 and json.loads(first[2])["state"] == "stopped", first
        assert second[0] == 200 and json.loads(second[2])["state"] == "stopped", second
        await publisher.close()
        return started["id"]

    recording = asyncio.run(run())

    def detail():
        status, _, body = api(mesh, "GET", f"/v1/recordings/{recording}", token)
        assert status == 200, body
        value = json.loads(body)
        done = value["recording"]["state"] == "stopped" and value["segments"] and all(
            s["state"] == "closed" for s in value["segments"])
        return value if done else None

    found = wait_for(detail, 10, "the stopped recording with closed segments in the catalog")
    assert found["recording"]["stream"] == API_STREAM and found["recording"]["policy"] is None
    assert sorted(t["kind"] for t in found["tracks"]) == ["audio", "video"]
    listed = json.loads(api(mesh, "GET", f"/v1/recordings?stream={API_STREAM}&state=stopped", token)[2])
    assert [r["id"] for r in listed["recordings"]] == [recording], listed
    assert json.loads(api(mesh, "GET", f"/v1/recordings?stream={API_STREAM}&state=recording", token)[2])[
        "recordings"] == []
    page = json.loads(api(mesh, "GET", "/v1/recordings?limit=1", token)[2])
    assert len(page["recordings"]) == 1 and page["next"], page
    after = urllib.parse.quote(page["next"])
    following = json.loads(api(mesh, "GET", f"/v1/recordings?limit=1&after={after}", token)[2])
    assert following["recordings"] and following["recordings"][0]["id"] != page["recordings"][0]["id"]

    segment = found["segments"][0]
    status, headers, whole = api(mesh, "GET", f"/v1/recordings/{recording}/segments/0", token)
    assert status == 200 and headers["content-type"] == "video/webm" and headers["accept-ranges"] == "bytes"
    assert len(whole) == segment["bytes"] and hashlib.sha256(whole).hexdigest() == segment["sha256"]
    status, headers, part = api(mesh, "GET", f"/v1/recordings/{recording}/segments/0", token,
                                headers={"Range": "bytes=100-1099"})
    assert status == 206 and part == whole[100:1100]
    assert headers["content-range"] == f"bytes 100-1099/{len(whole)}"
    status, _, tail = api(mesh, "GET", f"/v1/recordings/{recording}/segments/0", token,
                          headers={"Range": "bytes=-500"})
    assert status == 206 and tail == whole[-500:]
    status, headers, _ = api(mesh, "GET", f"/v1/recordings/{recording}/segments/0", token,
                             headers={"Range": f"bytes={len(whole)}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{len(whole)}"
    assert api(mesh, "GET", f"/v1/recordings/{recording}/segments/99", token)[0] == 404
    assert api(mesh, "GET", f"/v1/recordings/{recording}/segments/x", token)[0] == 400
    assert api(mesh, "DELETE", f"/v1/recordings/{recording}", view_token)[0] == 403

    # The whole recording as one file: the segments joined, playing, as long as they are together.
    status, headers, media = api(mesh, "GET", f"/v1/recordings/{recording}/media", token)
    assert status == 200 and headers["content-type"] == "video/webm" and headers["accept-ranges"] == "bytes"
    joined = mesh.storage / "api-media.webm"
    joined.write_bytes(media)
    assert ffmpeg_errors(joined) == ""
    probe = ffprobe(joined)
    assert {s["codec_type"] for s in probe["streams"]} == {"video", "audio"}, probe
    segments_s = sum(float(s["duration"]) for s in found["segments"])
    joined_s = float(probe["format"]["duration"])
    print(f"\n/media: {len(found['segments'])} segments joined, {len(media)} bytes, ffprobe {joined_s:.3f} s, "
          f"segments {segments_s:.3f} s")
    assert abs(joined_s - segments_s) <= 0.02 * segments_s, (joined_s, segments_s)
    status, headers, part = api(mesh, "GET", f"/v1/recordings/{recording}/media", token,
                                headers={"Range": "bytes=100-1099"})
    assert status == 206 and part == media[100:1100] and headers["content-range"] == f"bytes 100-1099/{len(media)}"
    assert api(mesh, "GET", f"/v1/recordings/{recording}/media", token)[2] == media
    assert api(mesh, "GET", f"/v1/recordings/{recording}/media", view_token)[0] == 403
    assert api(mesh, "GET", f"/v1/recordings/{recording}/media", None)[0] == 401
    assert api(mesh, "GET", "/v1/recordings/not-a-uuid/media", token)[0] == 400
    assert api(mesh, "GET", "/v1/recordings/00000000-0000-4000-8000-000000000000/media", token)[0] == 404

    # An MP4 asked for through the API: transcode-mp4 (H.264 + AAC).
    assert api(mesh, "POST", f"/v1/recordings/{recording}/jobs", token, {"kind": "gif"})[0] == 400
    assert api(mesh, "POST", f"/v1/recordings/{recording}/jobs", token, b"{nope")[0] == 400
    assert api(mesh, "POST", "/v1/recordings/00000000-0000-4000-8000-000000000000/jobs", token,
               {"kind": "remux-mp4"})[0] == 404
    assert api(mesh, "POST", f"/v1/recordings/{recording}/jobs", view_token, {"kind": "transcode-mp4"})[0] == 403
    status, _, body = api(mesh, "POST", f"/v1/recordings/{recording}/jobs", token, {"kind": "transcode-mp4"})
    assert status == 202, body
    queued = json.loads(body)
    assert queued["kind"] == "transcode-mp4" and queued["state"] in ("queued", "running", "done"), queued
    job = job_done(mesh, token, recording, "transcode-mp4")
    assert job["id"] == queued["id"]
    mp4, data = fetch_mp4(mesh, token, recording, "api.mp4")
    assert ffmpeg_errors(mp4) == ""
    probe = ffprobe(mp4)
    codecs = sorted(s["codec_name"] for s in probe["streams"])
    mp4_s = float(probe["format"]["duration"])
    print(f"transcode-mp4: {codecs}, {mp4_s:.3f} s against segments {segments_s:.3f} s")
    assert codecs == ["aac", "h264"], probe
    assert abs(mp4_s - segments_s) <= 0.02 * segments_s, (mp4_s, segments_s)
    status, headers, part = api(mesh, "GET", f"/v1/recordings/{recording}/mp4", token,
                                headers={"Range": "bytes=100-1099"})
    assert status == 206 and part == data[100:1100] and headers["content-range"] == f"bytes 100-1099/{len(data)}"
    metrics = mesh["recorder-1"].metrics()
    assert 'meshcast_recording_jobs_finished_total{result="done"}' in metrics, metrics
    assert mesh["recorder-1"].metric_total("meshcast_recording_jobs_finished_total") >= 1

    # Any node: origin-1 redirects the recordings API to the recorder (after checking the token).
    origin_node = mesh["origin-1"]
    recorder_base = f"http://{mesh['recorder-1'].host}:{mesh['recorder-1'].api_port}"
    auth = {"Authorization": f"Bearer {token}"}
    assert origin_node.request("GET", f"/v1/recordings/{recording}")[0] == 401
    for method, path in (("GET", f"/v1/recordings/{recording}"), ("GET", f"/v1/recordings/{recording}/mp4"),
                         ("GET", "/v1/recordings?state=stopped")):
        status, headers, _ = origin_node.request(method, path, None, auth)
        assert status == 307 and headers["location"] == recorder_base + path, (path, status, headers)
    status, headers, _ = origin_node.request("POST", "/v1/recordings", json.dumps({"stream": API_STREAM}).encode(),
                                             {**auth, "Content-Type": "application/json"})
    assert status == 307 and headers["location"] == recorder_base + "/v1/recordings", (status, headers)
    # Following the redirect gives the recorder's answer.
    assert api(mesh, "GET", urllib.parse.urlsplit(headers["location"]).path + f"/{recording}", token)[0] == 200

    assert api(mesh, "DELETE", f"/v1/recordings/{recording}", token)[0] == 204
    assert api(mesh, "GET", f"/v1/recordings/{recording}", token)[0] == 404
    assert api(mesh, "DELETE", f"/v1/recordings/{recording}", token)[0] == 404
    assert not (mesh.storage / recording).exists()
    assert mesh.postgres.query(f"SELECT count(*) FROM segments WHERE recording_id = '{recording}'") == [["0"]]


SIMULCAST_WIDTHS = {"q": 320, "h": 640, "f": 1280}


async def chromium_simulcast(origin, stream: str):
    """Chromium (its context, to close) and a page publishing `stream` to `origin` in three
    simulcast layers (q, h, f)."""
    from browser import chromium, wait_for_state

    context = chromium()
    browser = await context.__aenter__()
    page = await browser.new_page()
    await page.goto(f"{origin.base}/publish?stream={stream}&token={origin.token(stream, 'publish')}"
                    "&simulcast=1&width=1280&height=720")
    await wait_for_state(page, "connected")
    return context, page


async def leave(context, page) -> None:
    """Stops publishing (the page's Stop: a WHIP DELETE, so the stream ends at once rather than
    when ICE consent runs out) and closes Chromium."""
    try:
        await page.click("#stop")
        await asyncio.sleep(0.5)
    finally:
        await context.__aexit__(None, None, None)


def video_sizes(path: pathlib.Path) -> list[tuple[int, int]]:
    """(width, height) of each video stream of a file, in the file's order."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=width,height", "-of", "json",
         str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"ffprobe {path}: {result.stderr}"
    return [(s["width"], s["height"]) for s in json.loads(result.stdout)["streams"]]


def three_layers_flowing(origin, stream: str) -> bool:
    layers = origin.video_layers(stream)
    return len(layers) == 3 and all(layer.get("width") and layer["bitrate"] > 0 for layer in layers.values())


def test_layers_top_follows_the_best_live_layer(recorder_mesh):
    mesh = recorder_mesh
    stream = "rec-sim"
    token = operator_token(mesh)
    origin = mesh["origin-1"]

    def latest_rid(recording: str) -> str | None:
        rows = mesh.postgres.query(
            f"SELECT coalesce(rid, '') FROM segments WHERE recording_id = '{recording}' ORDER BY sequence DESC LIMIT 1")
        return rows[0][0] if rows else None

    async def run() -> str:
        context, page = await chromium_simulcast(origin, stream)
        try:
            await asyncio.to_thread(wait_for, lambda: three_layers_flowing(origin, stream), 30,
                                    "three layers measured on the origin")

            def listed():
                status, _, body = api(mesh, "GET", f"/v1/recordings?stream={stream}", token)
                return status == 200 and json.loads(body)["recordings"]

            rows = await asyncio.to_thread(wait_for, listed, 15, "the simulcast recording listed")
            recording = rows[0]["id"]
            assert rows[0]["layers"] == "top", rows
            await asyncio.to_thread(wait_for, lambda: latest_rid(recording) == "f", 20, "a segment of layer f")
            await asyncio.sleep(3)
            # The top layer stops: the recording moves to h at h's key frame, in a new segment.
            await page.evaluate("meshcast.setLayerActive('f', false)")
            await asyncio.to_thread(wait_for, lambda: latest_rid(recording) == "h", 10, "a segment of layer h")
            await asyncio.sleep(4)
            # It comes back: the recording moves up at f's key frame.
            await page.evaluate("meshcast.setLayerActive('f', true)")
            await asyncio.to_thread(wait_for, lambda: latest_rid(recording) == "f", 15, "back on layer f")
            await asyncio.sleep(3)
            return recording
        finally:
            await leave(context, page)

    recording = asyncio.run(run())
    wait_for(lambda: [r for r in recording_rows(mesh, stream) if r[1] != "recording"], 20,
             "the simulcast recording stopped after the publisher left")
    segments = mesh.postgres.query(
        f"SELECT sequence, file, state, coalesce(rid, ''), frames FROM segments WHERE recording_id = '{recording}' "
        "ORDER BY sequence")
    gaps = mesh.postgres.query(f"SELECT at, duration, reason FROM gaps WHERE recording_id = '{recording}'")
    rids = [row[3] for row in segments]
    # Runs of one layer (a segment cut by time repeats its layer's rid).
    runs = [rid for i, rid in enumerate(rids) if i == 0 or rids[i - 1] != rid]
    figures = []
    for sequence, file, state, rid, frames in segments:
        path = mesh.storage / file
        assert state == "closed", (sequence, state)
        sizes = video_sizes(path)
        figures.append({"sequence": int(sequence), "rid": rid, "sizes": sizes, "frames": int(frames)})
        errors = ffmpeg_errors(path)
        assert errors == "", f"ffmpeg -v error on segment {sequence} ({rid}): {errors}"
    print(f"\nlayers: top, recording {recording}: {figures}; gaps {gaps}")
    results.write("mesh_recorder_layers_top", {"segments": figures, "gaps": gaps})
    # The recording can begin before Chromium's bandwidth estimate turns f on (it starts its
    # layers bottom up): then it follows the best live layer up to f first, in new segments.
    assert "f" in runs, rids
    start = runs.index("f")
    assert runs[start:] == ["f", "h", "f"], rids
    assert runs[:start] in ([], ["h"], ["q"], ["q", "h"]), rids
    for segment in figures:
        assert len(segment["sizes"]) == 1, segment
        # Chromium may scale a layer down under CPU pressure, never above its own size.
        assert 0 < segment["sizes"][0][0] <= SIMULCAST_WIDTHS[segment["rid"]], segment
    widths = {rid: {s["sizes"][0][0] for s in figures if s["rid"] == rid} for rid in ("f", "h")}
    assert not widths["f"] & widths["h"], widths
    assert all(reason in ("layer-switch", "loss") for _, _, reason in gaps), gaps
    assert mesh["recorder-1"].metric_total("meshcast_recording_layer_switches_total") >= 2


def test_layers_all_records_every_layer(recorder_mesh):
    mesh = recorder_mesh
    stream = "all-sim"
    token = operator_token(mesh)
    origin = mesh["origin-1"]

    async def run() -> tuple[str, dict]:
        context, page = await chromium_simulcast(origin, stream)
        try:
            await asyncio.to_thread(wait_for, lambda: three_layers_flowing(origin, stream), 30,
                                    "three layers measured on the origin")
            status, _, body = api(mesh, "POST", "/v1/recordings", token, {"stream": stream, "layers": "all"})
            assert status == 201, (status, body)
            recording = json.loads(body)["id"]
            await asyncio.sleep(2 * SEGMENT_SECONDS + 2)
            status, _, _ = api(mesh, "POST", f"/v1/recordings/{recording}/stop", token)
            assert status == 200, status
            return recording, origin.video_layers(stream)
        finally:
            await leave(context, page)

    recording, layers = asyncio.run(run())
    assert recording_rows(mesh, stream)[0][1] == "stopped"
    assert mesh.postgres.query(f"SELECT layers FROM recordings WHERE id = '{recording}'") == [["all"]]
    tracks = mesh.postgres.query(
        f"SELECT number, kind, coalesce(rid, '') FROM tracks WHERE recording_id = '{recording}' ORDER BY number")
    video_rids = [t[2] for t in tracks if t[1] == "video"]
    assert sorted(video_rids) == ["f", "h", "q"], tracks
    segments = mesh.postgres.query(
        f"SELECT sequence, file, state FROM segments WHERE recording_id = '{recording}' ORDER BY sequence")
    assert len(segments) >= 2, segments
    figures = []
    for sequence, file, state in segments:
        path = mesh.storage / file
        assert state == "closed", (sequence, state)
        sizes = video_sizes(path)
        figures.append({"sequence": int(sequence), "sizes": sizes})
        errors = ffmpeg_errors(path)
        assert errors == "", f"ffmpeg -v error on segment {sequence}: {errors}"
    print(f"\nlayers: all, recording {recording}: tracks {tracks}, segments {figures}, origin {layers}")
    results.write("mesh_recorder_layers_all", {"tracks": tracks, "segments": figures})
    # Every layer a video track of its own, each at its own size, no larger than its layer.
    for segment in figures[1:]:
        assert len(segment["sizes"]) == 3, segment
        widths = [w for w, _ in segment["sizes"]]
        assert len(set(widths)) == 3, segment
        for rid, width in zip(video_rids, widths):
            assert 0 < width <= SIMULCAST_WIDTHS[rid], (segment, video_rids)


INGEST_STREAM = "ingest-direct"
INGEST_PATH = "/v1/recordings/ingest"


def ingest_publisher(mesh, token: str):
    """An aiortc publisher (numbered VP8 video and an Opus tone) for the recorder itself."""
    session = Session(mesh["recorder-1"], RTCPeerConnection(RTCConfiguration(iceServers=[])), token)
    session.source = NumberedVideoTrack()
    prefer_vp8(session.pc.addTransceiver(session.source, direction="sendonly"))
    session.pc.addTransceiver(ToneAudioTrack(), direction="sendonly")
    return session


def test_direct_ingest_renegotiated(recorder_mesh):
    """Direct ingest (issue 14, "as the Go recorder offers it"): aiortc publishes straight to
    the recorder (`POST /v1/recordings/ingest?stream=`, WHIP semantics, RFC 9725 §4.2) with the
    stream's publish token for ~4 s, renegotiates once as a restarted client (a new peer
    connection's full offer, `PATCH` with `application/sdp`), publishes ~5 s more, then
    `DELETE`s the session; a trickle `PATCH` (`application/trickle-ice-sdpfrag`) still answers
    204. One recording holds both: every segment has VP8 video and Opus audio,
    plays with `ffmpeg -v error` silent, and the segments' ffprobe durations add up within 2 % to
    the time published while recorded (each publisher's first recorded frame to its last,
    framecode numbers); the time between the two is a `renegotiated` gap. The stream never
    reaches the mesh's directory. Bad SDP → 400, no token → 401, unknown session → 404."""
    mesh = recorder_mesh
    token = operator_token(mesh)
    recorder = mesh["recorder-1"]
    publish_token = recorder.token(INGEST_STREAM, "publish")
    path = f"{INGEST_PATH}?stream={INGEST_STREAM}"
    sdp = {"Content-Type": "application/sdp"}

    # Refusals first: no token, a token for another stream, no stream, bad SDP, unknown sessions.
    assert api(mesh, "POST", path, None, b"v=0\r\n", sdp)[0] == 401
    assert api(mesh, "POST", path, recorder.token("another", "publish"), b"v=0\r\n", sdp)[0] == 403
    assert api(mesh, "POST", INGEST_PATH, token, b"v=0\r\n", sdp)[0] == 400
    assert api(mesh, "POST", path, publish_token, b"this is not SDP", sdp)[0] == 400
    assert api(mesh, "POST", path, publish_token, b"v=0\r\n", {"Content-Type": "text/plain"})[0] == 415
    unknown = f"{INGEST_PATH}/00000000-0000-4000-8000-000000000000"
    assert api(mesh, "DELETE", unknown, token)[0] == 404
    assert api(mesh, "PATCH", unknown, token, b"v=0\r\n", sdp)[0] == 404
    assert api(mesh, "DELETE", unknown, None)[0] == 401

    async def run() -> dict:
        first = ingest_publisher(mesh, publish_token)
        await first.offer(path)
        await first.connected()
        location = urllib.parse.urlsplit(first.location).path
        recording = location.rsplit("/", 1)[-1]
        await asyncio.sleep(4.0)
        # Not announced (4 s is four of the coordinator's once-a-second duties): no stream of
        # the ingest in the directory, the publisher claims or any key.
        announced = [await asyncio.to_thread(mesh.redis.command, *command) for command in (
            ("SMEMBERS", "streams"), ("ZRANGE", "publishers:{mesh}", "0", "-1"), ("KEYS", "*ingest*"))]
        assert not [name for found in announced for name in (found or []) if "ingest" in str(name)], announced
        # Renegotiate: a restarted client's full offer on the same session.
        second = ingest_publisher(mesh, publish_token)
        await second.pc.setLocalDescription(await second.pc.createOffer())
        status, headers, body = await asyncio.to_thread(
            api, mesh, "PATCH", location, publish_token, second.pc.localDescription.sdp.encode(), sdp)
        assert status == 200 and headers["content-type"].startswith("application/sdp"), (status, body[:300])
        await second.pc.setRemoteDescription(RTCSessionDescription(body.decode(), "answer"))
        await second.connected()
        await first.pc.close()
        # WHIP's own PATCH still works on the session (RFC 9725 §4.3.1, RFC 8840): a trickled
        # candidate under the current ufrag is taken (204).
        offered = second.pc.localDescription.sdp
        ufrag = offered.split("a=ice-ufrag:", 1)[1].split("\r\n", 1)[0]
        password = offered.split("a=ice-pwd:", 1)[1].split("\r\n", 1)[0]
        fragment = (f"a=ice-ufrag:{ufrag}\r\na=ice-pwd:{password}\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                    "a=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n")
        trickled = await asyncio.to_thread(api, mesh, "PATCH", location, publish_token, fragment.encode(),
                                           {"Content-Type": "application/trickle-ice-sdpfrag"})
        assert trickled[0] == 204, trickled
        await asyncio.sleep(5.0)
        status, _, _ = await asyncio.to_thread(api, mesh, "DELETE", location, publish_token)
        assert status == 200
        await second.pc.close()
        return {"recording": recording, "location": location,
                "sent": [dict(first.source.sent), dict(second.source.sent)]}

    figures = asyncio.run(run())
    recording = figures["recording"]
    assert api(mesh, "DELETE", figures["location"], token)[0] == 404, "the session ended with the DELETE"
    stop = api(mesh, "POST", f"/v1/recordings/{recording}/stop", token)
    assert stop[0] == 200 and json.loads(stop[2])["state"] == "stopped", stop

    def detail():
        status, _, body = api(mesh, "GET", f"/v1/recordings/{recording}", token)
        assert status == 200, body
        value = json.loads(body)
        done = value["recording"]["state"] == "stopped" and value["segments"] and all(
            s["state"] == "closed" for s in value["segments"])
        return value if done else None

    found = wait_for(detail, 10, "the stopped ingest recording with closed segments in the catalog")
    assert found["recording"]["stream"] == INGEST_STREAM and found["recording"]["policy"] is None
    assert sorted((t["kind"], t["number"]) for t in found["tracks"]) == [("audio", 2), ("video", 1)], found["tracks"]
    assert [g["reason"] for g in found["gaps"]].count("renegotiated") == 1, found["gaps"]

    total = 0.0
    numbers: list[list[int]] = [[], []]
    publisher = 0
    for segment in sorted(found["segments"], key=lambda s: s["sequence"]):
        file = mesh.storage / segment["file"]
        probe = ffprobe(file)
        assert {s["codec_type"]: s["codec_name"] for s in probe["streams"]} == {"video": "vp8", "audio": "opus"}, probe
        errors = ffmpeg_errors(file)
        assert errors == "", f"ffmpeg -v error on segment {segment['sequence']}: {errors}"
        total += float(probe["format"]["duration"])
        read = [n for n in frame_numbers(file) if n is not None]
        # The second publisher numbers its frames from 0 again.
        if publisher == 0 and numbers[0] and read and read[0] < numbers[0][-1]:
            publisher = 1
        numbers[publisher].extend(read)
    assert numbers[0] and numbers[1], f"frames of both publishers: {[len(n) for n in numbers]}"
    recorded = [published_span(n) for n in numbers]
    sent_spans = [sent[n[-1]] - sent[n[0]] + 1 / 30 for sent, n in zip(figures["sent"], numbers)]
    error_pct = 100 * (total - sum(recorded)) / sum(recorded)
    results.write("mesh_recorder_ingest", {"segments": len(found["segments"]), "ffprobe_total_s": total,
                                           "recorded_s": recorded, "sent_span_s": sent_spans, "error_pct": error_pct,
                                           "gaps": found["gaps"]})
    print(f"\ningest {recording}: {len(found['segments'])} segments, ffprobe {total:.3f} s, published while "
          f"recorded {recorded[0]:.3f} + {recorded[1]:.3f} s, off by {error_pct:+.2f} %; gaps {found['gaps']}")
    assert abs(total - sum(recorded)) <= 0.02 * sum(recorded), (total, recorded)
    for n in numbers:
        assert n == list(range(n[0], n[-1] + 1)), "every frame of each publisher, once and in order"
    # The renegotiated tracks kept their numbers, so the segments join into one playing file.
    status, _, media = api(mesh, "GET", f"/v1/recordings/{recording}/media", token)
    assert status == 200, media[:300]
    joined = mesh.storage / "ingest-media.webm"
    joined.write_bytes(media)
    assert ffmpeg_errors(joined) == ""
    assert {s["codec_type"] for s in ffprobe(joined)["streams"]} == {"video", "audio"}
