"""Headless Debian Chromium under Playwright, with the fake camera and microphone."""

import contextlib
import os

from playwright.async_api import async_playwright

CHROMIUM = os.environ.get("MESHCAST_CHROMIUM", "/usr/bin/chromium")
ARGUMENTS = [
    "--use-fake-device-for-media-stream",  # a synthetic camera and microphone
    "--use-fake-ui-for-media-stream",  # grant getUserMedia without a prompt
    "--autoplay-policy=no-user-gesture-required",
    "--no-sandbox",  # runs as root in the test container
]


@contextlib.asynccontextmanager
async def chromium(executable: str = CHROMIUM, secure_origin: str | None = None, arguments: list[str] | None = None):
    """A headless Chromium; `executable` may be a wrapper (one that enters a network namespace).
    `secure_origin` (http://host:port) gets getUserMedia as if it were HTTPS or loopback;
    `arguments` are more command-line switches."""
    extra = [f"--unsafely-treat-insecure-origin-as-secure={secure_origin}"] if secure_origin else []
    extra += arguments or []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=ARGUMENTS + extra)
        try:
            yield browser
        finally:
            await browser.close()


async def wait_for_state(page, state: str, timeout_s: float = 15.0) -> None:
    """Waits until window.meshcast.state is `state`; fails early on 'failed' with its error."""
    await page.wait_for_function(
        "(want) => window.meshcast && (window.meshcast.state === want || window.meshcast.state === 'failed')",
        arg=state, timeout=timeout_s * 1000)
    current = await page.evaluate("() => [window.meshcast.state, window.meshcast.error]")
    assert current[0] == state, f"page state {current[0]}: {current[1]}"


async def stats(page) -> dict:
    return await page.evaluate("() => window.meshcast.stats()")
