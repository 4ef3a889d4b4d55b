"""Browser tests: a real `samling serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SECRET
from tests.services import AppServer, free_port

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason="Debian chromium not installed (never skipped in CI)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


class LiveServer:
    def __init__(self, tmp: Path) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            "DATABASE_URL": f"sqlite:///{tmp / 'browser.sqlite3'}",
            "SAMLING_SECRET_KEY": SECRET,
            "SAMLING_BASE_URL": self.base,
        }
        self.server = AppServer(self.env, port)
        self.tmp = tmp

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
            cwd=self.tmp,
            timeout=120,
        )
        return result.stdout


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    tmp = Path(tempfile.mkdtemp(prefix="samling-browser-"))
    server = LiveServer(tmp)
    server.cli("migrate")
    server.server.start()
    try:
        yield server
    finally:
        server.server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def demo(live: LiveServer) -> dict[str, Any]:
    return json.loads(live.cli("demo", "--members", "8", "--json"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    contexts = []

    def make(viewport: dict[str, int] = TABLET, **options: Any) -> Any:
        # bypass_csp only so axe-core can be injected; the app's own pages run under the CSP.
        options.setdefault("locale", "da-DK")
        context = browser.new_context(viewport=viewport, bypass_csp=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page: Any) -> None:
    """axe-core on the current page: no WCAG 2.2 AA violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in result["violations"]
    ]
    assert not violations, "\n".join(violations)
