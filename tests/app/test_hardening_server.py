"""Issue 12, points 5 and 6, against a real `samling serve` process and its real log:
no token in any log line; a low file-descriptor limit refuses the excess cleanly."""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from app.config import load_settings
from app.logs import RedactTokens, RepeatLimiter, redact
from app.migrate import upgrade
from tests.conftest import SECRET
from tests.services import free_port, wait_for_port

pytestmark = pytest.mark.timeout(120)


@dataclass
class Served:
    url: str
    log: Path
    demo: dict  # type: ignore[type-arg]
    process: subprocess.Popen  # type: ignore[type-arg]

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.log.read_text(errors="replace")

    def ws_url(self, http_url: str) -> str:
        return http_url.replace("http://", "ws://").replace("/projector/", "/ws/projector/")


@contextlib.contextmanager
def served(tmp_path: Path, fd_limit: int | None = None) -> Iterator[Served]:
    from app.demo import create_demo

    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'samling.sqlite3'}",
        "SAMLING_SECRET_KEY": SECRET,
        "SAMLING_BASE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
    }
    settings = load_settings(env, secret_file=tmp_path / "secret")
    upgrade(settings.database_url)
    demo = create_demo(settings, members=4, seed=1)

    def low_limit() -> None:
        if fd_limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=low_limit,
            cwd=tmp_path,
        )
    server = Served(f"http://127.0.0.1:{port}", log, demo, process)
    try:
        wait_for_port(port, process=process)
        yield server
    finally:
        server.stop()


def hello(ws: ClientConnection) -> str:
    ws.send('{"msg": "hello"}')
    return str(ws.recv(timeout=10))


# -- point 6: secrets in logs ---------------------------------------------------------------


def test_no_join_or_projector_token_in_the_real_log(tmp_path: Path) -> None:
    with served(tmp_path) as server:
        demo = server.demo
        tokens = [urlsplit(m["join_url"]).path.rsplit("/", 1)[1] for m in demo["members"]]
        projector = demo["projector_url"]
        tokens.append(urlsplit(projector).path.rsplit("/", 1)[1])
        with httpx.Client(base_url=server.url) as client:
            for member in demo["members"]:
                assert client.get(urlsplit(member["join_url"]).path).status_code == 303
            assert client.get(urlsplit(projector).path).status_code == 200
            assert client.get("/join/not-a-real-token-but-secret-shaped").status_code in (
                200,
                303,
                404,
            )
        with connect(server.ws_url(projector), origin=server.url) as ws:  # type: ignore[arg-type]
            assert 'id="stage"' in hello(ws)
        with contextlib.suppress(InvalidStatus, ConnectionClosed):  # a wrong token: refused
            with connect(server.ws_url(projector) + "x", origin=server.url) as ws:  # type: ignore[arg-type]
                hello(ws)
        text = server.stop()
    assert "GET /join/[redacted]" in text and "/projector/" in text, text[-2000:]
    assert "/ws/projector/" in text and "[redacted]" in text
    for token in [*tokens, "not-a-real-token-but-secret-shaped"]:
        assert token not in text


def test_redaction_covers_messages_arguments_and_tracebacks() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/join/abcDEF_-123?x=1", "1.1", 303),
        None,
    )
    RedactTokens().filter(record)
    assert "abcDEF" not in record.getMessage() and "/join/[redacted]?x=1" in record.getMessage()
    try:
        raise KeyError("/ws/projector/4/Zm9vYmFy")
    except KeyError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    RedactTokens().filter(failed)
    assert "Zm9vYmFy" not in (failed.exc_text or "") and "[redacted]" in (failed.exc_text or "")
    assert redact("/projector/12/tok/") == "/projector/12/[redacted]/"
    assert redact("/a/K7MX2Q and /f/a/1") == "/a/K7MX2Q and /f/a/1"  # not secrets


def test_repeated_lines_are_held_back_and_counted() -> None:
    now = [0.0]
    limiter = RepeatLimiter(burst=3, window=10, clock=lambda: now[0])

    def line(msg: str = "database is locked", exc: bool = True) -> logging.LogRecord:
        info = (RuntimeError, RuntimeError("x"), None) if exc else None
        return logging.LogRecord("samling.sockets", logging.ERROR, "f", 1, msg, (), info)

    passed = [limiter.filter(line()) for _ in range(1000)]
    assert passed.count(True) == 3
    assert limiter.filter(line("another thing"))  # other lines are not held back
    now[0] = 11.0
    summary = line()
    assert limiter.filter(summary) and "997 more like this" in summary.getMessage()
    ok = logging.LogRecord("uvicorn.access", 20, "f", 1, "%s %d", ("GET /", 200), None)
    assert all(limiter.filter(ok) for _ in range(100))  # answered requests are all logged


# -- point 5: file descriptors --------------------------------------------------------------

FD_LIMIT = 256
SOCKETS = 320  # more than the process may open at all


def test_low_fd_limit_refuses_the_excess_cleanly(tmp_path: Path) -> None:
    with served(tmp_path, fd_limit=FD_LIMIT) as server:
        url = server.ws_url(server.demo["projector_url"])
        accepted = refused = 0
        with contextlib.ExitStack() as held:
            for _ in range(SOCKETS):
                try:
                    ws = held.enter_context(connect(url, origin=server.url, open_timeout=10))  # type: ignore[arg-type]
                except InvalidStatus as exc:
                    assert exc.response.status_code == 503
                    refused += 1
                    continue
                try:
                    assert 'id="stage"' in hello(ws)
                    accepted += 1
                except ConnectionClosed as exc:
                    assert exc.rcvd is not None and exc.rcvd.code == 1013, exc
                    refused += 1
            # while every accepted socket is still open, the server answers
            started = time.monotonic()
            health = httpx.get(server.url + "/healthz", timeout=5)
            assert health.status_code == 200 and health.text == "ok"
            assert time.monotonic() - started < 5
            assert accepted >= 40 and refused >= SOCKETS - FD_LIMIT
            assert accepted + refused == SOCKETS
        # and once they are gone, new sockets are welcome again
        with connect(url, origin=server.url) as ws:  # type: ignore[arg-type]
            assert 'id="stage"' in hello(ws)
        text = server.stop()
    lines = text.splitlines()
    assert f"file descriptors: {FD_LIMIT} (hard limit {FD_LIMIT})" in text
    assert "Traceback" not in text and "Too many open files" not in text, text[-3000:]
    assert len(lines) < 2 * SOCKETS, "the log is flooded"
    assert sum("refused a socket" in line for line in lines) <= 10
