"""The rounds page: check-in → plan → preview → move → publish → phones → re-plan."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.db import make_engine
from app.models import Seat, SeatingRound
from tests.app.test_hub import WS, phone, receive_until
from tests.conftest import ORIGIN, csrf_of

pytestmark = pytest.mark.timeout(90)


def db_rounds(settings) -> list[tuple[SeatingRound, dict[int, int]]]:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        out = []
        for r in db.exec(select(SeatingRound).order_by(SeatingRound.id)):
            seats = {
                s.member_id: s.table_no for s in db.exec(select(Seat).where(Seat.round_id == r.id))
            }
            out.append((r, seats))
        return out


@pytest.fixture
def big_demo(settings):  # type: ignore[no-untyped-def]
    from app.demo import create_demo

    return create_demo(settings, members=24, seed=3)


def test_plan_preview_move_publish_and_replan(app, big_demo, settings) -> None:
    demo = big_demo
    aid = demo["assembly_id"]
    with TestClient(app, base_url=ORIGIN) as fac:
        from tests.conftest import login

        login(fac, demo["facilitator"]["email"], demo["facilitator"]["password"])
        token = csrf_of(fac, f"/f/a/{aid}/rounds")
        # check-in: two people are absent today
        ids = [m["id"] for m in demo["members"]]
        absent = set(ids[:2])
        r = fac.post(
            f"/f/a/{aid}/rounds/checkin",
            data={"csrf_token": token, "present": [str(i) for i in ids if i not in absent]},
            follow_redirects=False,
        )
        assert r.status_code == 303
        r = fac.post(
            f"/f/a/{aid}/rounds/plan",
            data={
                "csrf_token": token,
                "table_size": "6",
                "rounds": "3",
                "seed": "7",
                "balance": ["gender", "age"],
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        drafts = [(r_, s) for r_, s in db_rounds(settings) if r_.published_at is None]
        assert len(drafts) == 3
        for _round, seats in drafts:
            assert set(seats) == set(ids) - absent  # everyone present exactly once
            sizes = sorted(list(seats.values()).count(t) for t in set(seats.values()))
            assert sizes[-1] - sizes[0] <= 1
        page = fac.get(f"/f/a/{aid}/rounds").text
        assert "pairs who met before" in page or "par, der har mødt hinanden før" in page
        first, seats = drafts[0]
        member = next(iter(seats))
        target = 1 if seats[member] != 1 else 2
        r = fac.post(
            f"/f/a/{aid}/rounds/{first.id}/move",
            data={"csrf_token": token, "member_id": str(member), "table_no": str(target)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        moved = [s for r_, s in db_rounds(settings) if r_.id == first.id][0]
        assert moved[member] == target

        # a phone of a seated person sees its new table the moment it is published
        seated = next(m for m in demo["members"] if m["id"] == member)
        with phone(app, seated) as p, p.websocket_connect("/ws/participant", headers=WS) as ws:
            ws.send_text(json.dumps({"msg": "hello"}))
            ws.receive_text()
            r = fac.post(
                f"/f/a/{aid}/rounds/{first.id}/publish",
                data={"csrf_token": token},
                follow_redirects=False,
            )
            assert r.status_code == 303
            shown = receive_until(ws, 'id="my-table"')
            assert f"Gå til bord {target}" in shown

        # re-plan after one more absence and a late arrival: few people move
        late, gone = ids[0], ids[5]
        present = [str(i) for i in ids if i not in {ids[1], gone}]
        fac.post(f"/f/a/{aid}/rounds/checkin", data={"csrf_token": token, "present": present})
        before = [s for r_, s in db_rounds(settings) if r_.id == first.id][0]
        r = fac.post(
            f"/f/a/{aid}/rounds/replan", data={"csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
        moved_count = int(re.search(r"moved=(\d+)", r.headers["location"]).group(1))
        after = db_rounds(settings)[-1][1]
        assert late in after and gone not in after and ids[1] not in after
        changed = [m for m in after if m in before and before[m] != after[m]]
        assert len(changed) <= 4 and moved_count <= 8


def test_projector_shows_the_plan_twice(app, big_demo, settings) -> None:
    demo = big_demo
    from tests.conftest import path_of

    with TestClient(app, base_url=ORIGIN) as screen:
        with screen.websocket_connect("/ws" + path_of(demo["projector_url"]), headers=WS) as ws:
            ws.send_text(json.dumps({"msg": "hello"}))
            ws.receive_text()
            with Session(make_engine(settings.database_url)) as db:
                from app.agenda import do_set_scene
                from app.models import Assembly

                assembly = db.get(Assembly, demo["assembly_id"])
                do_set_scene(db, assembly, "plan")
                db.commit()
            # the projector learns of it on the next delivery (the safety poll at the latest)
            plan = receive_until(ws, 'id="plan-by-name"')
            names = sorted(m["name"] for m in demo["members"])
            assert plan.index(names[0]) < plan.index(names[-1])
            assert 'id="plan-by-table"' in plan


def test_rounds_page_needs_a_login(app, big_demo) -> None:
    with TestClient(app, base_url=ORIGIN) as anonymous:
        assert (
            anonymous.get(
                f"/f/a/{big_demo['assembly_id']}/rounds", follow_redirects=False
            ).status_code
            == 303
        )
        assert anonymous.post(f"/f/a/{big_demo['assembly_id']}/rounds/replan").status_code == 403


def test_hosts_stay_at_their_table_and_their_phone_says_so(app, big_demo, settings) -> None:
    demo = big_demo
    aid = demo["assembly_id"]
    before = db_rounds(settings)[-1][1]  # the demo's published round
    host = next(iter(before))
    with TestClient(app, base_url=ORIGIN) as fac:
        from tests.conftest import login

        login(fac, demo["facilitator"]["email"], demo["facilitator"]["password"])
        token = csrf_of(fac, f"/f/a/{aid}/rounds")
        r = fac.post(
            f"/f/a/{aid}/rounds/plan",
            data={
                "csrf_token": token,
                "table_size": "6",
                "rounds": "2",
                "seed": "5",
                "host": [str(host)],
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and "error" not in r.headers["location"]
        drafts = [r_ for r_, _s in db_rounds(settings) if r_.published_at is None]
        with Session(make_engine(settings.database_url)) as db:
            for draft in drafts:
                seat = db.exec(
                    select(Seat).where(Seat.round_id == draft.id, Seat.member_id == host)
                ).one()
                assert seat.table_no == before[host] and seat.host
        member = next(m for m in demo["members"] if m["id"] == host)
        with phone(app, member) as p, p.websocket_connect("/ws/participant", headers=WS) as ws:
            ws.send_text(json.dumps({"msg": "hello"}))
            ws.receive_text()
            fac.post(f"/f/a/{aid}/rounds/{drafts[0].id}/publish", data={"csrf_token": token})
            shown = receive_until(ws, 'id="my-table"')
            assert f"Du bliver ved bord {before[host]} som bordvært" in shown
