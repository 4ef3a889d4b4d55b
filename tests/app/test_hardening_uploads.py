"""Issue 12, point 1: an upload cannot stall the room. Files are parsed outside any transaction,
in bounded time and memory, with a clear message for whatever is too big."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from starlette.testclient import TestClient

from app import pages_facilitator
from app.csvfiles import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_FIELD,
    MAX_PROBLEMS,
    MAX_ROWS,
    CsvError,
    decode,
    parse_csv,
)
from app.lottery import flow as lottery_flow
from tests.app.test_hub import WS, note, phone, receive_until
from tests.conftest import ORIGIN, csrf_of, login

pytestmark = pytest.mark.timeout(60)


def problems_of(text: str) -> list[str]:
    with pytest.raises(CsvError) as caught:
        parse_csv(text)
    return caught.value.problems


# -- bounded parsing ------------------------------------------------------------------------


def test_a_field_beyond_the_csv_modules_limit_is_a_clear_problem() -> None:
    huge = "x" * 131_073
    assert problems_of(f"id,name\n1,{huge}\n") == [
        f"line 2: a field is longer than {MAX_FIELD} characters"
    ]
    assert problems_of(f'id,name\n1,"{huge}\n"\n')[0].startswith("line 2: a field is longer")
    assert problems_of(f"{huge},name\n1,2\n")[0].startswith("line 1: a field is longer")


def test_long_fields_many_columns_and_many_rows_are_refused() -> None:
    assert problems_of("id,name\n1," + "y" * (MAX_FIELD + 1) + "\n")[0].endswith(
        f"longer than {MAX_FIELD} characters"
    )
    wide = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    assert problems_of(wide + "\n") == [f"line 1: more than {MAX_COLUMNS} columns"]
    tall = "id\n" + "".join(f"{i}\n" for i in range(MAX_ROWS + 1))
    assert problems_of(tall) == [f"the file has more than {MAX_ROWS} rows"]
    parse_csv("id\n" + "".join(f"{i}\n" for i in range(MAX_ROWS)))  # the limit itself is fine
    with pytest.raises(CsvError) as caught:
        decode(b"x" * (MAX_BYTES + 1))
    assert caught.value.problems == [f"the file is larger than {MAX_BYTES // 2**20} MB"]


def test_problems_are_listed_up_to_a_limit_and_counted() -> None:
    bad = "id,name\n" + "".join(f"{i}\n" for i in range(1000))
    problems = problems_of(bad)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == f"… lines not listed here: {1000 - MAX_PROBLEMS}"


def test_hostile_headers_are_refused_in_linear_time() -> None:
    started = time.monotonic()
    many = ",".join(f"column{i}" for i in range(200_000))  # 1.5 MB of column names
    assert problems_of(many + "\n1\n") == [f"line 1: more than {MAX_COLUMNS} columns"]
    duplicates = ",".join(["same"] * MAX_COLUMNS)
    assert problems_of(duplicates + "\n") == ["line 1: duplicate column(s): same"]
    big = "id,name,note\n" + "".join(f"{i},Navn {i},{'z' * 150}\n" for i in range(MAX_ROWS - 1))
    assert len(big) < MAX_BYTES and len(parse_csv(big).rows) == MAX_ROWS - 1
    assert time.monotonic() - started < 5  # was 341 s for the header alone


# -- over HTTP: a clear page, never a 500 ------------------------------------------------


def test_members_import_of_a_huge_field_is_a_400_with_the_message(facilitator_client, demo) -> None:
    aid = demo["assembly_id"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}")
    response = facilitator_client.post(
        f"/f/a/{aid}/members/import",
        data={"csrf_token": token},
        files={"file": ("m.csv", b"id,name\n1," + b"x" * 140_000 + b"\n", "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "10000" in response.text or "10.000" in response.text


def test_lottery_upload_of_a_huge_field_is_a_400_with_the_message(facilitator_client, demo) -> None:
    base = f"/f/a/{demo['assembly_id']}/lottery"
    response = facilitator_client.post(
        base + "/upload",
        data={"csrf_token": csrf_of(facilitator_client, base), "panel_size": "2"},
        files={
            "people": ("p.csv", b"id,g\n1,a\n", "text/csv"),
            "quotas": ("q.csv", b"feature,value,min,max\ng," + b"a" * 140_000 + b",0,1\n", "text"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "10000" in response.text or "10.000" in response.text


# -- the room keeps going while a file is parsed ------------------------------------------


def write_lock_is_free(database: str) -> bool:
    connection = sqlite3.connect(database, timeout=0.05, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        connection.close()


def slow_parse(module, monkeypatch, started: threading.Event, release: threading.Event, seen):  # type: ignore[no-untyped-def]
    """Make ``module.parse_csv`` take as long as the test wants, and note whether the database's
    write lock was free meanwhile."""
    real = module.parse_csv

    def parse(text: str):  # type: ignore[no-untyped-def]
        seen.append(write_lock_is_free(seen[0]))
        started.set()
        release.wait(10)
        return real(text)

    monkeypatch.setattr(module, "parse_csv", parse)


@pytest.mark.parametrize("which", ["members", "lottery"])
def test_a_phone_note_is_acked_while_an_import_is_parsed(
    app, demo, settings, monkeypatch, which
) -> None:
    database = settings.database_url.removeprefix("sqlite:///")
    started, release = threading.Event(), threading.Event()
    seen: list = [database]  # type: ignore[type-arg]
    module = pages_facilitator if which == "members" else lottery_flow
    slow_parse(module, monkeypatch, started, release, seen)
    aid = demo["assembly_id"]
    organiser = TestClient(app, base_url=ORIGIN)  # no lifespan of its own: the phone's hub serves
    login(organiser, demo["facilitator"]["email"], demo["facilitator"]["password"])
    responses: list = []  # type: ignore[type-arg]

    def upload() -> None:
        if which == "members":
            token = csrf_of(organiser, f"/f/a/{aid}")
            responses.append(
                organiser.post(
                    f"/f/a/{aid}/members/import",
                    data={"csrf_token": token},
                    files={"file": ("m.csv", b"id,name\nZ1,Zenia\n", "text/csv")},
                    follow_redirects=False,
                )
            )
        else:
            base = f"/f/a/{aid}/lottery"
            responses.append(
                organiser.post(
                    base + "/upload",
                    data={"csrf_token": csrf_of(organiser, base), "panel_size": "1"},
                    files={
                        "people": ("p.csv", b"id,g\n1,a\n2,a\n", "text/csv"),
                        "quotas": ("q.csv", b"feature,value,min,max\ng,a,0,1\n", "text/csv"),
                    },
                    follow_redirects=False,
                )
            )

    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        uploader = threading.Thread(target=upload)
        uploader.start()
        try:
            assert started.wait(10), "the upload never reached parsing"
            sent = time.monotonic()
            ws.send_text(note("key-during-import"))
            ack = receive_until(ws, 'id="note-key-during-import"')
            assert 'class="note saved"' in ack
            assert time.monotonic() - sent < 3  # not after a 5 s busy timeout
            assert release.is_set() is False  # the import was still being parsed
        finally:
            release.set()
            uploader.join(20)
    assert seen[1] is True, "the write lock was held while the file was parsed"
    assert responses and responses[0].status_code == 303, responses[0].text[:500]
