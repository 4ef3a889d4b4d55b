"""Server memory per idle websocket: samling's participant socket against a bare Starlette one.

Starts `samling serve` (N demo members signed in through their join links) or, with --bare, a
minimal Starlette websocket endpoint under the same uvicorn settings; opens the sockets 100 at a
time after 20 warm-up ones and prints the server's resident memory grown per connection, overall
and between checkpoints every 400. Not a test. Usage:
    .venv/bin/python -m bench.ws_memory --connections 1600
    .venv/bin/python -m bench.ws_memory --connections 1600 --bare
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time

import httpx2

from bench.protocol_client import LiveClient, join_cookie
from bench.ws_load import Cluster, free_port, rss_kib, wait_port

BARE = """
import os, uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
async def ws(websocket):
    await websocket.accept()
    await websocket.send_text('<div id="stage"></div>')
    try:
        while True:
            await websocket.receive_text()
    except Exception:
        pass
app = Starlette(routes=[WebSocketRoute("/ws/participant", ws)])
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), ws="websockets-sansio",
            ws_max_size=65536, ws_per_message_deflate=False, log_level="warning")
"""


async def measure(base: str, pid: int, cookies: list[str]) -> list[tuple[int, int]]:
    phones = [LiveClient(base, "/ws/participant", c) for c in cookies]
    await asyncio.gather(*[p.open() for p in phones[:20]])
    await asyncio.sleep(1.5)
    marks = [(20, rss_kib(pid))]
    for start in range(20, len(phones), 100):
        await asyncio.gather(*[p.open() for p in phones[start : start + 100]])
        done = start + 100
        await phones[0].wait_for(lambda d=done: all(p.snapshot_at for p in phones[:d]), 60)
        if done % 400 == 20 or done >= len(phones):
            await asyncio.sleep(2)
            marks.append((min(done, len(phones)), rss_kib(pid)))
    await asyncio.gather(*[p.close() for p in phones])
    return marks


async def run(connections: int, bare: bool) -> list[tuple[int, int]]:
    if bare:
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", BARE], env={**os.environ, "PORT": str(port)}
        )
        try:
            wait_port(port)
            return await measure(f"http://127.0.0.1:{port}", server.pid, [""] * connections)
        finally:
            server.terminate()
            server.wait(10)
    cluster = Cluster(connections, 1)
    try:
        async with httpx2.AsyncClient(timeout=60) as http:
            cookies = await asyncio.gather(
                *[join_cookie(http, m["join_url"]) for m in cluster.demo["members"]]
            )
        return await measure(cluster.bases[0], cluster.servers[0].pid, list(cookies))
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1620)
    parser.add_argument("--bare", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    started = time.perf_counter()
    marks = asyncio.run(run(args.connections, args.bare))
    label = "bare Starlette endpoint" if args.bare else "samling participant socket"
    (n0, r0), (n1, r1) = marks[0], marks[-1]
    print(
        f"{label}: {(r1 - r0) / max(n1 - n0, 1):.1f} KiB per connection "
        f"({n0} → {n1} connections, {time.perf_counter() - started:.0f} s)"
    )
    for (a, ra), (b, rb) in zip(marks, marks[1:], strict=False):
        print(f"  {a:5d} → {b:5d}: {(rb - ra) / (b - a):.1f} KiB per connection")


if __name__ == "__main__":
    main()
