"""A small client of samling's documented websocket protocol (docs/protocol.md).

Used by `bench/ws_load.py` and the scale-out tests: it signs in like a phone (join link →
session cookie), opens a socket with the right Origin, says hello with its cursor, sends notes
with client keys and waits for acks, exactly as a page does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2
from websockets.asyncio.client import ClientConnection, connect

CURSOR = re.compile(r'id="cursor"[^>]*data-seq="(\d+)"')
ACK = re.compile(r'id="note-([A-Za-z0-9_-]+)" class="note saved"')
WALL_NOTE = re.compile(r'<li id="n-(\d+)"')


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://").replace("https://", "wss://") + path


async def join_cookie(http: httpx2.AsyncClient, join_url: str) -> str:
    """Open a join link like a phone; return the session cookie header value."""
    response = await http.get(join_url, follow_redirects=False)
    assert response.status_code == 303, response.status_code
    return f"samling={response.cookies['samling']}"


@dataclass
class LiveClient:
    """One socket: records every message with its arrival time and the newest cursor."""

    base: str
    path: str
    cookie: str = ""
    cursor: int | None = None
    messages: list[tuple[float, str]] = field(default_factory=list)
    acked: dict[str, float] = field(default_factory=dict)
    notes_seen: dict[int, float] = field(default_factory=dict)
    socket: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None
    closed_code: int | None = None
    snapshot_at: float | None = None
    on_message: asyncio.Event = field(default_factory=asyncio.Event)
    pending: dict[str, dict[str, object]] = field(default_factory=dict)  # the page's outbox
    reconnect: bool = True  # like htmx: reconnect after 1006/1011/1012/1013, resend the outbox
    reconnects: int = 0
    closing: bool = False

    async def open(self, base: str | None = None, hello: bool = True) -> None:
        if base is not None:
            self.base = base
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.socket = await connect(
            ws_url(self.base, self.path),
            origin=origin_of(self.base),  # type: ignore[arg-type]
            additional_headers=headers,
            compression=None,
            max_size=2**20,
            open_timeout=30,
            ping_interval=None,
        )
        self.closed_code = None
        self.closing = False
        self.reader = asyncio.create_task(self._read())
        if hello:
            await self.send({"msg": "hello", "cursor": self.cursor})
            for message in list(self.pending.values()):
                await self.send(message)

    async def _read(self) -> None:
        assert self.socket is not None
        try:
            async for raw in self.socket:
                now = time.perf_counter()
                text = raw if isinstance(raw, str) else raw.decode()
                self.messages.append((now, text))
                if 'id="stage"' in text and self.snapshot_at is None:
                    self.snapshot_at = now
                for match in CURSOR.finditer(text):
                    self.cursor = int(match.group(1))
                for key in ACK.findall(text):
                    self.acked.setdefault(key, now)
                    self.pending.pop(key, None)
                if 'data-code="rate_limited"' in text and self.pending:
                    asyncio.get_running_loop().call_later(
                        5, lambda: asyncio.ensure_future(self._resend())
                    )
                for note_id in WALL_NOTE.findall(text):
                    self.notes_seen.setdefault(int(note_id), now)
                self.on_message.set()
        except Exception:
            pass
        finally:
            self.closed_code = self.socket.close_code if self.socket else None
        if self.reconnect and not self.closing and self.closed_code in (1006, 1011, 1012, 1013):
            self.reconnects += 1
            await asyncio.sleep(0.5)
            try:
                await self.open()
            except Exception:
                return

    async def _resend(self) -> None:
        for message in list(self.pending.values()):
            try:
                await self.send(message)
            except Exception:
                return

    async def send(self, message: dict[str, object]) -> None:
        assert self.socket is not None
        await self.socket.send(json.dumps(message))

    async def send_note(self, text: str, kind: str = "value", key: str | None = None) -> str:
        key = key or uuid.uuid4().hex
        message: dict[str, object] = {"msg": "note", "kind": kind, "text": text, "client_key": key}
        self.pending[key] = message
        await self.send(message)
        return key

    async def wait_for(self, predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
        deadline = time.perf_counter() + timeout
        while not predicate():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return False
            self.on_message.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.on_message.wait(), min(remaining, 0.5))
        return True

    async def close(self) -> None:
        self.closing = True
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)
