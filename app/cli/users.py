"""`samling user add EMAIL`: create a facilitator account."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = subparsers.add_parser("user", help="manage facilitator accounts")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a facilitator (or set a new password)")
    add.add_argument("email")
    add.add_argument("--password", help="otherwise asked for at the prompt")
    add.set_defaults(func=run_add)


def upsert_facilitator(database_url: str, email: str, password: str) -> bool:
    """Create the account or set its password; True when it was created."""
    # imported here: every `samling` command loads this module, few need the database layer
    from sqlmodel import select

    from app.clock import utcnow
    from app.db import make_engine, session_scope
    from app.models import Facilitator
    from app.security import hash_password

    engine = make_engine(database_url)
    with session_scope(engine, write=True) as db:
        user = db.exec(select(Facilitator).where(Facilitator.email == email)).first()
        created = user is None
        if user is None:
            user = Facilitator(email=email, password_hash="", created_at=utcnow())
        user.password_hash = hash_password(password)
        db.add(user)
    engine.dispose()
    return created


def run_add(args: argparse.Namespace) -> int:
    email = args.email.strip().lower()
    if "@" not in email or len(email) > 254:
        print(f"samling: {args.email!r} is not an email address", file=sys.stderr)
        return 2
    password = args.password
    if password is None:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("samling: the passwords differ", file=sys.stderr)
            return 2
    from app.security import password_problem

    problem = password_problem(password, email)
    if problem:  # too short, or common / breached / easy to guess
        print(f"samling: {problem}", file=sys.stderr)
        return 2
    settings = load_settings()
    created = upsert_facilitator(settings.database_url, email, password)
    print(f"{'Created' if created else 'Updated'} facilitator {email}")
    return 0
