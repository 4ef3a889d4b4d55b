"""State changes of the programme. Each checks, changes and writes its events in the caller's
transaction; the write path (``app/writes.py``) commits, then rings.

Live events (``facilitation.programme.PROGRAMME_EVENTS``, kept in ``RoomState.programme``):
``question`` (questions as they are now), ``upvote`` (a member's first upvote of a question),
``attendance`` (a member checked in or out of a gathering), ``checkin`` (self check-in opened
or closed). Everything else the programme changes (gatherings, hours corrections, experts,
material, wishes, the parking lot, replacements) writes a ``programme`` event naming what
changed: no live screen draws it, the pages read it from the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import AgendaItem, Assembly, AssemblySession, Facilitator, Member
from app.programme.models import (
    Attendance,
    Expert,
    ExpertWish,
    Material,
    ParkingItem,
    Question,
    Replacement,
    Talk,
    Upvote,
)
from facilitation import programme as pure
from facilitation.programme import MAX_QUESTION, ProgrammeRoom, QuestionView
from facilitation.room import clean_note_text

LOCAL = ZoneInfo("Europe/Copenhagen")  # gatherings' dates and times are the venue's local time
MAX_FILE = 4 * 1024 * 1024  # under the CSRF middleware's 5 MB body limit (app/auth.py)
# What the library accepts, by extension: served with this type, always as an attachment.
FILE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
MAGIC = {"pdf": b"%PDF", "png": b"\x89PNG", "jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff"}
ZIPPED = ("docx", "pptx", "xlsx", "odt")


# -- gatherings --------------------------------------------------------------------------------


def local_dt(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL)


def bounds(session: AssemblySession) -> pure.Gathering:
    assert session.id is not None
    starts = local_dt(session.day, session.starts_at)
    ends = local_dt(session.day, session.ends_at)
    return pure.Gathering(session.id, starts, max(ends, starts))


def gatherings_of(db: Session, assembly_id: int) -> list[AssemblySession]:
    return list(
        db.exec(
            select(AssemblySession)
            .where(AssemblySession.assembly_id == assembly_id)
            .order_by(AssemblySession.day, AssemblySession.starts_at)  # type: ignore[arg-type]
        )
    )


def get_gathering(db: Session, assembly_id: int, session_id: int) -> AssemblySession:
    session = db.get(AssemblySession, session_id)
    if session is None or session.assembly_id != assembly_id:
        raise ActionError("no_such_gathering")
    return session


def current_gathering(db: Session, assembly_id: int, now: datetime) -> AssemblySession | None:
    """The gathering on today's date (local), else the next one, else the last one."""
    rows = gatherings_of(db, assembly_id)
    today = now.astimezone(LOCAL).date()
    for row in rows:
        if row.day == today:
            return row
    later = [r for r in rows if r.day > today]
    return later[0] if later else (rows[-1] if rows else None)


def _programme(db: Session, assembly_id: int, what: str, ref: int | None) -> LoggedEvent:
    return record(db, assembly_id, "programme", {"what": what, "id": ref})


@dataclass(frozen=True)
class GatheringFields:
    day: date
    starts_at: time
    ends_at: time
    title: str = ""
    venue: str = ""
    host: str = ""
    description: str = ""
    public: bool = False
    public_meeting: bool = False


def do_save_gathering(
    db: Session, assembly: Assembly, fields: GatheringFields, session_id: int | None = None
) -> list[LoggedEvent]:
    assert assembly.id is not None
    if fields.ends_at <= fields.starts_at:
        raise ActionError("bad_times")
    if session_id is None:
        session = AssemblySession(
            assembly_id=assembly.id,
            day=fields.day,
            starts_at=fields.starts_at,
            ends_at=fields.ends_at,
        )
    else:
        session = get_gathering(db, assembly.id, session_id)
    session.day, session.starts_at, session.ends_at = (
        fields.day,
        fields.starts_at,
        fields.ends_at,
    )
    session.title = " ".join(fields.title.split())[:200]
    session.venue = " ".join(fields.venue.split())[:200]
    session.host = " ".join(fields.host.split())[:200]
    session.description = clean_note_text(fields.description)[:2000]
    session.public, session.public_meeting = fields.public, fields.public_meeting
    db.add(session)
    db.flush()
    return [_programme(db, assembly.id, "gathering", session.id)]


# -- attendance and hours ----------------------------------------------------------------------


def _member(db: Session, assembly_id: int, member_id: int) -> Member:
    member = db.get(Member, member_id)
    if member is None or member.assembly_id != assembly_id or not member.active:
        raise ActionError("no_such_member")
    return member


def _attendance(db: Session, session_id: int, member_id: int) -> Attendance | None:
    return db.exec(
        select(Attendance).where(
            Attendance.session_id == session_id, Attendance.member_id == member_id
        )
    ).first()


def _attendance_event(db: Session, assembly_id: int, row: Attendance) -> LoggedEvent:
    present = row.checked_in_at is not None and row.checked_out_at is None
    payload = {"gathering_id": row.session_id, "member_id": row.member_id, "present": present}
    return record(db, assembly_id, "attendance", payload)


def do_check_in(
    db: Session,
    assembly: Assembly,
    session_id: int,
    member_id: int,
    method: str = "list",
    now: datetime | None = None,
) -> list[LoggedEvent]:
    """A member is here: at the door from the list, by their join card's QR, or on their
    phone. Checking in again after a check-out keeps the first arrival and clears the
    departure (they came back); checking in twice changes nothing."""
    assert assembly.id is not None
    if method not in ("list", "scan", "phone"):
        raise ActionError("bad_message")
    get_gathering(db, assembly.id, session_id)
    _member(db, assembly.id, member_id)
    row = _attendance(db, session_id, member_id)
    if row is not None and row.checked_in_at is not None and row.checked_out_at is None:
        return []
    now = now or utcnow()
    if row is None:
        row = Attendance(session_id=session_id, member_id=member_id, method=method)
    row.checked_in_at = row.checked_in_at or now
    row.checked_out_at = None
    db.add(row)
    db.flush()
    return [_attendance_event(db, assembly.id, row)]


def do_check_out(
    db: Session, assembly: Assembly, session_id: int, member_id: int, now: datetime | None = None
) -> list[LoggedEvent]:
    assert assembly.id is not None
    get_gathering(db, assembly.id, session_id)
    row = _attendance(db, session_id, member_id)
    if row is None or row.checked_in_at is None or row.checked_out_at is not None:
        return []
    row.checked_out_at = now or utcnow()
    db.add(row)
    db.flush()
    return [_attendance_event(db, assembly.id, row)]


def do_adjust_hours(
    db: Session,
    assembly: Assembly,
    facilitator: Facilitator | None,
    session_id: int,
    member_id: int,
    minutes: int | None,
    reason: str,
) -> list[LoggedEvent]:
    """A facilitator corrects a member's time at a gathering (``None``: back to the clamped
    time). The reason is required and kept."""
    assert assembly.id is not None
    session = get_gathering(db, assembly.id, session_id)
    _member(db, assembly.id, member_id)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ActionError("reason_needed")
    if minutes is not None and not 0 <= minutes <= bounds(session).minutes:
        raise ActionError("bad_minutes")
    row = _attendance(db, session_id, member_id) or Attendance(
        session_id=session_id, member_id=member_id, method="list"
    )
    row.adjusted_minutes, row.adjust_reason = minutes, reason
    row.adjusted_by = facilitator.id if facilitator else None
    row.adjusted_at = utcnow()
    db.add(row)
    db.flush()
    return [_programme(db, assembly.id, "hours", row.id)]


def do_open_self_checkin(
    db: Session, assembly: Assembly, session_id: int | None, code: str | None = None
) -> list[LoggedEvent]:
    """Open self check-in on the phones for a gathering (a fresh four-digit code the projector
    shows), or close it with ``session_id=None``. One gathering at a time."""
    assert assembly.id is not None
    for row in gatherings_of(db, assembly.id):
        if row.checkin_code is not None and row.id != session_id:
            row.checkin_code = None
            db.add(row)
    if session_id is not None:
        session = get_gathering(db, assembly.id, session_id)
        session.checkin_code = code or pure.checkin_code(secrets.randbelow(10_000))
        db.add(session)
        payload: dict[str, Any] = {"gathering_id": session.id, "code": session.checkin_code}
    else:
        payload = {"gathering_id": None, "code": None}
    db.flush()
    return [record(db, assembly.id, "checkin", payload)]


def do_self_check_in(db: Session, member: Member, code: str) -> list[LoggedEvent]:
    """A member checks in on their phone with the code on the projector (so at the venue)."""
    assembly = db.get(Assembly, member.assembly_id)
    assert assembly is not None and member.id is not None
    open_one = db.exec(
        select(AssemblySession).where(
            AssemblySession.assembly_id == member.assembly_id,
            AssemblySession.checkin_code != None,  # noqa: E711
        )
    ).first()
    if open_one is None or open_one.id is None:
        raise ActionError("checkin_closed")
    if "".join(code.split()) != open_one.checkin_code:
        raise ActionError("wrong_code")
    return do_check_in(db, assembly, open_one.id, member.id, "phone")


def attendance_rows(db: Session, assembly_id: int) -> list[Attendance]:
    return list(
        db.exec(
            select(Attendance)
            .join(AssemblySession, AssemblySession.id == Attendance.session_id)  # type: ignore[arg-type]
            .where(AssemblySession.assembly_id == assembly_id)
            .order_by(Attendance.id)  # type: ignore[arg-type]
        )
    )


def stays(rows: Iterable[Attendance]) -> list[pure.Stay]:
    return [
        pure.Stay(r.member_id, r.session_id, r.checked_in_at, r.checked_out_at, r.adjusted_minutes)
        for r in rows
    ]


def hours_of(db: Session, assembly_id: int, now: datetime | None = None) -> pure.Hours:
    members = [
        m.id
        for m in db.exec(
            select(Member).where(Member.assembly_id == assembly_id, Member.active == True)  # noqa: E712
        )
        if m.id is not None
    ]
    gatherings = [bounds(g) for g in gatherings_of(db, assembly_id)]
    return pure.hours(stays(attendance_rows(db, assembly_id)), gatherings, members, now or utcnow())


def do_record_replacement(
    db: Session,
    assembly: Assembly,
    member_id: int,
    replaces_id: int,
    session_id: int | None,
    note: str = "",
) -> list[LoggedEvent]:
    """A member from the reserve list takes a drawn member's place from a gathering on."""
    assert assembly.id is not None
    if member_id == replaces_id:
        raise ActionError("bad_message")
    _member(db, assembly.id, member_id)
    gone = db.get(Member, replaces_id)
    if gone is None or gone.assembly_id != assembly.id:
        raise ActionError("no_such_member")
    if session_id is not None:
        get_gathering(db, assembly.id, session_id)
    row = Replacement(
        assembly_id=assembly.id,
        member_id=member_id,
        replaces_id=replaces_id,
        session_id=session_id,
        note=" ".join(note.split())[:500],
        created_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return [_programme(db, assembly.id, "replacement", row.id)]


# -- experts, talks, material, wishes ------------------------------------------------------------


def do_save_expert(
    db: Session,
    assembly: Assembly,
    name: str,
    role: str,
    organisation: str,
    kind: str,
    public: bool,
    expert_id: int | None = None,
) -> tuple[Expert, list[LoggedEvent]]:
    assert assembly.id is not None
    name = " ".join(name.split())[:120]
    if not name:
        raise ActionError("empty")
    if kind not in ("expert", "stakeholder"):
        raise ActionError("bad_message")
    if expert_id is None:
        expert = Expert(assembly_id=assembly.id, name=name, created_at=utcnow())
    else:
        found = db.get(Expert, expert_id)
        if found is None or found.assembly_id != assembly.id:
            raise ActionError("no_such_expert")
        expert = found
    expert.name, expert.kind, expert.public = name, kind, public
    expert.role = " ".join(role.split())[:200]
    expert.organisation = " ".join(organisation.split())[:200]
    db.add(expert)
    db.flush()
    return expert, [_programme(db, assembly.id, "expert", expert.id)]


def experts_of(db: Session, assembly_id: int) -> list[Expert]:
    return list(
        db.exec(select(Expert).where(Expert.assembly_id == assembly_id).order_by(Expert.name))
    )


def do_assign_talk(
    db: Session, assembly: Assembly, item_id: int, expert_id: int | None
) -> list[LoggedEvent]:
    """Who gives a run-sheet item (an expert talk); ``None`` takes the expert off it."""
    assert assembly.id is not None
    item = db.get(AgendaItem, item_id)
    if item is None or item.assembly_id != assembly.id:
        raise ActionError("no_such_item")
    talk = db.get(Talk, item_id)
    if expert_id is None:
        if talk is not None:
            db.delete(talk)
    else:
        expert = db.get(Expert, expert_id)
        if expert is None or expert.assembly_id != assembly.id:
            raise ActionError("no_such_expert")
        talk = talk or Talk(item_id=item_id, expert_id=expert_id)
        talk.expert_id = expert_id
        db.add(talk)
    db.flush()
    return [_programme(db, assembly.id, "talk", item_id)]


def talks_of(db: Session, assembly_id: int) -> dict[int, Expert]:
    """Run-sheet item id → its expert."""
    rows = db.exec(
        select(Talk, Expert)
        .join(Expert, Expert.id == Talk.expert_id)  # type: ignore[arg-type]
        .where(Expert.assembly_id == assembly_id)
    )
    return {talk.item_id: expert for talk, expert in rows}


def file_problem(filename: str, data: bytes) -> str | None:
    """Why an upload is refused (an error code), or None: bounded size, a known extension,
    and contents that match it (a PDF starts with %PDF, an office file is a zip)."""
    if not data:
        return "empty_file"
    if len(data) > MAX_FILE:
        return "file_too_large"
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in FILE_TYPES:
        return "file_type"
    if ext in MAGIC and not data.startswith(MAGIC[ext]):
        return "file_type"
    if ext in ZIPPED and not data.startswith(b"PK\x03\x04"):
        return "file_type"
    if ext == "txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "file_type"
    return None


def safe_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    keep = "".join(c for c in name if c.isalnum() or c in "._- ")
    return (" ".join(keep.split()) or "file")[:200]


def do_add_material(
    db: Session,
    assembly: Assembly,
    title: str,
    url: str = "",
    filename: str = "",
    data: bytes = b"",
    expert_id: int | None = None,
    session_id: int | None = None,
    public: bool = False,
) -> tuple[Material, list[LoggedEvent]]:
    """A link (http or https) or a file for the library."""
    assert assembly.id is not None
    title = " ".join(title.split())[:200]
    url = url.strip()
    if not title:
        raise ActionError("empty")
    if expert_id is not None:
        expert = db.get(Expert, expert_id)
        if expert is None or expert.assembly_id != assembly.id:
            raise ActionError("no_such_expert")
    if session_id is not None:
        get_gathering(db, assembly.id, session_id)
    material = Material(
        assembly_id=assembly.id,
        title=title,
        expert_id=expert_id,
        session_id=session_id,
        public=public,
        created_at=utcnow(),
    )
    if data:
        problem = file_problem(filename, data)
        if problem:
            raise ActionError(problem)
        ext = filename.rsplit(".", 1)[-1].lower()
        material.filename = safe_filename(filename)
        material.content_type = FILE_TYPES[ext]
        material.size = len(data)
        material.data = data
    elif url:
        if not (url.startswith("https://") or url.startswith("http://")) or len(url) > 1000:
            raise ActionError("bad_link")
        if any(c.isspace() or c in "<>\"'" for c in url):
            raise ActionError("bad_link")
        material.url = url
    else:
        raise ActionError("empty")
    db.add(material)
    db.flush()
    return material, [_programme(db, assembly.id, "material", material.id)]


def do_material_public(
    db: Session, assembly: Assembly, material_id: int, public: bool
) -> list[LoggedEvent]:
    material = _material(db, assembly, material_id)
    material.public = public
    db.add(material)
    db.flush()
    return [_programme(db, assembly.id or 0, "material", material.id)]


def do_delete_material(db: Session, assembly: Assembly, material_id: int) -> list[LoggedEvent]:
    material = _material(db, assembly, material_id)
    db.delete(material)
    db.flush()
    return [_programme(db, assembly.id or 0, "material", material_id)]


def _material(db: Session, assembly: Assembly, material_id: int) -> Material:
    material = db.get(Material, material_id)
    if material is None or material.assembly_id != assembly.id:
        raise ActionError("no_such_material")
    return material


def materials_of(db: Session, assembly_id: int, public_only: bool = False) -> list[Material]:
    query = select(Material).where(Material.assembly_id == assembly_id)
    if public_only:
        query = query.where(Material.public == True)  # noqa: E712
    return list(db.exec(query.order_by(Material.id)))  # type: ignore[arg-type]


def do_add_wish(db: Session, member: Member, text: str) -> list[LoggedEvent]:
    """A member asks for an expert or a topic they miss (facilitators see it)."""
    cleaned = clean_note_text(text)
    if not cleaned:
        raise ActionError("empty")
    if len(cleaned) > 500:
        raise ActionError("too_long")
    wish = ExpertWish(
        assembly_id=member.assembly_id, member_id=member.id, text=cleaned, created_at=utcnow()
    )
    db.add(wish)
    db.flush()
    return [_programme(db, member.assembly_id, "wish", wish.id)]


# -- the room's questions ----------------------------------------------------------------------


def question_view(q: Question) -> QuestionView:
    assert q.id is not None
    return QuestionView(
        id=q.id,
        item_id=q.item_id,
        text=q.text,
        status=q.status,
        member_id=q.member_id,
        table_no=q.table_no,
        merged_into=q.merged_into,
        answer=q.answer,
        answer_public=q.answer_public,
        created_at=q.created_at.isoformat(timespec="seconds"),
        client_key=q.client_key,
    )


def _question_event(db: Session, assembly_id: int, questions: list[Question]) -> LoggedEvent:
    db.flush()
    payload = {"questions": [question_view(q).to_payload() for q in questions]}
    return record(db, assembly_id, "question", payload)


def load_programme(db: Session, assembly_id: int) -> ProgrammeRoom:
    """The live part of the programme for the room's snapshot (app.snapshot.load_room)."""
    questions = {
        q.id: question_view(q)
        for q in db.exec(select(Question).where(Question.assembly_id == assembly_id))
        if q.id is not None
    }
    upvotes: dict[int, set[int]] = {}
    if questions:
        rows = db.exec(
            select(Upvote.question_id, Upvote.member_id).where(
                Upvote.question_id.in_(list(questions))  # type: ignore[attr-defined]
            )
        )
        for question_id, member_id in rows:
            upvotes.setdefault(int(question_id), set()).add(int(member_id))
    present: dict[int, set[int]] = {}
    checkin: tuple[int | None, str | None] = (None, None)
    for session in gatherings_of(db, assembly_id):
        if session.checkin_code is not None:
            checkin = (session.id, session.checkin_code)
    for row in attendance_rows(db, assembly_id):
        if row.checked_in_at is not None and row.checked_out_at is None:
            present.setdefault(row.session_id, set()).add(row.member_id)
    return ProgrammeRoom(
        questions=questions,
        upvotes={q: frozenset(m) for q, m in upvotes.items()},
        present={g: frozenset(m) for g, m in present.items()},
        checkin_gathering=checkin[0],
        checkin_code=checkin[1],
    )


def talk_item(db: Session, assembly: Assembly) -> AgendaItem | None:
    """The item questions go to now: the current item when it is an open talk."""
    if assembly.current_item_id is None:
        return None
    item = db.get(AgendaItem, assembly.current_item_id)
    if item is None or item.kind != "talk" or item.state != "open":
        return None
    return item


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    events: list[LoggedEvent]


def do_add_question(
    db: Session, member: Member, text: str, client_key: str, table_no: int | None = None
) -> QuestionResult:
    """A member's question to the expert of the open talk. A resent ``client_key`` returns
    the stored question and changes nothing. With moderation "approve" it waits for a
    facilitator; otherwise it reaches the projector at once."""
    assert member.id is not None
    stored = db.exec(
        select(Question).where(Question.member_id == member.id, Question.client_key == client_key)
    ).first()
    if stored is not None:
        return QuestionResult(stored, [])
    assembly = db.get(Assembly, member.assembly_id)
    assert assembly is not None
    item = talk_item(db, assembly)
    if item is None:
        raise ActionError("no_talk")
    cleaned = " ".join(clean_note_text(text).split())
    if not cleaned:
        raise ActionError("empty")
    if len(cleaned) > MAX_QUESTION:
        raise ActionError("too_long")
    question = Question(
        assembly_id=member.assembly_id,
        item_id=item.id,
        member_id=member.id,
        client_key=client_key,
        text=cleaned,
        table_no=table_no,
        status="pending" if assembly.moderation == "approve" else "approved",
        created_at=utcnow(),
    )
    db.add(question)
    db.flush()
    return QuestionResult(question, [_question_event(db, member.assembly_id, [question])])


def do_upvote(db: Session, member: Member, question_id: int) -> list[LoggedEvent]:
    """One upvote per member and question: a repeat changes nothing. Only a question shown to
    the room (approved, not yet answered) can be upvoted."""
    assert member.id is not None
    question = db.get(Question, question_id)
    if question is None or question.assembly_id != member.assembly_id:
        raise ActionError("no_such_question")
    if question.status != "approved":
        raise ActionError("question_closed")
    if db.exec(
        select(Upvote.id).where(Upvote.question_id == question_id, Upvote.member_id == member.id)
    ).first():
        return []
    db.add(Upvote(question_id=question_id, member_id=member.id))
    db.flush()
    payload = {"question_id": question_id, "member_id": member.id}
    return [record(db, member.assembly_id, "upvote", payload)]


MODERATIONS = ("approve", "hide", "answered", "reopen", "park", "merge", "answer")


def _question(db: Session, assembly_id: int, question_id: int) -> Question:
    question = db.get(Question, question_id)
    if question is None or question.assembly_id != assembly_id:
        raise ActionError("no_such_question")
    return question


def do_moderate_question(
    db: Session,
    assembly: Assembly,
    question_id: int,
    action: str,
    into: int | None = None,
    answer: str = "",
    public: bool = False,
    owner: str = "",
) -> list[LoggedEvent]:
    """approve | hide | answered (in the room) | reopen | park (onto the parking lot) |
    merge (a duplicate ``into`` another question of the same talk: its upvotes count there)
    | answer (the expert's written answer, published to members, to the public if chosen)."""
    assert assembly.id is not None
    if action not in MODERATIONS:
        raise ActionError("bad_message")
    question = _question(db, assembly.id, question_id)
    now = utcnow()
    changed = [question]
    events: list[LoggedEvent] = []
    if action == "approve":
        question.status = "approved"
    elif action == "hide":
        question.status = "hidden"
    elif action == "answered":
        question.status = "answered"
    elif action == "reopen":
        question.status, question.merged_into = "approved", None
    elif action == "park":
        question.status = "parked"
        session_id = None
        if question.item_id is not None:
            item = db.get(AgendaItem, question.item_id)
            session_id = item.session_id if item else None
        parked = ParkingItem(
            assembly_id=assembly.id,
            session_id=session_id,
            question_id=question.id,
            text=question.text[:500],
            owner=" ".join(owner.split())[:120],
            created_at=now,
        )
        db.add(parked)
        db.flush()
        events.append(_programme(db, assembly.id, "parking", parked.id))
    elif action == "merge":
        if into is None or into == question.id:
            raise ActionError("bad_merge")
        target = _question(db, assembly.id, into)
        if target.item_id != question.item_id or target.status in ("merged", "hidden"):
            raise ActionError("bad_merge")
        question.status, question.merged_into = "merged", target.id
        for other in db.exec(select(Question).where(Question.merged_into == question.id)):
            other.merged_into = target.id  # what was merged into this one follows it
            db.add(other)
            changed.append(other)
        if target.status == "pending":
            target.status = "approved"
            changed.append(target)
    elif action == "answer":
        cleaned = clean_note_text(answer)
        if not cleaned:
            raise ActionError("empty")
        question.answer, question.answer_public = cleaned[:4000], public
        question.status = "answered"
    question.updated_at = now
    db.add(question)
    return [_question_event(db, assembly.id, changed), *events]


def questions_of(db: Session, assembly_id: int) -> list[Question]:
    return list(
        db.exec(
            select(Question).where(Question.assembly_id == assembly_id).order_by(Question.id)  # type: ignore[arg-type]
        )
    )


def duplicate_suggestions(
    room: ProgrammeRoom, item_id: int | None
) -> list[tuple[QuestionView, QuestionView, float]]:
    """Pairs of the talk's open questions that read alike (the grouping engine)."""
    open_ = [
        q
        for q in room.questions.values()
        if q.item_id == item_id and q.status in ("pending", "approved")
    ]
    pairs = pure.duplicate_pairs([(q.id, q.text) for q in sorted(open_, key=lambda q: q.id)])
    return [(room.questions[a], room.questions[b], s) for a, b, s in pairs]


# -- the parking lot ---------------------------------------------------------------------------


def do_add_parking(
    db: Session, assembly: Assembly, text: str, owner: str = "", session_id: int | None = None
) -> list[LoggedEvent]:
    assert assembly.id is not None
    cleaned = clean_note_text(text)
    if not cleaned:
        raise ActionError("empty")
    if session_id is not None:
        get_gathering(db, assembly.id, session_id)
    row = ParkingItem(
        assembly_id=assembly.id,
        session_id=session_id,
        text=cleaned[:500],
        owner=" ".join(owner.split())[:120],
        created_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return [_programme(db, assembly.id, "parking", row.id)]


def do_update_parking(
    db: Session, assembly: Assembly, parking_id: int, status: str, answer: str, owner: str
) -> list[LoggedEvent]:
    assert assembly.id is not None
    row = db.get(ParkingItem, parking_id)
    if row is None or row.assembly_id != assembly.id:
        raise ActionError("no_such_parking")
    if status not in ("open", "answered", "closed"):
        raise ActionError("bad_message")
    row.status = status
    row.answer = clean_note_text(answer)[:2000]
    row.owner = " ".join(owner.split())[:120]
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return [_programme(db, assembly.id, "parking", row.id)]


def parking_of(db: Session, assembly_id: int) -> list[ParkingItem]:
    return list(
        db.exec(
            select(ParkingItem)
            .where(ParkingItem.assembly_id == assembly_id)
            .order_by(ParkingItem.id)  # type: ignore[arg-type]
        )
    )
