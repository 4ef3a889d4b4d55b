"""docs/protocol.md documents every message kind in both directions."""

import re
from pathlib import Path

from app.dispatch import INBOUND_KINDS
from app.views import SERVER_KINDS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def test_every_inbound_kind_is_documented() -> None:
    for kind in INBOUND_KINDS:
        assert re.search(rf"^### .*`{kind}`", DOC, re.M), kind
        assert f'"msg": "{kind}"' in DOC, kind


def test_every_server_kind_is_documented() -> None:
    for kind in SERVER_KINDS:
        assert f"### `{kind}`" in DOC, kind


def test_every_error_code_is_documented() -> None:
    template = (Path(__file__).resolve().parents[2] / "templates/live/error.html").read_text()
    for code in re.findall(r'"(\w+)": _\(', template):
        assert f"`{code}`" in DOC, code


def test_every_event_template_is_a_documented_server_kind() -> None:
    live = Path(__file__).resolve().parents[2] / "templates" / "live"
    for path in live.glob("event_*.html"):
        assert path.stem.removeprefix("event_") in SERVER_KINDS, path.name
