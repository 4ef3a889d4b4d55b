"""Ballot burst: N phones vote on every recommendation of the open final ballot within 10 s.

Real `samling serve` process (SQLite, one process), `samling demo --stage ballot`, every phone
joined through its link and driven through the documented protocol (docs/contracts/ballot.md):
each phone sends one `vote` per recommendation at a random moment in the same 10 s window.
Prints the vote → ack latency (the element ``vote-<client_key>`` with class ``saved``, sent only
after the commit), lost and duplicated votes (one stored vote per member and recommendation),
and checks that the closed ballot's counts equal this client's own tally.

    .venv/bin/python -m bench.ws_ballot --phones 210
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import time
from typing import Any

import httpx2

from bench.protocol_client import LiveClient, join_cookie
from bench.ws_load import Cluster, ms

VOTE_ACK = re.compile(r'id="vote-([A-Za-z0-9_-]+)" class="saved"')
CHOICES = ("yes", "no", "abstain")


class BallotCluster(Cluster):
    """The load bench's server, seeded with an open final ballot instead of the values round."""

    def cli(self, *args: str) -> str:
        if args[:1] == ("demo",):
            args = (*args, "--stage", "ballot")
        return super().cli(*args)


async def run(phones_n: int, window: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    cluster = BallotCluster(phones_n, 1)
    demo = cluster.demo
    try:
        async with httpx2.AsyncClient(timeout=60) as http:
            results_url = f"{cluster.bases[0]}/a/{demo['assembly_code']}/results.json"
            ballot = (await http.get(results_url)).json()
            cookies = await asyncio.gather(
                *[join_cookie(http, m["join_url"]) for m in demo["members"]]
            )
        questions = [r["id"] for r in ballot["recommendations"]]
        phones = [LiveClient(cluster.bases[0], "/ws/participant", c) for c in cookies]
        for chunk in range(0, len(phones), 100):
            await asyncio.gather(*[p.open() for p in phones[chunk : chunk + 100]])
        assert await phones[-1].wait_for(lambda: all(p.snapshot_at for p in phones), 120)
        await asyncio.sleep(2)

        sent: dict[str, float] = {}
        tally = {q: {c: 0 for c in CHOICES} for q in questions}

        async def vote(p: LiveClient, q: int, key: str, choice: str, delay: float) -> None:
            await asyncio.sleep(delay)
            sent[key] = time.perf_counter()
            message = {
                "msg": "vote",
                "ballot_id": ballot["ballot_id"],
                "recommendation_id": q,
                "client_key": key,
                "choice": choice,
            }
            await p.send(message)

        jobs = []
        for i, p in enumerate(phones):
            for q in questions:
                choice = rng.choice(CHOICES)
                tally[q][choice] += 1
                jobs.append(vote(p, q, f"v{i:05d}-{q}", choice, rng.uniform(0, window)))
        started = time.perf_counter()
        await asyncio.gather(*jobs)

        acked: dict[str, float] = {}

        def scan() -> bool:
            for p in phones:
                for at, text in p.messages:
                    for key in VOTE_ACK.findall(text):
                        acked.setdefault(key, at)
            return len(acked) >= len(sent)

        deadline = time.perf_counter() + 60
        while not scan() and time.perf_counter() < deadline:
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - started
        await asyncio.gather(*[p.close() for p in phones])
        closed = json.loads(
            subprocess.run(
                [sys.executable, "-m", "app.cli", "ballot", "close"]
                + ["--assembly", str(demo["assembly_id"]), "--json"],
                env=cluster.env,
                cwd=cluster.tmp,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        counted = {r["id"]: r["counts"] for r in closed["recommendations"]}
        return {
            "phones": phones_n,
            "votes": len(sent),
            "recommendations": len(questions),
            "window": window,
            "elapsed": elapsed,
            "latency": [acked[k] - sent[k] for k in sent if k in acked],
            "unacked": sum(1 for k in sent if k not in acked),
            "counts_match": all(counted[q] == tally[q] for q in questions),
            "turnout": closed["turnout"],
        }
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=210)
    parser.add_argument("--window", type=float, default=10.0, help="seconds the votes spread over")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    r = asyncio.run(run(args.phones, args.window, args.seed))
    print(f"== ballot burst: {r['phones']} phones × {r['recommendations']} recommendations ==")
    print(f"votes sent             {r['votes']} within {r['window']:.0f} s")
    print(f"vote → ack             {ms(r['latency'])}")
    print(f"not acknowledged       {r['unacked']}")
    print(f"turnout after close    {r['turnout']} of {r['phones']}")
    print(f"closed counts = sent   {r['counts_match']}")


if __name__ == "__main__":
    main()
