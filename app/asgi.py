"""The ASGI entry point for uvicorn: `uvicorn app.asgi:app`.

Outermost, :class:`app.limits.SocketCap` refuses live sockets beyond what the process's file
descriptors allow (`samling serve` sets the cap and prints it)."""

from app.limits import SocketCap
from app.web import create_app

app = SocketCap(create_app())
