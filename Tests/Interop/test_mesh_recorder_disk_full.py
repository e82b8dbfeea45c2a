"""Issue 14 item 6, a full disk: a real PostgreSQL, a real Redis and every node a separate
`meshcast node` process, recorder-1's storage a 2 MiB tmpfs (mounted here; the test skips where
it may not mount). aiortc publishes `rec-full` (noisy numbered video at 1.5 Mbit/s and an Opus
tone) until the storage is full. Then:

- the recording is `failed` in the catalog with an error that says "disk full" (the catalog's
  journal lives on the same full disk: its changes wait in memory and still arrive);
- what was written is kept: every segment is catalogued `closed` or `recovered`, none is left
  `.part`, and each one plays (`ffmpeg -v error -i FILE -f null -` prints nothing);
- nothing new starts on the full disk: the policy does not start the stream again, and
  `POST /v1/recordings` answers 507 with the reason;
- the node's other work goes on: it is still running and ready, its API and metrics answer.
"""

import asyncio
import json
import os
import subprocess
import time

import aiortc.codecs.vpx
import pytest

import meshpostgres
from clients import Session, prefer_vp8
from conftest import running_mesh
from media import ToneAudioTrack
from publish import TexturedVideoTrack
from test_mesh_recorder import api, ffmpeg_errors, operator_token, recording_rows, wait_for

STREAM = "rec-full"
TMPFS_SIZE = "2m"


@pytest.fixture(scope="module")
def full_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("mesh_recorder_disk_full")
    storage = directory / "recordings"
    storage.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(storage)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs for the recorder's storage: {mounted.stderr.strip()}")
    postgres = meshpostgres.PostgresServer()
    try:
        postgres.start()
        options = {
            "recorder": {"storage": f"{{path: {storage}, segment_seconds: 2}}", "postgres_url": postgres.url},
            "policies": {"record": '["rec-*"]'},
            "trace": False,
        }
        with running_mesh(request, directory, "mesh_recorder_disk_full", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()
        subprocess.run(["umount", str(storage)], check=False)


def test_full_disk_fails_the_recording_keeps_its_files_and_the_node(full_mesh):
    mesh = full_mesh
    token = operator_token(mesh)
    origin = mesh["origin-1"]
    recorder = mesh["recorder-1"]

    async def run() -> dict:
        bitrate = aiortc.codecs.vpx.DEFAULT_BITRATE
        aiortc.codecs.vpx.DEFAULT_BITRATE = 1_500_000
        try:
            session = Session(origin, aiortc.RTCPeerConnection(aiortc.RTCConfiguration(iceServers=[])),
                              origin.token(STREAM, "publish"))
            prefer_vp8(session.pc.addTransceiver(TexturedVideoTrack(), direction="sendonly"))
            session.pc.addTransceiver(ToneAudioTrack(), direction="sendonly")
            await session.offer(f"/whip/{STREAM}")
            await session.connected()
            started = time.monotonic()

            def failed():
                return [r for r in recording_rows(mesh, STREAM) if r[1] == "failed"]

            rows = await asyncio.to_thread(wait_for, failed, 60, "the recording failed on the full disk", 0.5)
            failed_after = time.monotonic() - started
            await asyncio.sleep(2.5)  # a policy round or ten: nothing new may start
            again = await asyncio.to_thread(api, mesh, "POST", "/v1/recordings", token, {"stream": STREAM})
            listed = await asyncio.to_thread(api, mesh, "GET", f"/v1/recordings?stream={STREAM}", token)
            await session.close()
            return {"row": rows[0], "failed_after_s": failed_after, "again": again, "listed": listed}
        finally:
            aiortc.codecs.vpx.DEFAULT_BITRATE = bitrate

    figures = asyncio.run(run())
    recording, state, size, duration, policy, error = figures["row"]
    assert "disk full" in error, error
    status, _, body = figures["again"]
    assert status == 507 and b"disk full" in body, figures["again"]
    assert figures["listed"][0] == 200
    assert [r["id"] for r in json.loads(figures["listed"][2])["recordings"]] == [recording]
    segments = mesh.postgres.query(f"SELECT sequence, file, state FROM segments WHERE recording_id = '{recording}' "
                                   "ORDER BY sequence")
    assert segments and all(s[2] in ("closed", "recovered") for s in segments), segments
    assert not list((mesh.storage / recording).glob("*.part")), os.listdir(mesh.storage / recording)
    for sequence, file, state in segments:
        assert ffmpeg_errors(mesh.storage / file) == "", (sequence, file, state)
    assert recorder.running()
    assert recorder.request("GET", "/ready")[0] == 200
    assert recorder.metric_total("meshcast_recording_failures_total") == 1
    print(f"\ndisk full after {figures['failed_after_s']:.1f} s: {len(segments)} segments kept "
          f"({', '.join(s[2] for s in segments)}), {size} bytes, {float(duration):.2f} s; error: {error}")
