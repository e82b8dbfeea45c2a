"""Issue 16, systemd: deploy/systemd/meshcast@.service is valid, hardened, and the node runs under it.

- `systemd-analyze verify` (systemd 252, Debian 12) finds nothing to say about the unit (its
  ExecStart pointed at the built binary, since verify checks that the command exists).
- `systemd-analyze security --offline=yes` rates its exposure at most MAX_EXPOSURE ("OK" starts
  below 5.0 on its 0-10 scale; 1.2 when written).
- A node started as the unit starts it (secrets only as credentials in $CREDENTIALS_DIRECTORY,
  systemd.exec(5) "Credentials"; the environment holds a wrong token secret) serves an aiortc
  publisher and viewer, under `strace -f`: every system call it made is one the unit's
  SystemCallFilter= lines allow (expanded with `systemd-analyze syscall-filter`), every socket
  is of a family RestrictAddressFamilies= lists, no mapping is writable and executable
  (MemoryDenyWriteExecute=), no real-time scheduling (RestrictRealtime=), no namespaces
  (RestrictNamespaces=), /proc is read only in a process's own directory (ProcSubset=pid).
  These are what the sandbox would otherwise refuse in production only.
"""

import asyncio
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import time

import pytest

import meshnode
from clients import publish, view

UNIT = meshnode.ROOT / "deploy" / "systemd" / "meshcast@.service"
MAX_EXPOSURE = 2.0

needs_systemd_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                           reason="systemd-analyze is missing (Debian's systemd package)")


def unit_settings(text: str) -> list[tuple[str, str]]:
    """(key, value) of every assignment in the unit, in order (comments and sections skipped)."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


def syscall_groups() -> dict[str, list[str]]:
    """`systemd-analyze syscall-filter`: each @group with its members (names or @groups)."""
    listing = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True,
                             check=True).stdout
    groups: dict[str, list[str]] = {}
    current = None
    for line in listing.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.split()[0], [])
        elif current is not None and line.startswith(" ") and not line.strip().startswith("#"):
            current.append(line.strip())
        elif not line.strip():
            current = None
    return groups


def expand(names: list[str], groups: dict[str, list[str]]) -> set[str]:
    calls: set[str] = set()
    for name in names:
        calls |= expand(groups[name], groups) if name.startswith("@") else {name}
    return calls


def allowed_syscalls(settings: list[tuple[str, str]]) -> set[str]:
    """What SystemCallFilter= lines allow: the first allow-list, minus every `~` deny-list."""
    groups = syscall_groups()
    allow: set[str] | None = None
    deny: set[str] = set()
    for key, value in settings:
        if key != "SystemCallFilter" or not value:
            continue
        if value.startswith("~"):
            deny |= expand(value[1:].split(), groups)
        else:
            allow = (allow or set()) | expand(value.split(), groups)
    assert allow is not None, "the unit has no SystemCallFilter= allow-list"
    return allow - deny


@needs_systemd_analyze
def test_systemd_analyze_verify_is_silent(tmp_path):
    binary = meshnode.binary()
    if not binary.exists():
        pytest.skip(f"{binary} is not built")
    copy = tmp_path / "meshcast@.service"
    text = UNIT.read_text()
    assert "ExecStart=/usr/local/bin/meshcast " in text
    copy.write_text(text.replace("/usr/local/bin/meshcast ", f"{binary} "))
    for name in ("meshcast@.service", "meshcast@edge-a.service"):
        result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / name)], capture_output=True,
                                text=True, timeout=60)
        said = (result.stdout + result.stderr).strip()
        print(f"\nsystemd-analyze verify {name}: rc {result.returncode}, {said or 'nothing to say'}")
        # verify exits 0 even after "Failed to parse ..., ignoring": any output is a finding.
        assert result.returncode == 0 and not said, said


@needs_systemd_analyze
def test_exposure_is_low():
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(UNIT)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", result.stdout)
    assert found, result.stdout[-2000:]
    exposure = float(found.group(1))
    print(f"\nsystemd-analyze security: exposure {exposure} {found.group(2)}")
    print("\n".join(line for line in result.stdout.splitlines() if line.startswith("✗")))
    assert exposure <= MAX_EXPOSURE, result.stdout
    settings = dict(unit_settings(UNIT.read_text()))
    for key in ("NoNewPrivileges", "ProtectSystem", "StateDirectory", "LimitNOFILE", "TimeoutStopSec"):
        assert key in settings, f"the unit lacks {key}="
    assert "AF_NETLINK" in settings["RestrictAddressFamilies"].split()
    # Drain (SIGTERM) lasts up to policies.drain_deadline_seconds, 30 by default.
    assert int(settings["TimeoutStopSec"]) > 30


async def publish_and_watch(node) -> dict:
    publisher = await publish(node, "unit", node.token("unit", "publish"))
    await publisher.connected()
    viewer = await view(node, "unit", node.token("unit", "view"))
    await viewer.connected()
    await asyncio.sleep(4.0)
    decoded = len(viewer.video.frames) if viewer.video else 0
    statuses = (await viewer.close(), await publisher.close())
    return {"decoded": decoded, "delete_statuses": statuses}


def stop_traced(node) -> int | None:
    """SIGTERM (twice) to the node itself, not to strace: strace would detach and leave it."""
    tracer = node.process
    children = [int(pid) for task in pathlib.Path(f"/proc/{tracer.pid}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    node.stopped_by_us = True
    for child in children:
        for _ in range(2):
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                break
            time.sleep(0.3)
    try:
        return tracer.wait(15)
    except subprocess.TimeoutExpired:
        tracer.kill()
        return None


@needs_systemd_analyze
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is missing")
def test_node_stays_inside_the_units_sandbox(tmp_path):
    reason = meshnode.why_no_node()
    if reason:
        pytest.skip(reason)
    settings = unit_settings(UNIT.read_text())
    allowed = allowed_syscalls(settings)
    families = set(dict(settings)["RestrictAddressFamilies"].split())

    node = meshnode.MeshNode(tmp_path)
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / "MESHCAST_SECRET").write_text(node.secret + "\n")
    (credentials / "MESHCAST_CLUSTER_SECRET").write_text(node.env["MESHCAST_CLUSTER_SECRET"] + "\n")
    token_env = node.env
    node.env = {**token_env, "MESHCAST_SECRET": "not-the-secret-" + secrets.token_hex(8),
                "CREDENTIALS_DIRECTORY": str(credentials)}
    node.env.pop("MESHCAST_CLUSTER_SECRET")
    trace = tmp_path / "strace.txt"
    node.wrapper = ("strace", "-f", "-qq", "-o", str(trace))
    try:
        node.start(timeout_s=60)
        node.env = token_env  # tokens are minted with the secret the credential holds
        figures = asyncio.run(publish_and_watch(node))
    finally:
        status = stop_traced(node)
    print(f"\nnode under strace: {figures}, exit status {status}")
    assert figures["decoded"] > 0, "the viewer decoded nothing: the credential secret was not used?"
    assert status == 0, f"node exited {status}\n{node.log_tail()}"

    text = trace.read_text(errors="replace")
    calls = set(re.findall(r"^\d+ +(?:<\.\.\. )?([a-z_0-9]+)[( ]", text, re.M))
    calls.discard("exit")  # strace's "+++ exited" lines are not calls; exit itself is in @default
    print(f"{len(calls)} distinct system calls: {' '.join(sorted(calls))}")
    assert calls - allowed == set(), f"system calls the unit's SystemCallFilter= refuses: {calls - allowed}"

    used = set(re.findall(r"\bsocket(?:pair)?\((AF_[A-Z0-9]+)", text))
    print(f"socket families: {sorted(used)}")
    assert used <= families, f"families RestrictAddressFamilies= refuses: {used - families}"

    writable_executable = [line for line in text.splitlines()
                           if re.search(r"\b(mmap|mprotect|pkey_mprotect)\(", line) and "PROT_EXEC" in line
                           and ("PROT_WRITE" in line or "mprotect(" in line)]
    assert not writable_executable, f"MemoryDenyWriteExecute= would refuse: {writable_executable[:5]}"
    assert not re.search(r"SCHED_(FIFO|RR)", text), "RestrictRealtime= would refuse real-time scheduling"
    assert not re.search(r"\b(unshare|setns)\(|CLONE_NEW", text), "RestrictNamespaces= would refuse a namespace"
    proc = set(re.findall(r'"(/proc/[^"]*)"', text))
    hidden = {path for path in proc if not re.match(r"/proc/(self|thread-self|\d+)(/|$)", path)}
    assert not hidden, f"ProcSubset=pid hides {hidden}"
