"""`samling ballot close --assembly ID --json`: close the open final ballot and print the
results (the same JSON as `GET /a/<code>/results.json`; docs/contracts/ballot.md).

The close writes its events to the database like the console's button does; running servers
deliver them to every screen within their safety poll (a second), at once with Redis.
No open ballot, or no such assembly: exit status 2, the reason on stderr, nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.config import Settings, load_settings

EXIT_NOTHING = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ballot", help="close the final ballot and print its results")
    commands = parser.add_subparsers(dest="ballot_command", required=True)
    close = commands.add_parser("close", help="close the open final ballot; print the results")
    close.add_argument("--assembly", type=int, required=True, help="the assembly's id")
    close.add_argument("--json", action="store_true", help="print the results as JSON")
    close.set_defaults(func=run_close)
    show = commands.add_parser("results", help="print the results (or turnout while open)")
    show.add_argument("--assembly", type=int, required=True, help="the assembly's id")
    show.add_argument("--json", action="store_true", help="print the results as JSON")
    show.set_defaults(func=run_results)


def _ring(settings: Settings, assembly_id: int) -> None:
    """Wake servers at once through Redis when there is one (they poll the log anyway)."""
    if not settings.redis_url:
        return
    try:
        import redis

        from app.hub import CHANNEL

        redis.from_url(settings.redis_url, socket_connect_timeout=2).publish(
            CHANNEL, str(assembly_id)
        )
    except Exception:  # noqa: BLE001 - the safety poll delivers anyway
        pass


def _print(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    print(
        f"{data.get('title', '')}: {data['status']}, {data['turnout']} of {data['members']} voted"
    )
    for rec in data["recommendations"]:
        if "counts" in rec:
            verdict = "adopted" if rec["passed"] else "not adopted"
            print(
                f"  {rec['title']}: {rec['counts']} {rec['support_pct']} % {verdict} {rec['label']}"
            )
        else:
            print(f"  {rec['title']}")


def run_close(args: argparse.Namespace) -> int:
    from app.ballot.actions import do_close_ballot, open_ballot
    from app.ballot.results import results_json
    from app.db import make_engine, session_scope
    from app.errors import ActionError
    from app.models import Assembly

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine, write=True) as db:
            assembly = db.get(Assembly, args.assembly)
            if assembly is None:
                print(f"samling: no assembly {args.assembly}", file=sys.stderr)
                return EXIT_NOTHING
            ballot = open_ballot(db, args.assembly, "final")
            if ballot is None or ballot.id is None:
                print("samling: no final ballot is open", file=sys.stderr)
                return EXIT_NOTHING
            try:
                do_close_ballot(db, assembly, ballot.id)
                from app.agenda import do_set_scene

                do_set_scene(db, assembly, "results")
            except ActionError as exc:
                print(f"samling: {exc.code}", file=sys.stderr)
                return EXIT_NOTHING
            db.flush()
            data = results_json(db, assembly, ballot)
    finally:
        engine.dispose()
    _ring(settings, args.assembly)
    _print(data, args.json)
    return 0


def run_results(args: argparse.Namespace) -> int:
    from app.ballot.results import results_json
    from app.db import make_engine, session_scope
    from app.models import Assembly

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as db:
            assembly = db.get(Assembly, args.assembly)
            if assembly is None:
                print(f"samling: no assembly {args.assembly}", file=sys.stderr)
                return EXIT_NOTHING
            data = results_json(db, assembly)
    finally:
        engine.dispose()
    _print(data, args.json)
    return 0
