"""Issue 14 item 6, retention per policy: a real PostgreSQL, a real Redis and every node a
separate `meshcast node` process; the topology's `policies.record` is
`["rec-*", {match: "ret-*", retention: 4s}]`. aiortc publishes `ret-short` and `rec-keep` at
once for a few seconds after both recordings are listed, then stops both. Then:

- both recordings stop (the streams ended);
- `ret-short`'s files are deleted by the recorder's sweeper no sooner than 4 s after it stopped
  (and within one sweep interval, 5 s, more plus slack), its row is kept with `expired_at`
  (`expiredAt` in the API), and its segment and `/media` answer 410 Gone;
- `rec-keep` (a pattern with no retention) keeps every file, and each one plays;
- `meshcast_recordings_expired_total` counts the one expired recording.
"""

import asyncio
import json
import shutil
import time

import pytest

import meshpostgres
from clients import publish
from conftest import running_mesh
from test_mesh_recorder import api, ffmpeg_errors, operator_token, recording_rows, wait_for

SHORT = "ret-short"
KEEP = "rec-keep"
RETENTION_S = 4
SWEEP_INTERVAL_S = 5


@pytest.fixture(scope="module")
def retention_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg (apt-get install ffmpeg)")
    directory = tmp_path_factory.mktemp("mesh_recorder_retention")
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    storage = directory / "recordings"
    options = {
        "recorder": {"storage": f"{{path: {storage}, segment_seconds: 2}}", "postgres_url": postgres.url},
        "policies": {"record": f'["rec-*", {{match: "ret-*", retention: {RETENTION_S}s}}]'},
        "trace": False,
    }
    try:
        with running_mesh(request, directory, "mesh_recorder_retention", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()


def test_a_short_retention_deletes_the_files_and_keeps_the_row(retention_mesh):
    mesh = retention_mesh
    token = operator_token(mesh)
    origin = mesh["origin-1"]
    recorder = mesh["recorder-1"]

    async def run() -> None:
        publishers = [await publish(origin, name, origin.token(name, "publish")) for name in (SHORT, KEEP)]
        for publisher in publishers:
            await publisher.connected()

        def listed():
            return all(recording_rows(mesh, name) for name in (SHORT, KEEP))

        await asyncio.to_thread(wait_for, listed, 20, "both policy recordings catalogued")
        await asyncio.sleep(5)
        for publisher in publishers:
            await publisher.close()

    asyncio.run(run())

    def stopped(name):
        rows = [r for r in recording_rows(mesh, name) if r[1] != "recording"]
        return rows

    short = wait_for(lambda: stopped(SHORT), 20, "ret-short stopped")[0]
    keep = wait_for(lambda: stopped(KEEP), 20, "rec-keep stopped")[0]
    assert short[1] == "stopped" and short[4] == "ret-*", short
    assert keep[1] == "stopped" and keep[4] == "rec-*", keep
    short_id, keep_id = short[0], keep[0]

    def expired():
        rows = mesh.postgres.query(
            "SELECT extract(epoch FROM expired_at - stopped_at) FROM recordings "
            f"WHERE id = '{short_id}' AND expired_at IS NOT NULL")
        return rows

    waited = wait_for(expired, RETENTION_S + SWEEP_INTERVAL_S + 15, "ret-short expired in the catalog", 0.5)
    after_stop = float(waited[0][0])
    assert RETENTION_S <= after_stop <= RETENTION_S + SWEEP_INTERVAL_S + 5, after_stop
    assert not (mesh.storage / short_id).exists(), list((mesh.storage / short_id).iterdir())

    status, _, body = api(mesh, "GET", f"/v1/recordings/{short_id}", token)
    assert status == 200, body
    detail = json.loads(body)
    assert detail["recording"]["expiredAt"] is not None, detail["recording"]
    assert detail["recording"]["state"] == "stopped"
    assert api(mesh, "GET", f"/v1/recordings/{short_id}/media", token)[0] == 410
    assert api(mesh, "GET", f"/v1/recordings/{short_id}/segments/0", token)[0] == 410

    segments = mesh.postgres.query(f"SELECT file FROM segments WHERE recording_id = '{keep_id}' ORDER BY sequence")
    assert segments, "rec-keep has segments"
    for (file,) in segments:
        assert ffmpeg_errors(mesh.storage / file) == "", file
    status, _, body = api(mesh, "GET", f"/v1/recordings/{keep_id}", token)
    assert status == 200 and json.loads(body)["recording"]["expiredAt"] is None, body
    assert recorder.metric_total("meshcast_recordings_expired_total") == 1
    print(f"\nretention {RETENTION_S} s: files of {short_id} deleted {after_stop:.2f} s after it stopped; "
          f"{len(segments)} segment(s) of the kept recording play")
