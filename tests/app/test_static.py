"""Vendored scripts match their recorded SRI hashes; pages load nothing from elsewhere."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from app.templating import SCRIPTS

ROOT = Path(__file__).resolve().parents[2]


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_vendored_scripts_match_their_hashes() -> None:
    readme = (ROOT / "static/vendor/README.md").read_text()
    for rel, integrity in SCRIPTS.values():
        assert sri(ROOT / "static" / rel) == integrity
        assert integrity in readme


def test_no_third_party_urls_in_templates_or_css() -> None:
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/css/*.css")]:
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "url(http" not in text, path


def test_pages_have_no_inline_script(client) -> None:
    for path in ("/", "/login", "/join"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " on" + "click=" not in html
