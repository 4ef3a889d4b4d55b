"""Load on the websocket hub through the documented protocol (docs/protocol.md), on loopback.

Starts real `samling serve` processes (one, or two behind a real redis-server), seeds a demo
assembly with N members, connects N phones + one projector + one facilitator, and prints:

- broadcast: a run-sheet change (timer +1 min, ~1.5 KB per phone) from the facilitator's send
  to the last phone (p50/p99 over repetitions);
- notes: each phone sends a note; send → ack and send → projector (p50/p99);
- burst: every phone posts a note within the same 10 s window while the projector wall is open;
- at once (``--scenario at-once``): every phone joined and idle, then all send one note in the
  same instant (a facilitator's "send your value now"); send → ack and → projector p50/p99 per
  burst, and one note alone (the median of single sends with the room idle);
- storm: all N sockets dropped at once, then all reconnect; time until every one has its snapshot;
- memory: the server's resident memory per idle connection;
- lost / duplicated notes, checked against the database and the projector's messages.

Not a test: it prints figures. Usage:
    .venv/bin/python -m bench.ws_load --phones 210
    .venv/bin/python -m bench.ws_load --phones 2000
    .venv/bin/python -m bench.ws_load --phones 1000 --processes 2
    .venv/bin/python -m bench.ws_load --scenario at-once --phones 60 --bursts 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from bench.protocol_client import LiveClient, join_cookie

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def ms(values: list[float]) -> str:
    return f"p50 {pct(values, 50) * 1000:7.1f} ms   p99 {pct(values, 99) * 1000:7.1f} ms"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(port)


class Cluster:
    def __init__(self, phones: int, processes: int) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="samling-bench-"))
        self.ports = [free_port() for _ in range(processes)]
        self.bases = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.tmp / 'bench.sqlite3'}",
            "SAMLING_SECRET_KEY": SECRET,
            "SAMLING_BASE_URL": self.bases[0],
            "SAMLING_ORIGINS": ",".join(self.bases),
        }
        self.redis: subprocess.Popen[bytes] | None = None
        if processes > 1:
            redis_port = free_port()
            self.redis = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
            wait_port(redis_port)
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        self.cli("migrate")
        self.demo = json.loads(self.cli("demo", "--members", str(phones), "--json", "--seed", "1"))
        self.servers = [
            subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                env={**self.env, "PORT": str(port)},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in self.ports
        ]
        for port in self.ports:
            wait_port(port)

    def cli(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.tmp / "bench.sqlite3")

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
            server.wait(10)
        if self.redis:
            self.redis.kill()
            self.redis.wait(10)
        shutil.rmtree(self.tmp, ignore_errors=True)


async def login_cookie(http: httpx2.AsyncClient, base: str, email: str, password: str) -> str:
    page = await http.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    cookie = page.cookies["samling"]
    response = await http.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers={"Cookie": f"samling={cookie}"},
        follow_redirects=False,
    )
    return f"samling={response.cookies['samling']}"


def arrival(client: LiveClient, needle: str, after: float) -> float | None:
    for at, text in client.messages:
        if at >= after and needle in text:
            return at
    return None


async def run(phones_n: int, processes: int, repeats: int) -> dict[str, Any]:
    cluster = Cluster(phones_n, processes)
    demo = cluster.demo
    results: dict[str, Any] = {"phones": phones_n, "processes": processes}
    try:
        async with httpx2.AsyncClient(timeout=60) as http:
            cookies = await asyncio.gather(
                *[join_cookie(http, m["join_url"]) for m in demo["members"]]
            )
            fac_cookie = await login_cookie(
                http,
                cluster.bases[0],
                demo["facilitator"]["email"],
                demo["facilitator"]["password"],
            )
        proj_path = "/ws/" + "/".join(demo["projector_url"].split("/")[3:])
        projector = LiveClient(cluster.bases[-1], proj_path)
        facilitator = LiveClient(
            cluster.bases[0], f"/ws/facilitator/{demo['assembly_id']}", fac_cookie
        )
        await projector.open()
        await facilitator.open()
        phones = [
            LiveClient(cluster.bases[i % processes], "/ws/participant", c)
            for i, c in enumerate(cookies)
        ]
        # warm up (templates compiled, rooms cached, pools filled) before measuring memory
        warm = phones[:20]
        await asyncio.gather(*[p.open() for p in warm])
        await phones[0].wait_for(lambda: all(p.snapshot_at for p in warm), timeout=60)
        await asyncio.sleep(1)
        base_rss = sum(rss_kib(s.pid) for s in cluster.servers)
        started = time.perf_counter()
        rest = phones[20:]
        for chunk in range(0, len(rest), 100):
            await asyncio.gather(*[p.open() for p in rest[chunk : chunk + 100]])
        ok = await phones[-1].wait_for(lambda: all(p.snapshot_at for p in phones), timeout=120)
        results["connect_all_s"] = time.perf_counter() - started
        assert ok, "not every phone got its snapshot"
        await asyncio.sleep(2)
        results["rss_per_conn_kib"] = (
            sum(rss_kib(s.pid) for s in cluster.servers) - base_rss
        ) / max(len(rest), 1)

        # broadcast: a run-sheet change reaching every phone
        value_item = int(
            re.search(r'name="item_id" value="(\d+)"', phones[0].messages[0][1]).group(1)
        )  # type: ignore[union-attr]
        lasts, all_lat = [], []
        for i in range(repeats):
            mark = len(phones[0].messages)
            counts = [len(p.messages) for p in phones]
            t0 = time.perf_counter()
            await facilitator.send(
                {"msg": "timer_adjust", "item_id": value_item, "minutes": 1 if i % 2 == 0 else -1}
            )
            await phones[0].wait_for(
                lambda counts=counts: all(
                    len(p.messages) > c for p, c in zip(phones, counts, strict=True)
                ),
                timeout=30,
            )
            got = [
                p.messages[c][0] - t0
                for p, c in zip(phones, counts, strict=True)
                if len(p.messages) > c
            ]
            size = len(phones[0].messages[mark][1]) if len(phones[0].messages) > mark else 0
            lasts.append(max(got))
            all_lat.extend(got)
            await asyncio.sleep(0.3)
        results["broadcast_bytes"] = size
        results["broadcast_last_phone"] = lasts
        results["broadcast_all"] = all_lat

        # notes one by one: send -> ack and -> projector
        sample = phones[: min(len(phones), 200)]
        acks, walls = [], []
        for p in sample:
            key = f"seq{id(p):x}"[:24]
            t0 = time.perf_counter()
            await p.send_note(f"Seddel {key}", key=key)
            await p.wait_for(lambda p=p, key=key: key in p.acked, timeout=10)
            await projector.wait_for(
                lambda key=key, t0=t0: arrival(projector, key, t0) is not None, timeout=10
            )
            if key in p.acked:
                acks.append(p.acked[key] - t0)
            seen = arrival(projector, key, t0)
            if seen:
                walls.append(seen - t0)
        results["note_ack"] = acks
        results["note_projector"] = walls

        # burst: every phone posts a note within the same 10 seconds
        sent: dict[str, float] = {}

        async def post(p: LiveClient, delay: float, key: str) -> None:
            await asyncio.sleep(delay)
            sent[key] = time.perf_counter()
            await p.send_note(f"Burst {key}", key=key)

        burst_phones = phones[: min(len(phones), 210)]
        keys = [f"burst-{i:05d}" for i in range(len(burst_phones))]
        await asyncio.gather(
            *[
                post(p, 10 * i / len(burst_phones), k)
                for i, (p, k) in enumerate(zip(burst_phones, keys, strict=True))
            ]
        )
        await projector.wait_for(lambda: all(arrival(projector, k, 0) for k in keys), timeout=60)
        burst_acks = [
            p.acked[k] - sent[k] for p, k in zip(burst_phones, keys, strict=True) if k in p.acked
        ]
        burst_walls = [at - sent[k] for k in keys if (at := arrival(projector, k, 0))]
        results["burst_ack"] = burst_acks
        results["burst_projector"] = burst_walls
        results["burst_unacked"] = len(keys) - len(burst_acks)

        # lost / duplicated: the database and the projector's own messages
        with cluster.db() as db:
            rows = db.execute(
                "SELECT client_key, count(*) FROM note GROUP BY member_id, client_key"
            ).fetchall()
        wall = "".join(t for _, t in projector.messages)
        expected = {**{f"seq{id(p):x}"[:24]: 1 for p in sample}, **{k: 1 for k in keys}}
        stored = {k: c for k, c in rows}
        results["lost"] = sum(1 for k in expected if k not in stored)
        results["duplicated_rows"] = sum(c - 1 for c in stored.values())
        results["duplicated_on_projector"] = sum(
            1
            for k in keys
            if len(re.findall(rf'id="put-n-\d+"[^>]*>\s*<li[^>]*>.*?Burst {k}<', wall, re.S)) > 1
        )

        # reconnect storm: drop everyone, reconnect everyone, wait for all snapshots
        await asyncio.gather(*[p.close() for p in phones])
        for p in phones:
            p.snapshot_at = None
            p.cursor = None
        t0 = time.perf_counter()
        for chunk in range(0, len(phones), 250):
            await asyncio.gather(*[p.open() for p in phones[chunk : chunk + 250]])
        await phones[0].wait_for(lambda: all(p.snapshot_at for p in phones), timeout=120)
        results["storm_s"] = max((p.snapshot_at or float("inf")) for p in phones) - t0
        results["reconnects_1013"] = sum(p.reconnects for p in phones)
        await asyncio.gather(*[p.close() for p in phones], projector.close(), facilitator.close())
    finally:
        cluster.stop()
    return results


BURST_KEY = re.compile(r"Burst (b\d+-\d{5})")


async def run_at_once(phones_n: int, bursts: int, alone: int) -> dict[str, Any]:
    """Every phone joined and idle, then all send one note in the same instant."""
    cluster = Cluster(phones_n, 1)
    demo = cluster.demo
    results: dict[str, Any] = {"phones": phones_n, "processes": 1, "bursts": []}
    try:
        async with httpx2.AsyncClient(timeout=60) as http:
            cookies = await asyncio.gather(
                *[join_cookie(http, m["join_url"]) for m in demo["members"]]
            )
        proj_path = "/ws/" + "/".join(demo["projector_url"].split("/")[3:])
        projector = LiveClient(cluster.bases[0], proj_path)
        await projector.open()
        phones = [LiveClient(cluster.bases[0], "/ws/participant", c) for c in cookies]
        for chunk in range(0, len(phones), 100):
            await asyncio.gather(*[p.open() for p in phones[chunk : chunk + 100]])
        ok = await phones[-1].wait_for(lambda: all(p.snapshot_at for p in phones), timeout=120)
        assert ok, "not every phone got its snapshot"
        await asyncio.sleep(3)  # joins and presence settled: the room is idle

        seen: dict[str, float] = {}  # burst key -> first arrival on the projector
        scanned = 0

        def scan() -> None:
            nonlocal scanned
            for at, text in projector.messages[scanned:]:
                for key in BURST_KEY.findall(text):
                    seen.setdefault(key, at)
            scanned = len(projector.messages)

        # one note alone, the room idle: the median of single sends (different phones)
        alone_ack, alone_wall = [], []
        for i, p in enumerate(phones[:alone]):
            key = f"b0-{i:05d}"
            t0 = time.perf_counter()
            await p.send_note(f"Burst {key}", key=key)
            await p.wait_for(lambda p=p, key=key: key in p.acked, timeout=10)
            await projector.wait_for(lambda key=key: (scan(), key in seen)[1], timeout=10)
            if key in p.acked:
                alone_ack.append(p.acked[key] - t0)
            if key in seen:
                alone_wall.append(seen[key] - t0)
            await asyncio.sleep(0.05)
        results["alone_ack"], results["alone_projector"] = alone_ack, alone_wall

        for b in range(1, bursts + 1):
            await asyncio.sleep(2)
            keys = [f"b{b}-{i:05d}" for i in range(len(phones))]
            messages = [
                json.dumps({"msg": "note", "kind": "value", "text": f"Burst {k}", "client_key": k})
                for k in keys
            ]
            for p, k, m in zip(phones, keys, messages, strict=True):
                p.pending[k] = json.loads(m)
            sent: dict[str, float] = {}

            async def post(
                p: LiveClient, key: str, message: str, sent: dict[str, float] = sent
            ) -> None:
                assert p.socket is not None
                sent[key] = time.perf_counter()
                await p.socket.send(message)

            # every phone's frame written in one go: the same instant, as far as one client can
            await asyncio.gather(
                *[post(p, k, m) for p, k, m in zip(phones, keys, messages, strict=True)]
            )
            await projector.wait_for(
                lambda keys=keys: (scan(), all(k in seen for k in keys))[1], timeout=60
            )
            await phones[0].wait_for(
                lambda keys=keys: all(k in p.acked for p, k in zip(phones, keys, strict=True)),
                timeout=30,
            )
            results["bursts"].append(
                {
                    "ack": [
                        p.acked[k] - sent[k]
                        for p, k in zip(phones, keys, strict=True)
                        if k in p.acked
                    ],
                    "projector": [seen[k] - sent[k] for k in keys if k in seen],
                    "spread": max(sent.values()) - min(sent.values()),
                    "unacked": sum(
                        1 for p, k in zip(phones, keys, strict=True) if k not in p.acked
                    ),
                    "unseen": sum(1 for k in keys if k not in seen),
                    "projector_bytes": sum(
                        len(t) for at, t in projector.messages if at >= min(sent.values())
                    ),
                }
            )
        with cluster.db() as db:
            rows = db.execute(
                "SELECT client_key, count(*) FROM note GROUP BY member_id, client_key"
            ).fetchall()
        stored = {k: c for k, c in rows}
        expected = [f"b0-{i:05d}" for i in range(min(alone, len(phones)))] + [
            f"b{b}-{i:05d}" for b in range(1, bursts + 1) for i in range(len(phones))
        ]
        results["lost"] = sum(1 for k in expected if k not in stored)
        results["duplicated_rows"] = sum(c - 1 for c in stored.values())
        await asyncio.gather(*[p.close() for p in phones], projector.close())
    finally:
        cluster.stop()
    return results


def report_at_once(r: dict[str, Any]) -> None:
    print(f"\n== at once: {r['phones']} phones, 1 process, SQLite ==")
    print(
        f"one note alone -> ack: median {pct(r['alone_ack'], 50) * 1000:.1f} ms"
        f"   -> projector: median {pct(r['alone_projector'], 50) * 1000:.1f} ms"
        f"   (n={len(r['alone_ack'])})"
    )
    acks: list[float] = []
    walls: list[float] = []
    for i, b in enumerate(r["bursts"], 1):
        acks += b["ack"]
        walls += b["projector"]
        print(
            f"burst {i} (sent within {b['spread'] * 1000:.0f} ms): ack {ms(b['ack'])}"
            f"   projector {ms(b['projector'])}   unacked {b['unacked']} unseen {b['unseen']}"
            f"   projector received {b['projector_bytes'] / 1e6:.1f} MB"
        )
    print(f"all bursts: ack {ms(acks)}   projector {ms(walls)}")
    print(f"lost notes: {r['lost']}   duplicated rows: {r['duplicated_rows']}")


def report(r: dict[str, Any]) -> None:
    print(
        f"\n== {r['phones']} phones, {r['processes']} process(es)"
        f"{' + redis' if r['processes'] > 1 else ''} =="
    )
    print(f"connect all:            {r['connect_all_s']:.2f} s")
    print(f"server memory/conn:     {r['rss_per_conn_kib']:.1f} KiB")
    print(f"broadcast ({r['broadcast_bytes']} B) last phone: {ms(r['broadcast_last_phone'])}")
    print(f"broadcast, every phone: {ms(r['broadcast_all'])}")
    print(f"note -> ack:            {ms(r['note_ack'])}   (n={len(r['note_ack'])})")
    print(f"note -> projector:      {ms(r['note_projector'])}   (n={len(r['note_projector'])})")
    print(f"burst (n={len(r['burst_ack'])} in 10 s) -> ack: {ms(r['burst_ack'])}")
    print(f"burst -> projector:     {ms(r['burst_projector'])}   unacked {r['burst_unacked']}")
    print(f"reconnect storm:        {r['storm_s']:.2f} s until all {r['phones']} resynced")
    print(f"sockets the server closed (1013 …) that reconnected: {r['reconnects_1013']}")
    print(
        f"lost notes: {r['lost']}   duplicated rows: {r['duplicated_rows']}"
        f"   duplicated on projector: {r['duplicated_on_projector']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=210)
    parser.add_argument("--processes", type=int, default=1, choices=(1, 2))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--scenario", choices=("all", "at-once"), default="all")
    parser.add_argument("--bursts", type=int, default=3, help="at-once: bursts in a row")
    parser.add_argument("--alone", type=int, default=20, help="at-once: single notes first")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    if args.scenario == "at-once":
        report_at_once(asyncio.run(run_at_once(args.phones, args.bursts, args.alone)))
        return
    report(asyncio.run(run(args.phones, args.processes, args.repeats)))


if __name__ == "__main__":
    main()
