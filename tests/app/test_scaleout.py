"""Two real uvicorn processes and a real redis-server: delivery across processes, a Redis
restart and a killed app process lose nothing."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bench.protocol_client import LiveClient, join_cookie
from tests.conftest import SECRET
from tests.services import AppServer, RedisServer, free_port

pytestmark = [
    pytest.mark.services,
    pytest.mark.timeout(120),
    pytest.mark.skipif(
        shutil.which("redis-server") is None and not os.environ.get("CI"),
        reason="redis-server absent (never skipped in CI)",
    ),
]


@pytest.fixture
def cluster() -> Iterator[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="samling-scale-"))
    redis = RedisServer(tmp)
    redis.start()
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'shared.sqlite3'}",
        "SAMLING_SECRET_KEY": SECRET,
        "SAMLING_BASE_URL": bases[0],
        "SAMLING_ORIGINS": ",".join(bases),
        "REDIS_URL": redis.url,
    }
    run = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=run, check=True, cwd=tmp)
    demo = json.loads(
        subprocess.run(
            [sys.executable, "-m", "app.cli", "demo", "--members", "4", "--json"],
            env=run,
            check=True,
            cwd=tmp,
            capture_output=True,
            text=True,
        ).stdout
    )
    apps = [AppServer(env, port) for port in ports]
    for app in apps:
        app.start()
    try:
        yield {"redis": redis, "apps": apps, "bases": bases, "demo": demo}
    finally:
        for app in apps:
            app.kill()
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)


async def scenario(cluster: dict[str, Any]) -> None:
    a, b = cluster["bases"]
    demo = cluster["demo"]
    proj_path = "/ws/" + "/".join(demo["projector_url"].split("/")[3:])
    async with httpx2.AsyncClient() as http:
        cookie = await join_cookie(http, demo["members"][0]["join_url"])
    projector = LiveClient(b, proj_path)
    await projector.open()
    assert await projector.wait_for(lambda: projector.snapshot_at is not None)
    phone = LiveClient(a, "/ws/participant", cookie, reconnect=False)  # the test steers it
    await phone.open()
    assert await phone.wait_for(lambda: phone.snapshot_at is not None)

    # 1. a note on process A reaches the projector on process B
    key = await phone.send_note("Fra proces A")
    assert await phone.wait_for(lambda: key in phone.acked)
    assert await projector.wait_for(lambda: len(projector.notes_seen) == 1, timeout=5)

    # 2. Redis restarted mid-test: notes during and after the outage all arrive
    cluster["redis"].stop()
    during = [await phone.send_note(f"Under Redis-nedbrud {i}") for i in range(3)]
    assert await phone.wait_for(lambda: all(k in phone.acked for k in during))
    assert await projector.wait_for(lambda: len(projector.notes_seen) == 4, timeout=10)
    cluster["redis"].start()
    after = [await phone.send_note(f"Efter Redis {i}") for i in range(3)]
    assert await phone.wait_for(lambda: all(k in phone.acked for k in after))
    assert await projector.wait_for(lambda: len(projector.notes_seen) == 7, timeout=10)

    # 3. process A killed: the phone reconnects to B with its cursor and resends what was
    #    pending; nothing is lost or doubled
    cluster["apps"][0].kill()
    await phone.wait_for(lambda: phone.closed_code is not None, timeout=5)
    pending = ["nach-kill-0001", "nach-kill-0002"]
    await phone.open(b)
    for i, k in enumerate(pending):
        await phone.send_note(f"Efter nedlukning {i}", key=k)
    await phone.send_note("Efter nedlukning 0", key=pending[0])  # a resend: no duplicate
    assert await phone.wait_for(lambda: all(k in phone.acked for k in pending))
    assert await projector.wait_for(lambda: len(projector.notes_seen) == 9, timeout=10)
    await asyncio.sleep(1.5)  # a safety poll later: still exactly nine
    assert len(projector.notes_seen) == 9
    # the projector draws its whole scene each time: the newest drawing shows the note once
    wall = [text for _, text in projector.messages if 'id="stage"' in text][-1]
    assert wall.count("Efter nedlukning 0") == 1
    await phone.close()
    await projector.close()


def test_two_processes_redis_restart_and_a_killed_process(cluster) -> None:
    asyncio.run(scenario(cluster))
