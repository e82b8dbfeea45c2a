"""Reading a node's /metrics (Prometheus text) for the mesh tests: link counters by peer,
drop counters, placement quantiles. Label names are not fixed by the brief, so a link
sample belongs to a peer when one of its label values names that node."""

import re

SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)", re.M)
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    found = []
    for name, labels, value in SAMPLE.findall(text):
        try:
            number = float(value)
        except ValueError:
            continue
        found.append((name, dict(LABEL.findall(labels or "")), number))
    return found


def total(text: str, pattern: str) -> float:
    """Sum of every sample whose metric name matches the regular expression `pattern`."""
    matcher = re.compile(pattern)
    return sum(value for name, _, value in samples(text) if matcher.search(name))


def link_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("meshcast_relay_link_")]


def names_node(labels: dict[str, str], node_id: str) -> bool:
    # "relay-1" names relay-1 in "relay-1->edge-a" or "from relay-1", not in "relay-10".
    token = re.compile(rf"(?<!\w)(?<!\w-){re.escape(node_id)}(?!\w)(?!-\w)")
    return any(token.search(value) for value in labels.values())


def link_traffic(text: str, peer: str) -> float:
    """Packets (or bytes) on this node's relay links that name `peer`, any direction."""
    return sum(value for name, labels, value in samples(text)
               if name.startswith("meshcast_relay_link_") and re.search(r"packets|bytes", name)
               and names_node(labels, peer))


def retransmissions(text: str) -> float:
    """Link retransmission counters (packets resent on a NACK) on this node."""
    return total(text, r"^meshcast_relay_link_\w*(retransmi|rtx|resen)")


def drops(text: str) -> float:
    """Every counter of dropped input: meshcast_drops_total and any *drop* link counter."""
    return total(text, r"^meshcast_\w*drop")


def placement_quantiles(text: str) -> dict[str, float]:
    """{"0.5": seconds, "0.99": seconds} from meshcast_placement_decision_seconds."""
    return {labels["quantile"]: value for name, labels, value in samples(text)
            if name == "meshcast_placement_decision_seconds" and "quantile" in labels}
