"""Per-hop latency from the nodes' MESHCAST_TRACE_HOPS files.

Each node appends `stage,ssrc,seq,monotonic_ns` for the first 20000 RTP packets it handles on
the mesh (stage: ingest at the origin's publisher socket, link_in when a link packet arrives,
link_out when one leaves). CLOCK_MONOTONIC is one clock for every process on this machine, so
the same (ssrc, seq) seen at two nodes gives the time between them. A packet seen twice at one
stage (a retransmission, or a packet sent on two links) counts at its first sighting.

    python Tests/Interop/hops.py origin-1=hops-origin-1.csv relay-1=hops-relay-1.csv edge-a=hops-edge-a.csv
"""

import csv
import pathlib
import sys

Key = tuple[int, int]


def load(path: pathlib.Path) -> dict[str, dict[Key, int]]:
    """{stage: {(ssrc, seq): first monotonic_ns}}. Lines that do not parse are skipped."""
    stages: dict[str, dict[Key, int]] = {}
    with open(path, newline="") as file:
        for row in csv.reader(file):
            if len(row) != 4:
                continue
            try:
                stage, ssrc, seq, at = row[0].strip(), int(row[1], 0), int(row[2]), int(row[3])
            except ValueError:
                continue  # a header line, or a line cut short by a crash
            seen = stages.setdefault(stage, {})
            if (ssrc, seq) not in seen or at < seen[(ssrc, seq)]:
                seen[(ssrc, seq)] = at
    return stages


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def figures(deltas_ns: list[int]) -> dict:
    if not deltas_ns:
        return {"packets": 0}
    ms = [delta / 1e6 for delta in deltas_ns]
    return {"packets": len(ms), "median_ms": round(percentile(ms, 0.5), 3), "p99_ms": round(percentile(ms, 0.99), 3),
            "max_ms": round(max(ms), 3), "negative": sum(1 for value in ms if value < 0)}


def between(earlier: dict[Key, int], later: dict[Key, int]) -> list[int]:
    return [later[key] - earlier[key] for key in later.keys() & earlier.keys()]


def summarize(traces: dict[str, pathlib.Path], links: dict[str, list[str]] | None = None,
              origin: str = "origin-1") -> dict:
    """Latency origin→each node that saw link packets, and along each non-origin link of
    `links` (upstream → downstreams; default: every non-origin node that sent on a link, to
    every other node).

    The origin's time of a packet is its `ingest` line when the link carries the publisher's
    (ssrc, seq) unchanged; when the origin rewrites them (mesh SSRCs), the ingest lines do
    not join and the origin's first `link_out` stands in (the note says which was used)."""
    loaded = {node: load(path) for node, path in traces.items()}
    result: dict = {"nodes": {node: {stage: len(keys) for stage, keys in stages.items()} for node, stages in loaded.items()}}
    if origin not in loaded:
        result["note"] = f"no trace from {origin}"
        return result
    ingest = loaded[origin].get("ingest", {})
    sent = loaded[origin].get("link_out", {})
    arrivals = {node: stages.get("link_in", {}) for node, stages in loaded.items() if node != origin}
    seen_downstream = set().union(*arrivals.values()) if arrivals else set()
    if seen_downstream and len(seen_downstream & ingest.keys()) >= 0.5 * len(seen_downstream & sent.keys()) > 0:
        origin_times, result["note"] = ingest, "origin time: ingest (publisher's socket)"
    else:
        origin_times = sent
        result["note"] = "origin time: link_out (ingest lines do not join the link packets: SSRC/seq rewritten)"
    if links is None:
        links = {node: [other for other in arrivals if other != node]
                 for node, stages in loaded.items() if node != origin and stages.get("link_out")}
    hops = {}
    for node, arrived in sorted(arrivals.items()):
        if arrived:
            hops[f"{origin} -> {node}"] = figures(between(origin_times, arrived))
    for upstream, downstreams in links.items():
        for downstream in downstreams:
            if upstream != origin and arrivals.get(upstream) and arrivals.get(downstream):
                forwarded = {key: at for key, at in arrivals[upstream].items()
                             if key in loaded[upstream].get("link_out", {})}
                hops[f"{upstream} -> {downstream}"] = figures(between(forwarded, arrivals[downstream]))
    for node, stages in sorted(loaded.items()):
        if node != origin and stages.get("link_in") and stages.get("link_out"):
            hops[f"inside {node} (link_in -> link_out)"] = figures(between(stages["link_in"], stages["link_out"]))
    result["hops"] = hops
    return result


def table(summary: dict) -> str:
    lines = [f"hop latency ({summary.get('note', '')}):",
             f"  {'hop':<38} {'packets':>7} {'median ms':>10} {'p99 ms':>9} {'max ms':>9}"]
    for name, hop in summary.get("hops", {}).items():
        if hop["packets"]:
            lines.append(f"  {name:<38} {hop['packets']:>7} {hop['median_ms']:>10.3f} {hop['p99_ms']:>9.3f} {hop['max_ms']:>9.3f}")
        else:
            lines.append(f"  {name:<38} {0:>7} {'(no common packets)':>30}")
    lines.append(f"  lines per node and stage: {summary.get('nodes')}")
    return "\n".join(lines)


def main(arguments: list[str]) -> None:
    traces = {}
    for argument in arguments:
        node, _, path = argument.partition("=")
        traces[node] = pathlib.Path(path)
    print(table(summarize(traces)))


if __name__ == "__main__":
    main(sys.argv[1:])
