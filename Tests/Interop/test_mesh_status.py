"""Issue 16, the mesh as a whole: `GET /v1/mesh` and `meshcast status` on a running mesh.

An aiortc publisher on origin-1 and a viewer placed on edge-a (region a, X-Forwarded-For):
- `/v1/mesh` on edge-b (any node answers for the whole mesh) with an operator token lists the
  four nodes serving with fresh heartbeats (< 1.5 s, the registry's expiry), each running the
  same topology by its own report, the stream with
  origin-1 as origin, origin-1 and edge-a among its carriers and edge-a's one viewer, and the
  relay link feeding edge-a carrying it with packets and bits flowing; view and
  publish tokens get 403, no token 401.
- `meshcast status --api <relay-1>` (operator token from MESHCAST_OPERATOR_TOKEN) prints every
  node with its state and the stream with its viewers; `--json` prints the same overview; with a
  view token it exits 1 naming the 403.
- relay-1 killed with SIGKILL shows as `stale` within 3 s (1.5 s expiry plus the 1 s cache).
"""

import asyncio
import json
import subprocess
import time

from clients import publish
from meshclients import view_placed
from meshnode import binary

MESH_OPTIONS = {"trace": False}


def operator_token(node) -> str:
    result = subprocess.run([str(binary()), "token", "--operator"], capture_output=True, text=True, env=node.env,
                            timeout=30, check=True)
    return result.stdout.strip().splitlines()[-1].strip()


def overview(node, token: str) -> tuple[int, dict | bytes]:
    status, _, body = node.request("GET", "/v1/mesh", headers={"Authorization": f"Bearer {token}"})
    return status, (json.loads(body) if status == 200 else body)


def status_command(node, token: str, *arguments: str) -> str:
    result = subprocess.run([str(binary()), "status", "--api", f"127.0.0.1:{node.api_port}", *arguments],
                            capture_output=True, text=True, env={**node.env, "MESHCAST_OPERATOR_TOKEN": token},
                            timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def with_viewer(mesh, check) -> None:
    origin = mesh["origin-1"]
    publisher = await publish(origin, "overview", origin.token("overview", "publish"))
    await publisher.connected()
    viewer = await view_placed(mesh, origin, "overview", origin.token("overview", "view"),
                               forwarded_for="127.0.0.9", expect_edge="edge-a")
    await viewer.connected()
    await asyncio.sleep(2.5)  # viewer reports and carriers are written once a second
    try:
        await asyncio.to_thread(check)
    finally:
        await viewer.close()
        await publisher.close()


def test_mesh_overview_and_status_command(start_mesh):
    mesh = start_mesh(trace=False)
    token = operator_token(mesh["origin-1"])

    def check() -> None:
        status, answer = overview(mesh["edge-b"], token)
        assert status == 200, answer
        print(f"\n/v1/mesh: {json.dumps(answer)}")
        nodes = {node["id"]: node for node in answer["nodes"]}
        assert list(nodes) == ["origin-1", "relay-1", "edge-a", "edge-b"], nodes
        for node in nodes.values():
            assert node["state"] == "serving", node
            # Every node reports the topology it runs: the same file here.
            assert node.get("topology") == answer["answeringNodeTopology"], node
            assert node.get("heartbeatAgeMilliseconds", 9999) < 1500, node
        assert nodes["edge-a"]["sessions"] >= 1, nodes["edge-a"]
        streams = {stream["name"]: stream for stream in answer["streams"]}
        stream = streams["overview"]
        assert stream["origin"] == "origin-1"
        assert {"origin-1", "edge-a"} <= set(stream["carriers"]), stream
        assert stream["viewers"].get("edge-a") == 1, stream
        assert answer.get("appliedTopology") in (None, answer["answeringNodeTopology"])
        # The tree: the link that feeds edge-a carries the stream, with packets flowing.
        feeds = [link for link in answer["links"] if link["downstream"] == "edge-a" and "overview" in link["streams"]]
        assert len(feeds) == 1 and feeds[0]["upstream"] in ("origin-1", "relay-1"), answer["links"]
        assert feeds[0]["packetsPerSecond"] > 0 and 0 <= feeds[0]["fractionLost"] <= 1, feeds
        # Bits and packets come from the same end and interval: at least an RTP header per packet.
        assert feeds[0]["bitsPerSecond"] >= 8 * 12 * feeds[0]["packetsPerSecond"], feeds

        for scope in ("view", "publish"):
            refused, body = overview(mesh["edge-b"], mesh["origin-1"].token("overview", scope))
            assert refused == 403, (scope, refused, body)
        assert mesh["edge-b"].request("GET", "/v1/mesh")[0] == 401

        printed = status_command(mesh["relay-1"], token)
        print(printed)
        for node_id in nodes:
            assert any(line.split()[:1] == [node_id] and "serving" in line for line in printed.splitlines()), printed
        assert any(line.startswith("overview") and "edge-a 1" in line for line in printed.splitlines()), printed
        assert any(line.startswith(f"{feeds[0]['upstream']} -> edge-a") and "Mbit/s" in line
                   for line in printed.splitlines()), printed
        assert "BITRATE" in printed and "no failovers recorded" in printed, printed
        as_json = json.loads(status_command(mesh["relay-1"], token, "--json"))
        assert [node["id"] for node in as_json["nodes"]] == list(nodes)
        refused = subprocess.run(
            [str(binary()), "status", "--api", f"127.0.0.1:{mesh['relay-1'].api_port}"], capture_output=True, text=True,
            env={**mesh["relay-1"].env, "MESHCAST_OPERATOR_TOKEN": mesh["origin-1"].token("overview", "view")},
            timeout=30)
        assert refused.returncode == 1 and "answered 403" in refused.stderr, (refused.returncode, refused.stderr)

    asyncio.run(with_viewer(mesh, check))

    killed_at = mesh.kill9("relay-1")
    while True:
        status, answer = overview(mesh["origin-1"], token)
        assert status == 200, answer
        relay = next(node for node in answer["nodes"] if node["id"] == "relay-1")
        if relay["state"] == "stale":
            break
        assert time.monotonic() - killed_at < 3.0, f"relay-1 still {relay} 3 s after SIGKILL"
        time.sleep(0.1)
    print(f"relay-1 stale in /v1/mesh {time.monotonic() - killed_at:.2f} s after SIGKILL")
    assert "stale" in next(line for line in status_command(mesh["origin-1"], token).splitlines()
                           if line.startswith("relay-1"))
