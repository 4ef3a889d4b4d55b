"""Issue 12, point 7: hostile frames get the documented error and the socket stays up."""

from __future__ import annotations

import json

import pytest

from app.dispatch import HANDLERS, MAX_INT
from tests.app.test_hub import WS, note, phone, receive_until

pytestmark = pytest.mark.timeout(30)
HUGE = [2**63, 2**64 + 5, -(2**63) - 1, MAX_INT + 1]


def test_binary_frame_is_a_bad_message_and_the_socket_stays_up(app, demo) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_bytes(b'{"msg": "hello"}')  # even the hello as a binary frame
        for _ in range(3):
            ws.send_bytes(b"\x00\xff binary")
            receive_until(ws, 'data-code="bad_message"')
        ws.send_text(note("key-after-binary"))
        assert 'class="note saved"' in receive_until(ws, 'id="note-key-after-binary"')


def test_huge_ids_from_a_phone_are_bad_messages(app, demo) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello", "cursor": 2**70}))
        ws.receive_text()
        for huge in HUGE:
            for message in (
                {"msg": "note_edit", "note_id": huge, "text": "x"},
                {"msg": "note_withdraw", "note_id": huge},
                {
                    "msg": "note",
                    "kind": "value",
                    "text": "x",
                    "client_key": "k" * 10,
                    "item_id": huge,
                },
            ):
                ws.send_text(json.dumps(message))
                receive_until(ws, 'data-code="bad_message"')
        ws.send_text(note("key-after-huge"))
        assert 'class="note saved"' in receive_until(ws, 'id="note-key-after-huge"')


def test_huge_ids_from_a_facilitator_are_bad_messages(app, demo, facilitator_client) -> None:
    with facilitator_client.websocket_connect(
        f"/ws/facilitator/{demo['assembly_id']}", headers=WS
    ) as ws:
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        sent = 0
        for kind, (schema, _roles, _work) in HANDLERS.items():
            fields = {
                name
                for name, info in schema.model_fields.items()
                if "int" in str(info.annotation) and name != "msg"
            }
            for name in fields:
                message = {"msg": kind, name: 2**63, "text": "x", "hidden": True}
                message |= {"client_key": "k" * 10, "kind": "value", "action": "hide"}
                message |= {"moderation": "open", "minutes": 1, "table_no": 1, "note_id": 1}
                message |= {"item_id": 1, "scene": "now", name: 2**63}
                ws.send_text(json.dumps(message))
                receive_until(ws, 'data-code="(bad_message|not_allowed|not_your_role)"')
                sent += 1
        assert sent >= 8  # note ids, item ids, table and member numbers, timer minutes
        ws.send_text(json.dumps({"msg": "timer_adjust", "item_id": 2**31 - 1, "minutes": 1}))
        receive_until(ws, 'data-code="')  # an ordinary refusal: the socket is still up
