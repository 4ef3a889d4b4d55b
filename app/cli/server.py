"""`samling migrate` and `samling serve`."""

from __future__ import annotations

import argparse
import os
import sys

from app.config import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = subparsers.add_parser("migrate", help="upgrade the database named by DATABASE_URL")
    migrate.set_defaults(func=run_migrate)
    serve = subparsers.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.set_defaults(func=run_serve)


def run_migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.limits import plan, raise_fd_limit, set_socket_limit
    from app.logs import log_config

    os.environ.setdefault("PORT", str(args.port))
    settings = load_settings()  # a bad setting stops here (reported by app.cli.main)
    fds = plan(*raise_fd_limit(), settings.database_url)
    set_socket_limit(fds.socket_limit)
    print(f"samling: {fds.describe()}", file=sys.stderr, flush=True)
    uvicorn.run(
        "app.asgi:app",
        host=args.host,
        port=args.port,
        ws="websockets-sansio",
        ws_max_size=64 * 1024,
        ws_per_message_deflate=False,
        proxy_headers=True,
        limit_concurrency=fds.http_limit,
        log_config=log_config(),
        log_level="info",
    )
    return 0
