"""`samling user add EMAIL [--name NAME]`: create a facilitator account."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.config import load_settings

NAME_MAX = 120  # app.models.Facilitator.name


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = subparsers.add_parser("user", help="manage facilitator accounts")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a facilitator (or set a new password)")
    add.add_argument("email")
    add.add_argument("--password", help="otherwise asked for at the prompt")
    add.add_argument(
        "--name", help='shown to tables instead of the e-mail address, e.g. "Lise Holm"'
    )
    add.set_defaults(func=run_add)


def upsert_facilitator(
    database_url: str, email: str, password: str, name: str | None = None
) -> bool:
    """Create the account or set its password (and its name, when given); True when it was
    created."""
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
        if name is not None:
            user.name = name
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

    problem = password_problem(password, email, args.name or "")
    if problem:  # too short, or common / breached / easy to guess
        print(f"samling: {problem}", file=sys.stderr)
        return 2
    name = None if args.name is None else " ".join(args.name.split())
    if name is not None and (not name or len(name) > NAME_MAX):
        print(f"samling: give a name of 1 to {NAME_MAX} characters", file=sys.stderr)
        return 2
    settings = load_settings()
    created = upsert_facilitator(settings.database_url, email, password, name)
    shown = f"{email} ({name})" if name else email
    print(f"{'Created' if created else 'Updated'} facilitator {shown}")
    return 0
