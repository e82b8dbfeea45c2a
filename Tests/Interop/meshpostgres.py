"""A throw-away PostgreSQL for the recorder tests, the way MeshCatalog's PostgresServerProcess
runs one: `initdb` (trust for the superuser `meshcast` on 127.0.0.1) and `postgres` on a free
loopback port, as the `postgres` user through `setpriv` when the tests run as root (PostgreSQL
refuses root). Its directory is a fresh one under /tmp handed to that user (pytest's own temp
directories are closed to other users). `query()` runs SQL through `psql`."""

import glob
import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

from meshnode import free_tcp_port


def binaries() -> pathlib.Path | None:
    """Debian keeps PostgreSQL's server binaries off PATH, under /usr/lib/postgresql/<v>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(pathlib.Path(p).parent.parent.name or 0), reverse=True)
    if found:
        return pathlib.Path(found[0]).parent
    initdb = shutil.which("initdb")
    return pathlib.Path(initdb).parent if initdb else None


def why_no_postgres() -> str | None:
    if binaries() is None:
        return "needs PostgreSQL (apt-get install postgresql: scripts/setup)"
    if not shutil.which("psql"):
        return "needs psql (postgresql-client)"
    if os.getuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "runs as root and there is no postgres user (install Debian's postgresql package)"
    return None


class PostgresServer:
    def __init__(self) -> None:
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="meshcast-pg-"))
        self.port = free_tcp_port()
        self.process: subprocess.Popen | None = None
        self.bin = binaries()
        if os.getuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.directory, user.pw_uid, user.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://meshcast@127.0.0.1:{self.port}/postgres"

    def _command(self, binary: str, *arguments: str) -> list[str]:
        path = str(self.bin / binary)
        if os.getuid() == 0:
            return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", path, *arguments]
        return [path, *arguments]

    def start(self, timeout_s: float = 30.0) -> None:
        data = self.directory / "data"
        log = open(self.directory / "postgres.log", "ab")
        if not data.exists():
            subprocess.run(self._command("initdb", "-D", str(data), "-U", "meshcast", "-A", "trust", "-E", "UTF8",
                                         "--no-sync"), stdout=log, stderr=log, check=True, timeout=120)
        self.process = subprocess.Popen(
            self._command("postgres", "-D", str(data), "-p", str(self.port), "-k", str(self.directory),
                          "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                          "-c", "synchronous_commit=off"),
            stdout=log, stderr=log)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"postgres exited with {self.process.returncode}: {self.log_tail()}")
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"postgres on port {self.port} did not accept connections in {timeout_s} s")

    def halt(self) -> None:
        """Stops the server (fast shutdown: clients are cut off) and keeps its data, so that
        `start()` brings the same cluster back on the same port: an outage."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.directory, ignore_errors=True)

    def query(self, sql: str) -> list[list[str]]:
        """Rows of `sql`, each a list of column texts (psql unaligned, tab-separated)."""
        result = subprocess.run(["psql", self.url, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"psql failed: {result.stderr}"
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.directory / "postgres.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no postgres log)"
