"""Per-hop latency of the cascade: origin-1 → relay-1 → edge-a, from the nodes' own traces.

    .venv-interop/bin/python Tests/Interop/measure_hops.py [--seconds 20]

Starts the mesh (meshmesh.py) with edge-a fed only through relay-1 (RELAY_FIRST_LINKS) and
MESHCAST_TRACE_HOPS on every node, publishes the numbered aiortc video and Opus tone to
origin-1 and watches it with one aiortc viewer placed on edge-a, for --seconds. Then SIGTERMs
the nodes (they write their traces at shutdown), joins the CSVs by (ssrc, seq) and prints
the median and p99 of origin→relay, relay→edge and origin→edge (hops.py). The run directory
(topology, logs, traces) is kept. Used by scripts/measure-hops, which builds the binary first.
"""

import argparse
import asyncio
import pathlib
import sys
import tempfile

import hops
import meshmesh
import results
from clients import publish
from media import delivery, keep_ice_on_loopback
from meshclients import view_placed

STREAM = "hops"


async def run(mesh, seconds: float) -> dict:
    origin = mesh["origin-1"]
    publisher = await publish(origin, STREAM, origin.token(STREAM, "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    viewer = await view_placed(mesh, origin, STREAM, origin.token(STREAM, "view"),
                               forwarded_for=meshmesh.REGION_A_CLIENT.format(9), expect_edge="edge-a")
    print(f"measure-hops: viewer placed on edge-a via {viewer.redirect}; watching {seconds:g} s", flush=True)
    await asyncio.sleep(seconds)
    last_sent = publisher.source.sent[-1][0]
    await asyncio.sleep(1.0)
    got = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
    await viewer.close()
    await publisher.close()
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    arguments = parser.parse_args()
    reason = meshmesh.why_no_mesh()
    if reason:
        print(f"measure-hops: {reason}", file=sys.stderr)
        return 2
    keep_ice_on_loopback()
    directory = pathlib.Path(tempfile.mkdtemp(prefix="meshcast-hops."))
    mesh = meshmesh.Mesh(directory, links=meshmesh.RELAY_FIRST_LINKS, trace=True)
    viewer = None
    try:
        mesh.start()
        print(f"measure-hops: mesh up in {directory}", flush=True)
        viewer = asyncio.run(run(mesh, arguments.seconds))
    except meshmesh.MeshRefused as refusal:
        mesh.stop()
        print(f"measure-hops: {refusal}", file=sys.stderr)
        return 2
    except BaseException:
        mesh.stop()
        print(mesh.logs(), file=sys.stderr)
        raise
    problems = mesh.stop()
    traces = mesh.written_traces()
    summary = hops.summarize(traces, mesh.links)
    summary["viewer"] = viewer
    print(f"measure-hops: viewer on edge-a decoded {viewer.get('received')}/{viewer['expected']} frames, "
          f"join {viewer['join_ms']} ms")
    print(hops.table(summary))
    path = results.write("measure_hops", summary)
    print(f"measure-hops: figures in {path}; traces from {sorted(traces)} in {directory}")
    if problems:
        print("measure-hops: " + "; ".join(problems), file=sys.stderr)
        print(mesh.logs(), file=sys.stderr)
        return 1
    if not traces:
        print("measure-hops: no node wrote a MESHCAST_TRACE_HOPS file", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
