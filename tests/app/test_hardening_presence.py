"""Issue 12, point 8: presence churn (venue WiFi, a reconnect loop) does not flood the event log
and push other phones past the resume window."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.db import make_engine
from app.events import events_after, last_seqs
from app.hub import CONNECT_BURST, MAX_RESUME
from facilitation.ratelimit import RateLimiter
from tests.app.test_hub import WS, phone, receive_until

pytestmark = pytest.mark.timeout(120)
CYCLES = 300


def newest(settings, aid: int) -> int:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return last_seqs(db, [aid]).get(aid, 0)


def presence_events(settings, aid: int, since: int) -> int:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return sum(e.kind == "presence" for e in events_after(db, aid, since, 10_000))


def cycle(client) -> bool:  # type: ignore[no-untyped-def]
    """One hello-and-close; True when the server served it, False when it said 1013."""
    with client.websocket_connect("/ws/participant", headers=WS) as ws:
        ws.send_text(json.dumps({"msg": "hello"}))
        try:
            ws.receive_text()
        except WebSocketDisconnect as exc:
            assert exc.code == 1013
            return False
    return True


def test_reconnect_churn_writes_almost_no_events(app, demo, settings) -> None:
    aid = demo["assembly_id"]
    with (
        phone(app, demo["members"][1]) as other,
        other.websocket_connect("/ws/participant", headers=WS) as ows,
        phone(app, demo["members"][0]) as churner,
    ):
        ows.send_text(json.dumps({"msg": "hello"}))
        ows.receive_text()
        hub = app.state.hub
        hub.connect_limit = RateLimiter(burst=10_000, per_second=1_000)  # debounce alone here
        before = newest(settings, aid)
        served = sum(cycle(churner) for _ in range(CYCLES))
        assert served == CYCLES
        written = newest(settings, aid) - before
        # the first connect: online; every close and reconnect within the grace: nothing
        assert written <= 2, f"{written} events for {CYCLES} reconnects"
        assert presence_events(settings, aid, before) <= 2
        assert newest(settings, aid) - before < MAX_RESUME  # the other phone can still resume
        # and once the phone has stayed away for the grace, it goes offline once
        hub.presence_grace = 0.2
        cycle(churner)
        deadline = time.monotonic() + 5
        while presence_events(settings, aid, before) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert presence_events(settings, aid, before) == 2  # online, then offline


def test_a_reconnect_loop_is_refused_with_try_again_later(app, demo, settings) -> None:
    with phone(app, demo["members"][0]) as churner:
        served = sum(cycle(churner) for _ in range(CYCLES))
    assert CONNECT_BURST <= served < CONNECT_BURST + 10  # the rest heard 1013 and back off


def test_a_quick_reconnect_keeps_the_member_online(app, demo, facilitator_client) -> None:
    member = demo["members"][2]
    with facilitator_client.websocket_connect(
        f"/ws/facilitator/{demo['assembly_id']}", headers=WS
    ) as fws:
        fws.send_text(json.dumps({"msg": "hello"}))
        fws.receive_text()
        with phone(app, member) as p:
            for _ in range(5):
                cycle(p)
            online = receive_until(fws, f'id="presence-{member["id"]}"')
            assert 'class="person online"' in online
            app.state.hub.presence_grace = 0.2
            cycle(p)
            offline = receive_until(fws, f'id="presence-{member["id"]}"')
            assert 'class="person offline"' in offline


def test_reconnect_churn_against_a_real_server(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """As found: 300 hello-and-close cycles by one phone on a real server wrote 187 events."""
    from urllib.parse import urlsplit

    import httpx2
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    from app.config import load_settings
    from tests.app.test_hardening_server import served

    with served(tmp_path) as server:
        demo = server.demo
        settings = load_settings(
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'samling.sqlite3'}"},
            secret_file=tmp_path / "secret",
        )
        aid = demo["assembly_id"]
        with httpx2.Client(base_url=server.url) as browser:
            browser.get(urlsplit(demo["members"][0]["join_url"]).path)
            cookie = f"samling={browser.cookies['samling']}"
        url = server.url.replace("http://", "ws://") + "/ws/participant"
        before = newest(settings, aid)
        served_count = refused = 0
        for _ in range(CYCLES):
            with connect(url, origin=server.url, additional_headers={"Cookie": cookie}) as ws:  # type: ignore[arg-type]
                try:
                    ws.send(json.dumps({"msg": "hello"}))
                    assert 'id="my-notes"' in str(ws.recv(timeout=10))
                    served_count += 1
                except ConnectionClosed as exc:
                    assert exc.rcvd is not None and exc.rcvd.code == 1013
                    refused += 1
        time.sleep(0.5)  # let the last close reach the server
        written = newest(settings, aid) - before
        server.stop()
    assert written <= 2, f"{written} events for {CYCLES} hello-and-close cycles"
    assert served_count >= CONNECT_BURST and refused > 0
