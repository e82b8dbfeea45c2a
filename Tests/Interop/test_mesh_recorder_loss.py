"""Issue 14, a recording under 5 % loss: a real PostgreSQL (meshpostgres), a real Redis and every
node a separate `meshcast node` process (origin-1, relay-1, edge-a, edge-b, recorder-1). origin-1
and relay-1 drop 5 % of the RTP they first send on their relay links (MESHCAST_TEST_DROP_LINK,
the nodes' own fault knob, as test_mesh_link_loss uses it; resends on NACK are not dropped), so
whichever path placement gives the recorder, its last hop loses 5 %. The recorder NACKs
upstream hop by hop (its tap waits up to 400 ms for a missing packet) and the hop above answers
from its retransmission buffer.

aiortc publishes `rec-lossy` (matched by `policies.record: ["rec-*"]`) for 20 s after its
recording is listed, then stops. Then every closed segment must decode with
`ffmpeg -v error` printing nothing, and the numbered frames (framecode) decoded from the
segments must be at least 99 % of the frames the publisher sent from the first recorded one to
the last sent, each once and in order; the link must have lost and retransmitted (the knob took
effect). Figures go to .build/interop-results/mesh_recorder_loss.json.
"""

import asyncio
import json
import shutil
import time

import pytest

import meshmetrics
import meshpostgres
import results
from clients import publish
from conftest import running_mesh
from test_mesh_recorder import api, ffmpeg_errors, frame_numbers, operator_token, recording_rows, wait_for

STREAM = "rec-lossy"
SEGMENT_SECONDS = 5
PUBLISH_SECONDS = 20.0
DROP = "0.05"


@pytest.fixture(scope="module")
def lossy_recorder_mesh(request, tmp_path_factory):
    reason = meshpostgres.why_no_postgres()
    if reason:
        pytest.skip(reason)
    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg (apt-get install ffmpeg)")
    directory = tmp_path_factory.mktemp("mesh_recorder_loss")
    postgres = meshpostgres.PostgresServer()
    postgres.start()
    storage = directory / "recordings"
    options = {
        "recorder": {"storage": f"{{path: {storage}, segment_seconds: {SEGMENT_SECONDS}}}",
                     "postgres_url": postgres.url},
        "policies": {"record": '["rec-*"]'},
        "node_env": {"origin-1": {"MESHCAST_TEST_DROP_LINK": DROP}, "relay-1": {"MESHCAST_TEST_DROP_LINK": DROP}},
        "trace": False,
    }
    try:
        with running_mesh(request, directory, "mesh_recorder_loss", **options) as mesh:
            mesh.postgres = postgres
            mesh.storage = storage
            yield mesh
    finally:
        postgres.stop()


def test_recording_keeps_99_percent_of_frames_with_5_percent_link_loss(lossy_recorder_mesh):
    mesh = lossy_recorder_mesh
    token = operator_token(mesh)
    origin = mesh["origin-1"]

    async def run() -> dict:
        publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
        await publisher.connected()

        def listed():
            status, _, body = api(mesh, "GET", f"/v1/recordings?stream={STREAM}", token)
            return status == 200 and json.loads(body)["recordings"]

        rows = await asyncio.to_thread(wait_for, listed, 15, "the policy recording listed by the recorder")
        await asyncio.sleep(PUBLISH_SECONDS)
        await publisher.close()
        return {"id": rows[0]["id"], "sent": list(publisher.source.sent)}

    figures = asyncio.run(run())
    recording = figures["id"]
    rows = wait_for(lambda: [r for r in recording_rows(mesh, STREAM) if r[1] != "recording"], 20,
                    "the recording stopped in the catalog after the publisher left")
    assert rows[0][0] == recording and rows[0][1] == "stopped", rows
    files = [f for (f,) in mesh.postgres.query(
        f"SELECT file FROM segments WHERE recording_id = '{recording}' AND state = 'closed' ORDER BY sequence")]
    assert len(files) >= 3, files
    numbers: list[int | None] = []
    errors = {}
    for file in files:
        path = mesh.storage / file
        text = ffmpeg_errors(path)
        if text:
            errors[file] = text
        numbers.extend(frame_numbers(path))
    read = [n for n in numbers if n is not None]
    sent = dict(figures.pop("sent"))
    last_sent = max(sent)
    assert read, "no numbered frame decoded from the recording"
    expected = last_sent - read[0] + 1
    texts = {node_id: mesh[node_id].metrics() for node_id in ("origin-1", "relay-1", "recorder-1")}
    retransmissions = {node_id: meshmetrics.retransmissions(text) for node_id, text in texts.items()}
    gaps = mesh["recorder-1"].metric_total("meshcast_recording_gaps_total")
    figures.update(segments=len(files), first_frame=read[0], last_frame=read[-1], last_sent=last_sent,
                   frames_recorded=len(read), frames_expected=expected, ratio=len(read) / expected,
                   unreadable=len(numbers) - len(read), duplicates=len(read) - len(set(read)),
                   in_order=read == sorted(read), retransmissions=retransmissions, gaps=gaps,
                   ffmpeg_errors=errors, recorded_at=time.time())
    results.write("mesh_recorder_loss", figures)
    print(f"\nrecording {recording} with {float(DROP) * 100:.0f} % link loss: {len(files)} segments, "
          f"{len(read)}/{expected} numbered frames ({100 * figures['ratio']:.2f} %), numbers "
          f"{read[0]}..{read[-1]} of {last_sent} sent; {gaps:.0f} gaps; link retransmissions {retransmissions}")

    assert errors == {}, f"ffmpeg -v error printed: {errors}"
    assert sum(retransmissions.values()) > 0, f"no link retransmission counted: the loss knob did not act? {figures}"
    assert figures["in_order"] and figures["duplicates"] == 0, figures
    assert figures["ratio"] >= 0.99, figures


def test_recordings_page_lists_and_plays(lossy_recorder_mesh):
    """The recorder's /recordings page in headless Chromium with an operator token: it lists the
    recordings of the API (the one made above, stopped), and its player loads a finished one
    through /media and plays its video. The page answers without a token too, and asks for one."""
    from browser import chromium

    mesh = lossy_recorder_mesh
    token = operator_token(mesh)
    recorder = mesh["recorder-1"]
    listed = json.loads(api(mesh, "GET", f"/v1/recordings?stream={STREAM}&state=stopped", token)[2])["recordings"]
    if not listed:
        pytest.skip("the loss test made no stopped recording to list")
    recording = listed[0]["id"]

    async def run() -> dict:
        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 1000, "height": 800})
            await page.goto(f"{recorder.base}/recordings")
            asked = await page.evaluate("() => document.getElementById('form').className === 'shown'")
            await page.goto(f"{recorder.base}/recordings?token={token}")
            await page.wait_for_function(
                "(id) => document.querySelector(`#recordings tr[data-recording='${id}']`)?.dataset.state === 'stopped'",
                arg=recording, timeout=10000)
            rows = await page.evaluate(
                "() => [...document.querySelectorAll('#recordings tr[data-recording]')].map(r => r.dataset.recording)")
            await page.click(f"button[data-play='{recording}']")
            await page.wait_for_function(
                """() => { const v = document.getElementById('player');
                     return v.readyState >= 2 && v.videoWidth > 0 && v.currentTime > 0.5; }""", timeout=20000)
            played = await page.evaluate(
                "() => { const v = document.getElementById('player'); "
                "return {width: v.videoWidth, height: v.videoHeight, duration: v.duration, at: v.currentTime, "
                "playing: window.meshcast.playing, error: window.meshcast.error}; }")
            await page.screenshot(path=str(results.DIRECTORY / "recordings-page.png"), full_page=True)
            return {"asked_for_token": asked, "rows": rows, "played": played}

    figures = asyncio.run(run())
    results.write("mesh_recorder_page", figures)
    print(f"\n/recordings: {len(figures['rows'])} listed; played {figures['played']}")
    assert figures["asked_for_token"], "without a token the page must show its token form"
    assert recording in figures["rows"], figures
    assert figures["played"]["playing"] == recording and figures["played"]["error"] is None, figures
    assert figures["played"]["width"] > 0 and figures["played"]["duration"] > 5, figures
