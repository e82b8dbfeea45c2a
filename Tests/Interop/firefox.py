"""Headless Debian firefox-esr driven over Marionette, with a fake camera and microphone.

Debian 12 packages no geckodriver, Selenium would download one, and Playwright's Firefox is
a patched build of its own that cannot be fetched here; the stock browser's own remote
protocol, Marionette (`--marionette`), needs nothing but a socket. Its framing is
`<length>:<JSON>`; a command is `[0, id, name, parameters]` and its answer
`[1, id, error, result]`. The commands used are the WebDriver ones under their Marionette
names. Each browser gets a throw-away profile; Marionette listens on a free port
(`marionette.port` 0) and writes it to the profile's `MarionetteActivePort`.

One process serves several tests (a fresh profile takes seconds to start on 2 busy cores):
`FirefoxProcess` is the process, `session(process)` one test's Marionette session, which
closes the windows it opened when it ends.
"""

import asyncio
import contextlib
import json
import os
import pathlib
import subprocess
import time

FIREFOX = os.environ.get("MESHCAST_FIREFOX", "/usr/bin/firefox-esr")

PREFERENCES = {
    "marionette.port": 0,  # a free port, written to MarionetteActivePort
    "media.navigator.streams.fake": True,  # a synthetic camera and microphone
    "media.navigator.permission.disabled": True,  # getUserMedia without a prompt
    "media.autoplay.default": 0,  # allow autoplay, sound included
    "media.autoplay.blocking_policy": 0,
    "media.peerconnection.ice.loopback": True,  # Firefox leaves 127.0.0.1 out of ICE otherwise
    "media.peerconnection.ice.obfuscate_host_addresses": False,  # no mDNS names for the node to resolve
    "media.peerconnection.ice.tcp": False,  # the node is reached over UDP here; fewer candidates
    # Quiet start: no first-run pages, update checks or telemetry (there is no network).
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "app.update.disabledForTesting": True,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}


def why_no_firefox() -> str | None:
    """None when firefox-esr can be started; otherwise a sentence saying why Firefox tests skip."""
    if not pathlib.Path(FIREFOX).exists():
        return f"{FIREFOX} is missing (scripts/interop-setup installs Debian's firefox-esr)"
    try:
        probe = subprocess.run([FIREFOX, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{FIREFOX} --version failed: {error}"
    if probe.returncode != 0:
        return f"{FIREFOX} --version exited {probe.returncode}: {probe.stderr.strip()[:200]}"
    return None


class FirefoxProcess:
    """One headless firefox-esr whose throw-away profile (and `firefox.log`) is `directory`.

    `-remote-allow-system-access` lets Marionette run chrome-context scripts, which
    `grant_media` needs."""

    def __init__(self, directory: pathlib.Path) -> None:
        directory.mkdir(parents=True)
        prefs = "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFERENCES.items())
        (directory / "user.js").write_text(prefs)
        self.profile, self.log_path = directory, directory / "firefox.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [FIREFOX, "--headless", "--marionette", "-remote-allow-system-access", "--no-remote", "--profile",
                 str(directory), "about:blank"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"})

    def marionette_port(self, timeout_s: float = 60.0) -> int:
        port_file = self.profile / "MarionetteActivePort"
        deadline = time.monotonic() + timeout_s
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None:
                raise RuntimeError(f"firefox-esr exited with status {self.process.returncode} before Marionette "
                                   f"listened; firefox.log ends:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"firefox-esr wrote no {port_file.name} within {timeout_s} s; "
                                   f"firefox.log ends:\n{self.log_tail()}")
            time.sleep(0.1)
        return int(port_file.read_text())

    def log_tail(self, size: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-size:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class MarionetteError(Exception):
    """An error answer from Marionette: its WebDriver error code and message."""


class Firefox:
    """A Marionette session with a FirefoxProcess: navigate, run scripts, open windows."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._next_id = 0
        self.version = ""

    async def _receive(self):
        length = int((await self._reader.readuntil(b":"))[:-1])
        return json.loads(await self._reader.readexactly(length))

    async def command(self, name: str, parameters: dict | None = None):
        self._next_id += 1
        body = json.dumps([0, self._next_id, name, parameters or {}]).encode()
        self._writer.write(str(len(body)).encode() + b":" + body)
        await self._writer.drain()
        while True:
            kind, message_id, error, result = await self._receive()
            if kind == 1 and message_id == self._next_id:
                break
        if error:
            raise MarionetteError(f"{name}: {error.get('error')}: {error.get('message')}")
        return result

    async def grant_media(self, origin: str) -> None:
        """Grants `origin` the camera and the microphone for good. Without a grant (a fake
        capture is not one) Firefox gathers only its default-route address, never 127.0.0.1."""
        await self.command("Marionette:SetContext", {"value": "chrome"})
        try:
            await self.evaluate(
                "const principal = Services.scriptSecurityManager.createContentPrincipalFromOrigin(arguments[0]);"
                "for (const type of ['camera', 'microphone'])"
                "  Services.perms.addFromPrincipal(principal, type, Services.perms.ALLOW_ACTION);", origin)
        finally:
            await self.command("Marionette:SetContext", {"value": "content"})

    async def goto(self, url: str) -> None:
        await self.command("WebDriver:Navigate", {"url": url})

    async def evaluate(self, script: str, *arguments):
        """Runs `script` as a function body in the current window; a returned promise is awaited."""
        return (await self.command("WebDriver:ExecuteScript", {"script": script, "args": list(arguments)}))["value"]

    async def window(self) -> str:
        return (await self.command("WebDriver:GetWindowHandle"))["value"]

    async def new_window(self) -> str:
        """Opens a window (not a tab, whose timers a background tab would throttle) and switches to it."""
        handle = (await self.command("WebDriver:NewWindow", {"type": "window"}))["handle"]
        await self.switch_to(handle)
        return handle

    async def switch_to(self, handle: str) -> None:
        await self.command("WebDriver:SwitchToWindow", {"handle": handle, "focus": True})

    async def reset_windows(self) -> None:
        """Closes every window but the first and leaves that on about:blank, so that no page
        of this test (a publisher, a player) outlives it."""
        handles = await self.command("WebDriver:GetWindowHandles")
        for handle in handles[1:]:
            await self.switch_to(handle)
            await self.command("WebDriver:CloseWindow")
        await self.switch_to(handles[0])
        await self.goto("about:blank")


@contextlib.asynccontextmanager
async def session(process: FirefoxProcess):
    """A Marionette session with `process` for one test; its windows are reset at the end."""
    port = await asyncio.to_thread(process.marionette_port)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    browser = Firefox(reader, writer)
    try:
        hello = await browser._receive()
        assert hello.get("marionetteProtocol") == 3, f"unexpected Marionette greeting {hello}"
        started = await browser.command("WebDriver:NewSession", {"capabilities": {}})
        browser.version = started["capabilities"]["browserVersion"]
        try:
            yield browser
        finally:
            # Best effort: a browser that broke mid-test must not hide the test's own error.
            with contextlib.suppress(MarionetteError, OSError, asyncio.IncompleteReadError):
                await browser.reset_windows()
                await browser.command("WebDriver:DeleteSession")
    finally:
        writer.close()


async def wait_for_state(browser: Firefox, state: str, timeout_s: float = 15.0) -> None:
    """Waits until the page's window.meshcast.state is `state`; fails early on 'failed' with its error."""
    deadline = time.monotonic() + timeout_s
    while True:
        current = await browser.evaluate("return window.meshcast ? [window.meshcast.state, window.meshcast.error] : [];")
        if current[:1] in ([state], ["failed"]) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert current[:1] == [state], f"Firefox page state {current}"


async def stats(browser: Firefox) -> dict:
    return await browser.evaluate("return window.meshcast.stats();")
