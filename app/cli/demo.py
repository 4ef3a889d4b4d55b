"""`samling demo`: create a demo assembly and print how to open it (JSON contract)."""

from __future__ import annotations

import argparse
import json
import sys

from app.config import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser("demo", help="create a demo assembly and print its links")
    demo.add_argument("--members", type=int, default=36, help="how many members (default 36)")
    demo.add_argument("--seed", type=int, default=None, help="seed for names and strata")
    demo.add_argument("--json", action="store_true", help="print the JSON contract")
    demo.add_argument(
        "--if-empty", action="store_true", help="reuse the newest assembly when there is one"
    )
    demo.add_argument("--print-links", action="store_true", help="print links for people")
    demo.add_argument(
        "--stage",
        choices=["ballot", "done", "questions"],
        default=None,
        help="how far the demo has come: 'ballot' leaves the final ballot open (issue 13); "
        "'done' closes it with results, a minority statement and a council response (issue 15); "
        "'questions' opens an expert talk with questions from the room (issue 14)",
    )
    demo.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.demo import create_demo

    if not 1 <= args.members <= 2000:
        print("samling: --members must be between 1 and 2000", file=sys.stderr)
        return 2
    settings = load_settings()
    result = create_demo(settings, args.members, args.seed, args.if_empty, args.stage)
    if args.json or not args.print_links:
        print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    if args.print_links:
        facilitator = result["facilitator"]
        lines = [
            "",
            "samling is ready.",
            f"  Facilitator login: {result['login_url']}",
            f"    email:    {facilitator['email']}",
            f"    password: {facilitator['password']}",
            f"  Projector:         {result['projector_url']}",
            f"  Public page:       {result['public_url']}",
            "  Participants (open on a phone or in a private window):",
            *[f"    {m['name']:<14} {m['join_url']}" for m in result["members"][:4]],
            "",
        ]
        print("\n".join(lines), file=sys.stderr if args.json else sys.stdout)
    return 0
