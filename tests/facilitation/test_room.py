"""facilitation.room: which scenes the projector can show, and who has written."""

from __future__ import annotations

from dataclasses import replace

from facilitation.room import (
    ItemView,
    NoteView,
    RoomSettings,
    RoomState,
    Seating,
    apply_event,
    scene_problem,
)


def note(id: int, member: int | None, table: int | None, item: int = 1, **kw: object) -> NoteView:
    fields = {"hidden": False, **kw}
    return NoteView(
        id, f"k{id}", member, "", table, "value", "x", created_at="", item_id=item, **fields
    )  # type: ignore[arg-type]


def item(state: str = "open") -> ItemView:
    return ItemView(1, 1, 1, "round", "Værdier", 20, "value", "", state, None, None)


def room(**kw: object) -> RoomState:
    base = {
        "assembly_id": 1,
        "seq": 1,
        "items": (item(),),
        "current_item_id": 1,
        "members": {m: f"M{m}" for m in range(1, 7)},
        "seating": Seating(1, 1, {1: (1, False), 2: (1, False), 3: (2, False), 4: (2, False)}),
    }
    return RoomState(**{**base, **kw})  # type: ignore[arg-type]


def test_writing_progress_counts_writers_of_the_open_phase_against_the_room() -> None:
    state = room(
        notes={
            1: note(1, 1, 1),
            2: note(2, 1, 1),  # a second note by the same person
            3: note(3, 3, 2),
            4: note(4, 2, 1, withdrawn=True),  # taken back: not written
            5: note(5, 4, 2, item=9),  # another phase
            6: note(6, None, 2),  # a paper note for nobody
        },
        online=frozenset({5}),  # not seated but here
    )
    assert state.writing_progress() == (2, 5)
    assert room(items=(item("closed"),)).writing_progress() is None
    # before anyone is seated or online: the whole active roster
    assert room(seating=None).writing_progress() == (0, 6)


def test_scene_problem_knows_what_each_scene_needs() -> None:
    state = room(notes={1: note(1, 1, 1), 2: note(2, 2, 1, hidden=True), 3: note(3, 5, 7)})
    assert scene_problem(state, "now", None) is None
    assert scene_problem(state, "wall", None) is None
    assert scene_problem(state, "plan", None) is None
    assert scene_problem(room(seating=None), "plan", None) == "bad_scene"
    assert scene_problem(state, "spotlight", None) == "bad_scene"
    assert scene_problem(room(spotlight={"title": "T"}), "spotlight", None) is None
    assert scene_problem(state, "note", 1) is None
    assert scene_problem(state, "note", 2) == "bad_scene"  # hidden
    assert scene_problem(state, "note", None) == "bad_scene"
    assert scene_problem(state, "table", 2) is None  # seated
    assert scene_problem(state, "table", 7) is None  # has notes
    assert scene_problem(state, "table", 8) == "bad_scene"
    assert scene_problem(state, "wall", 1) == "bad_scene"
    assert scene_problem(state, "questions", None) is None  # app/programme
    assert scene_problem(state, "quiz", None) == "bad_scene"


def test_settings_events_carry_the_scene_and_old_plan_groupings_become_the_plan_scene() -> None:
    state = apply_event(room(), 2, "settings", {"settings": {"scene": "table", "scene_ref": 3}})
    assert state.settings == RoomSettings(scene="table", scene_ref=3)
    old = {"moderation": "open", "show_names": False, "wall_group": "plan"}
    assert apply_event(room(), 2, "settings", {"settings": old}).settings == RoomSettings(
        scene="plan"
    )


def test_a_roster_event_renames_adds_and_removes_members_and_their_authorship() -> None:
    state = room(notes={1: note(1, 2, 1), 2: note(2, 3, 2)})
    state = replace(
        state, notes={i: replace(n, author=f"M{n.member_id}") for i, n in state.notes.items()}
    )
    payload = {
        "members": [
            {"id": 2, "name": "Anne T.", "active": True},  # renamed
            {"id": 3, "name": "M3", "active": False},  # deactivated
            {"id": 9, "name": "Aage N.", "active": True},  # added
        ],
        "signed_out": [3],
    }
    after = apply_event(state, 2, "roster", payload)
    assert after.seq == 2
    assert (
        after.members[2] == "Anne T." and 3 not in after.members and after.members[9] == "Aage N."
    )
    assert list(after.members.values()) == sorted(after.members.values())  # name order, as read
    assert after.notes[1].author == "Anne T."  # the renamed member's note shows the new name
    assert after.notes[2].author == "M3"  # a deactivated member's notes keep their author
    # a deactivated member has left their table; the room's count of writers follows
    assert [m for m, _name in after.table_members(2)] == [4]
    assert after.notes is not state.notes and state.members[3] == "M3"  # nothing mutated


def test_an_access_event_changes_nothing_but_the_cursor() -> None:
    state = room()
    after = apply_event(state, 7, "access", {"revoked": "projector"})
    assert after == replace(state, seq=7)
