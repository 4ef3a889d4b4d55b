"""samling's web layer: routes, the websocket hub, persistence, templates."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("samling")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
