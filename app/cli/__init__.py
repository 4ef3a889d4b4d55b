"""The `samling` command line.

Each module in this package that defines ``register(subparsers)`` adds one subcommand;
the parser it adds sets ``func`` to a callable taking the parsed namespace and returning
an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samling", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # __main__ runs the command; it is no subcommand
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:  # bad configuration: one clear line, for every subcommand
        print(f"samling: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
