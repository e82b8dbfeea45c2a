"""A network namespace joined to the host by a veth pair, whose host side can be shaped with
`tc netem` (a real bottleneck on this machine, for viewers behind a slow link)."""

import os
import subprocess


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


class ShapedNamespace:
    """`host` (the host side's address) reaches `peer` inside namespace `name`; traffic toward the
    namespace goes through the host side's qdisc, which `limit()` shapes and `unlimit()` clears."""

    def __init__(self, index: int = 0) -> None:
        tag = f"{os.getpid() % 10000}{index}"
        self.name, self.outside, self.inside = f"mcv{tag}", f"mch{tag}", f"mcn{tag}"
        self.host, self.peer = f"10.201.{index}.1", f"10.201.{index}.2"

    @staticmethod
    def why_not() -> str | None:
        """Why namespaces cannot be made here (not root, no `ip`/`tc`), or None."""
        if os.geteuid() != 0:
            return "network namespaces need root"
        probe = subprocess.run(["ip", "netns", "add", f"mcprobe{os.getpid()}"], capture_output=True)
        if probe.returncode != 0:
            return f"ip netns add failed: {probe.stderr.decode().strip()}"
        run("ip", "netns", "del", f"mcprobe{os.getpid()}")
        if subprocess.run(["tc", "-V"], capture_output=True).returncode != 0:
            return "tc (iproute2) is missing"
        return None

    def __enter__(self) -> "ShapedNamespace":
        run("ip", "netns", "add", self.name)
        run("ip", "link", "add", self.outside, "type", "veth", "peer", "name", self.inside)
        run("ip", "link", "set", self.inside, "netns", self.name)
        run("ip", "addr", "add", f"{self.host}/30", "dev", self.outside)
        run("ip", "link", "set", self.outside, "up")
        run("ip", "netns", "exec", self.name, "ip", "addr", "add", f"{self.peer}/30", "dev", self.inside)
        run("ip", "netns", "exec", self.name, "ip", "link", "set", self.inside, "up")
        run("ip", "netns", "exec", self.name, "ip", "link", "set", "lo", "up")
        return self

    def __exit__(self, *_) -> None:
        subprocess.run(["ip", "link", "del", self.outside], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def limit(self, rate: str, queue_ms: int) -> str:
        """Traffic toward the namespace at `rate` (e.g. "600kbit") through a queue of about
        `queue_ms`: what a home router's uplink or a busy cell does to a viewer. netem where the
        kernel has it, else a token bucket (tbf: the same rate and queue, no jitter; some
        kernels, this machine's among them, ship without sch_netem). Returns the qdisc used."""
        kbit = int(rate.removesuffix("kbit"))
        packets = max(2, kbit * queue_ms // 8 // 1200)
        netem = subprocess.run(["tc", "qdisc", "replace", "dev", self.outside, "root", "netem", "rate", rate,
                                "limit", str(packets)], capture_output=True)
        if netem.returncode == 0:
            return "netem"
        run("tc", "qdisc", "replace", "dev", self.outside, "root", "tbf", "rate", rate, "burst", "6kb",
            "latency", f"{queue_ms}ms")
        return "tbf"

    def unlimit(self) -> None:
        run("tc", "qdisc", "del", "dev", self.outside, "root")

    def wrapper(self, directory, executable: str) -> str:
        """A script that runs `executable` inside the namespace (for Playwright's launch)."""
        path = directory / f"in-{self.name}.sh"
        path.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {executable} "$@"\n')
        path.chmod(0o755)
        return str(path)
