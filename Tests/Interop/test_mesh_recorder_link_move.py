"""Issue 14 item 3, a relay-link move catalogued as such: a real PostgreSQL, a real Redis and
every node a separate `meshcast node` process, with `RELAY_FIRST_LINKS` (edge-a fed only
through relay-1; recorder-1 may be fed by relay-1 or origin-1). A viewer on edge-a makes relay-1
a carrier of `move-rec`; the recording, started through the API, then joins at relay-1 (the
test checks it: recorder-1's link traffic with relay-1). relay-1 is killed with SIGKILL; the
recorder hears nothing for a second, repaths to origin-1 and records on. The recording's gaps
must include one with the reason `link-move` (not `loss`) at about the time of the kill,
spanning the silence from the last frame before it (at least 0.5 s), and every segment must
still play.
"""

import asyncio
import json
import shutil
import time

import pytest

import meshmetrics
import meshpostgres
from clients import publish
from conftest import running_mesh
from meshclients import view_placed
from meshmesh import REGION_A_CLIENT, RELAY_FIRST_LINKS
from test_mesh_recorder import api, ffmpeg_errors, operator_token, wait_for

STREAM = "move-rec"


@pytest.fixture(scope="module")
def move_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg (apt-get install ffmpeg)")
    directory = tmp_path_factory.mktemp("mesh_recorder_link_move")
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    storage = directory / "recordings"
    options = {
        "recorder": {"storage": f"{{path: {storage}, segment_seconds: 3}}", "postgres_url": postgres.url},
        "links": RELAY_FIRST_LINKS,
        "order": ("relay-1", "origin-1", "edge-a", "edge-b"),
        "trace": False,
    }
    try:
        with running_mesh(request, directory, "mesh_recorder_link_move", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()


def test_a_relay_link_move_is_a_gap_of_its_own(move_mesh):
    mesh = move_mesh
    token = operator_token(mesh)
    origin = mesh["origin-1"]
    recorder = mesh["recorder-1"]

    async def run() -> dict:
        publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
        await publisher.connected()
        await asyncio.sleep(1.0)
        viewer = await view_placed(mesh, origin, STREAM, origin.token(STREAM, "view"),
                                   forwarded_for=REGION_A_CLIENT.format(31), expect_edge="edge-a")
        await asyncio.sleep(1.5)
        status, _, body = await asyncio.to_thread(api, mesh, "POST", "/v1/recordings", token, {"stream": STREAM})
        assert status == 201, body
        recording = json.loads(body)["id"]
        await asyncio.sleep(5.0)
        before = recorder.metrics()
        fed = {peer: meshmetrics.link_traffic(before, peer) for peer in ("origin-1", "relay-1")}
        killed_at = mesh.kill9("relay-1")
        killed_wall = time.time()
        await asyncio.sleep(6.0)
        status, _, body = await asyncio.to_thread(api, mesh, "POST", f"/v1/recordings/{recording}/stop", token)
        assert status == 200, body
        await viewer.close()
        await publisher.close()
        return {"id": recording, "fed": fed, "killed_wall": killed_wall, "killed_at": killed_at}

    figures = asyncio.run(run())
    fed = figures["fed"]
    assert fed["relay-1"] > 0 and fed["origin-1"] < fed["relay-1"] / 10, (
        f"recorder-1 was not fed through relay-1 before the kill ({fed}); the test needs the relay path")
    recording = figures["id"]
    wait_for(lambda: mesh.postgres.query(f"SELECT 1 FROM recordings WHERE id = '{recording}' AND state = 'stopped'"),
             20, "the recording stopped in the catalog")
    gaps = mesh.postgres.query(
        "SELECT g.reason, g.at, g.duration, extract(epoch FROM r.started_at) FROM gaps g JOIN recordings r "
        f"ON r.id = g.recording_id WHERE g.recording_id = '{recording}' ORDER BY g.at")
    moves = [g for g in gaps if g[0] == "link-move"]
    assert moves, f"no gap with reason link-move: {gaps}"
    # The move's gap begins around the kill: within a few seconds, by the recording's clock.
    started = float(moves[0][3])
    at_wall = started + float(moves[0][1])
    assert abs(at_wall - figures["killed_wall"]) < 4.0, (moves, figures["killed_wall"], started)
    # It spans the silence: from the last frame before the kill to the first after the repath
    # (the recorder waits 1 s before it gives its link up).
    longest = max(float(g[2]) for g in moves)
    assert 0.5 <= longest <= 6.0, moves
    segments = mesh.postgres.query(f"SELECT file FROM segments WHERE recording_id = '{recording}' ORDER BY sequence")
    assert len(segments) >= 2, segments
    for (file,) in segments:
        assert ffmpeg_errors(mesh.storage / file) == "", file
    status, _, body = api(mesh, "GET", f"/v1/recordings/{recording}", token)
    assert status == 200 and any(g["reason"] == "link-move" for g in json.loads(body)["gaps"]), body
    print(f"\nlink move: recorder fed {fed} before kill -9 relay-1; gaps {gaps}")
