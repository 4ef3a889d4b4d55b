"""The assembly's report: what it hands over, in Danish or English.

HTML is the primary format (one self-contained, accessible, printable file: its styles inside,
charts as inline SVG); the PDF is that HTML through WeasyPrint (tagged, PDF/UA-1, the charts
stay vector); Markdown is the same structure as text; CSV is a zip of data files.

Structure: cover and remit; the members' statement; each recommendation with its text,
rationale, support, label, minority statements and the council's response; annex on the
process (gatherings and hours, selection and fairness, the rotation's mixing, the process
log, the evaluation if public); provenance annex; every note, anonymised. No member's name,
code or attributes is read here (app/record/read.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from markupsafe import Markup
from sqlmodel import Session

from app import exports
from app.formats import long_date, percent
from app.i18n import translations
from app.models import Assembly
from app.record.read import Record, build_record
from app.templating import TEMPLATES, render_fragment
from facilitation.record import CORE_QUESTIONS, RESPONSE_WORDS

FORMATS = ("html", "pdf", "md", "csv")
LANGS = ("da", "en")
REPORT_CSS = TEMPLATES / "record" / "report.css"


def load(db: Session, assembly: Assembly, today: date) -> Record:
    return build_record(db, assembly, today, with_notes=True, with_provenance=True)


def support_text(value: float | None, lang: str) -> str:
    """ "80 %" / "72,5 %": one decimal only when there is one (as the public page shows it)."""
    if value is None:
        return ""
    return percent(value, lang, 1 if value != round(value) else 0)


def render_html(record: Record, lang: str, today: date) -> str:
    return render_fragment(
        lang,
        "record/report.html",
        record=record,
        today=today,
        css=Markup(REPORT_CSS.read_text(encoding="utf-8")),  # our own file, not user data
        support_text=lambda v: support_text(v, lang),
        response_words=RESPONSE_WORDS,
        core_questions=CORE_QUESTIONS,
    )


def render_pdf(html: str) -> bytes:
    """The HTML report as a tagged PDF (PDF/UA-1): headings, lists and tables stay structure
    for screen readers; the SVG charts stay vector."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(Path(TEMPLATES)))
    return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))


def _md(text: str) -> str:
    escaped = "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in str(text))
    return escaped.replace("\n", "  \n")


def render_markdown(record: Record, lang: str, today: date) -> str:
    _ = translations(lang).gettext
    a = record.assembly
    kind_of_report = _("Report of the citizens' assembly")
    statement_word = _("The members' statement")
    out = [f"# {_md(a.name)}", "", f"*{kind_of_report} · {long_date(today, lang)}*", ""]
    out += [f"**{_('The question the assembly answers')}:** {_md(a.remit)}", ""]
    if record.settings.commissioned_by:
        out += [f"**{_('Commissioned by')}:** {_md(record.settings.commissioned_by)}", ""]
    if record.settings.statement:
        out += [f"## {statement_word}", "", _md(record.settings.statement), ""]
    out += [f"## {_('Recommendations')}", ""]
    for rec in record.recommendations:
        out += [f"### {_md(rec.question.title)}", ""]
        if rec.question.text:
            out += [_md(rec.question.text), ""]
        if rec.rationale:
            out += [f"**{_('Why')}:** {_md(rec.rationale)}", ""]
        if rec.result is not None:
            verdict = _("Adopted") if rec.result.passed else _("Not adopted")
            support = support_text(rec.result.support_pct, lang)
            line = [
                _("%(pct)s support it") % {"pct": support} if support else _("No votes"),
                verdict,
            ]
            if rec.result.label:
                line.append(_md(rec.result.label))
            out += [" · ".join(line), ""]
            counts = ", ".join(f"{k}: {v}" for k, v in rec.result.counts.items())
            out += [f"*{counts}*", ""]
        for s in rec.statements:
            out += [f"> **{_('Minority statement')}:** {_md(s)}", ""]
        for r in rec.responses:
            status = _(RESPONSE_WORDS.get(r.status, r.status))
            out.append(
                f"- {long_date(r.responded_on, lang)}: **{status}**"
                + (f" ({_md(r.body)})" if r.body else "")
            )
            if r.justification:
                out.append(f"  {_md(r.justification)}")
        if rec.responses:
            out.append("")
    out += [f"## {_('How the assembly worked')}", ""]
    held = [g for g in record.gatherings if g.held]
    held_line = translations(lang).ngettext(
        "%(num)s gathering held, %(hours)s hours in all.",
        "%(num)s gatherings held, %(hours)s hours in all.",
        len(held),
    )
    out += [held_line % {"num": len(held), "hours": _hours(record.hours, lang)}, ""]
    for g in record.gatherings:
        mark = "" if g.held else f" ({_('planned')})"
        out.append(
            f"- {long_date(g.day, lang)}, {g.starts_at:%H.%M}–{g.ends_at:%H.%M}, "
            f"{_md(g.venue)}{mark}"
        )
    out.append("")
    if record.selection:
        sel = record.selection
        out += [
            f"### {_('How the members were selected')}",
            "",
            _("%(pool)s residents signed up; %(drawn)s were drawn by lottery.")
            % {"pool": sel.get("pool_size", 0), "drawn": sel.get("panel_size", 0)},
            "",
        ]
    if record.mixing:
        m = record.mixing
        out += [f"### {_('Who sat with whom')}", "", _mixing_line(record, lang), ""]
        del m
    out += [f"## {_('Appendix: every note, without names')}", ""]
    for n in record.notes:
        where = [n.phase] + ([f"{_('table')} {n.table_no}"] if n.table_no else [])
        out.append(f"- {_md(n.text)} ({_md(', '.join(w for w in where if w))})")
    return "\n".join(out).rstrip() + "\n"


def _hours(hours: float, lang: str) -> str:
    from app.formats import number

    return number(round(hours, 1), lang, 1 if hours != round(hours) else 0)


def _mixing_line(record: Record, lang: str) -> str:
    m = record.mixing
    if m is None:
        return ""
    return translations(lang).ngettext(
        "Over %(num)s round, each member sat with at least %(least)s of the %(others)s "
        "others (half of them with %(median)s or more); %(share)s of all pairs of members "
        "shared a table.",
        "Over %(num)s rounds, each member sat with at least %(least)s of the %(others)s "
        "others (half of them with %(median)s or more); %(share)s of all pairs of members "
        "shared a table.",
        m.rounds,
    ) % {
        "num": m.rounds,
        "least": m.least,
        "others": m.others,
        "median": _hours(m.median, lang),
        "share": percent(m.pairs_share, lang, 0),
    }


def render_csv_zip(record: Record, lang: str) -> bytes:
    """The report's data as CSV files in a zip (header words in ``lang``)."""
    _ = translations(lang).gettext
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:

        def put(name: str, header: list[str], rows: list[list[object]]) -> None:
            out = io.StringIO()
            w = exports.writer(out)
            w.writerow(header)
            w.writerows(rows)
            z.writestr(name, out.getvalue())

        put(
            "recommendations.csv",
            [
                _("id"),
                _("title"),
                _("text"),
                _("rationale"),
                _("support %"),
                _("adopted"),
                _("label"),
                _("counts"),
                _("minority statements"),
            ],
            [
                [
                    r.question.id,
                    r.question.title,
                    r.question.text,
                    r.rationale,
                    r.result.support_pct if r.result and r.result.support_pct is not None else "",
                    ("yes" if r.result.passed else "no") if r.result else "",
                    r.result.label if r.result else "",
                    "; ".join(f"{k}={v}" for k, v in (r.result.counts.items() if r.result else [])),
                    " | ".join(r.statements),
                ]
                for r in record.recommendations
            ],
        )
        put(
            "responses.csv",
            [
                _("recommendation id"),
                _("recommendation"),
                _("date"),
                _("status"),
                _("responsible body"),
                _("justification"),
                _("links"),
            ],
            [
                [
                    r.question.id,
                    r.question.title,
                    step.responded_on.isoformat(),
                    step.status,
                    step.body,
                    step.justification,
                    " ".join(step.links),
                ]
                for r in record.recommendations
                for step in r.responses
            ],
        )
        put(
            "gatherings.csv",
            [_("number"), _("date"), _("starts"), _("ends"), _("venue"), _("minutes"), _("held")],
            [
                [
                    g.number,
                    g.day.isoformat(),
                    f"{g.starts_at:%H:%M}",
                    f"{g.ends_at:%H:%M}",
                    g.venue,
                    g.minutes,
                    int(g.held),
                ]
                for g in record.gatherings
            ],
        )
        put(
            "notes.csv",
            [_("note_id"), _("note_text"), _("kind"), _("phase"), _("round"), _("table")],
            [
                [n.id, n.text, n.kind, n.phase, n.round_no or "", n.table_no or ""]
                for n in record.notes
            ],
        )
        if record.settings.evaluation_public:
            put(
                "evaluation.csv",
                [_("question"), _("answers"), "1", "2", "3", "4", "5", _("average"), _("agree %")],
                [
                    [
                        q.key,
                        q.answers,
                        *q.counts,
                        q.mean if q.mean is not None else "",
                        q.agree_pct if q.agree_pct is not None else "",
                    ]
                    for q in record.evaluation
                ],
            )
    return buffer.getvalue()


def build(db: Session, assembly: Assembly, fmt: str, lang: str, today: date) -> bytes:
    """The report in ``fmt`` (html, pdf, md, csv) and ``lang`` (da, en), as bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    record = load(db, assembly, today)
    renderers: dict[str, Callable[[], bytes]] = {
        "html": lambda: render_html(record, lang, today).encode(),
        "pdf": lambda: render_pdf(render_html(record, lang, today)),
        "md": lambda: render_markdown(record, lang, today).encode(),
        "csv": lambda: render_csv_zip(record, lang),
    }
    return renderers[fmt]()


MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "csv": "application/zip",
}
EXTENSIONS = {"html": "html", "pdf": "pdf", "md": "md", "csv": "zip"}
