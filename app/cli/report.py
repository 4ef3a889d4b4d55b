"""`samling report --assembly ID --format html|pdf|md|csv --lang da|en --out FILE`: the
assembly's report (docs/contracts/report.md). HTML is the primary format; PDF is tagged
(PDF/UA-1, WeasyPrint); csv writes a zip of data files. An unknown assembly, format or
language: exit status 2 with the reason on stderr, no file written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.config import load_settings

EXIT_BAD = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("report", help="write the assembly's report (HTML, PDF, …)")
    parser.add_argument("--assembly", type=int, required=True, help="the assembly's id")
    parser.add_argument("--format", default="html", help="html (default), pdf, md or csv (a zip)")
    parser.add_argument("--lang", default="da", help="da (default) or en")
    parser.add_argument("--out", required=True, help="the file to write ('-' for stdout)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.db import make_engine, session_scope
    from app.models import Assembly
    from app.record.report import FORMATS, LANGS, build

    if args.format not in FORMATS:
        print(
            f"samling: unknown format {args.format!r} (choose one of {', '.join(FORMATS)})",
            file=sys.stderr,
        )
        return EXIT_BAD
    if args.lang not in LANGS:
        print(
            f"samling: unknown language {args.lang!r} (choose one of {', '.join(LANGS)})",
            file=sys.stderr,
        )
        return EXIT_BAD
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as db:
            assembly = db.get(Assembly, args.assembly)
            if assembly is None:
                print(f"samling: no assembly {args.assembly}", file=sys.stderr)
                return EXIT_BAD
            data = build(db, assembly, args.format, args.lang, utcnow().date())
    finally:
        engine.dispose()
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.out).write_bytes(data)
    return 0
