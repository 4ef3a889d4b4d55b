"""`samling retention --assembly ID [--apply] [--now]`: show, then remove, what links people to
their words, votes and answers once the organiser's retention period has passed
(app/record/retention.py). Without ``--apply`` nothing changes. ``--apply`` removes only when
the period is over, unless ``--now`` says to remove at once. No such assembly: exit 2.
"""

from __future__ import annotations

import argparse
import sys

from app.config import load_settings

EXIT_BAD = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "retention", help="show (and with --apply remove) what links people to their words"
    )
    parser.add_argument("--assembly", type=int, required=True, help="the assembly's id")
    parser.add_argument("--apply", action="store_true", help="remove it (when the period is over)")
    parser.add_argument("--now", action="store_true", help="with --apply: remove it today")
    parser.set_defaults(func=run)


def _show(p, today) -> str:  # type: ignore[no-untyped-def]
    due = p.due.isoformat() if p.due else "no retention period set"
    state = "removed already" if p.done else ("due" if p.due_on(today) else "not due yet")
    return "\n".join(
        [
            f"retention period: {p.days if p.days is not None else '-'} days after the end "
            f"({p.ended.isoformat() if p.ended else 'no end yet'}); from {due}: {state}",
            f"  members with a name, code, strata or join link: {p.members}",
            f"  notes linked to their author: {p.authored_notes}",
            f"  records of who voted: {p.voters}",
            f"  records of who answered an evaluation: {p.respondents}",
        ]
    )


def run(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.db import make_engine, session_scope
    from app.models import Assembly
    from app.record.retention import do_apply_retention, plan

    settings = load_settings()
    engine = make_engine(settings.database_url)
    today = utcnow().date()
    try:
        with session_scope(engine, write=args.apply) as db:
            assembly = db.get(Assembly, args.assembly)
            if assembly is None:
                print(f"samling: no assembly {args.assembly}", file=sys.stderr)
                return EXIT_BAD
            found = plan(db, assembly, today)
            print(_show(found, today))
            if not args.apply:
                return 0
            if not (args.now or found.due_on(today)):
                print(
                    "samling: the retention period is not over; nothing removed "
                    "(--now removes it today)",
                    file=sys.stderr,
                )
                return EXIT_BAD
            do_apply_retention(db, assembly)
            print(
                "removed: names, codes, strata, join links; notes, votes and answers unattributed"
            )
    finally:
        engine.dispose()
    return 0
