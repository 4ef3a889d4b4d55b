"""Numbers, percentages, dates and times follow the viewer's language (Babel)."""

from __future__ import annotations

from datetime import date, time

from app.formats import clock, long_date, number, percent
from app.templating import environment


def test_danish_formats() -> None:
    assert number(10000, "da") == "10.000"
    assert number(0.1234, "da", 3) == "0,123"
    assert number(-0.0001, "da", 3) == "0,000"  # never "-0,000"
    assert percent(10.5, "da", 1) == "10,5 %"
    assert percent(10, "da", 2) == "10,00 %"
    assert long_date(date(2026, 11, 30), "da") == "30. november 2026"
    assert clock(time(14, 30), "da") == "kl. 14.30"


def test_english_formats() -> None:
    assert number(10000, "en") == "10,000"
    assert percent(10.5, "en", 1) == "10.5%"
    assert long_date(date(2026, 11, 30), "en") == "30 November 2026"
    assert clock(time(14, 30), "en") == "14:30"


def test_filters_take_the_language_of_the_render() -> None:
    template = environment.from_string("{{ n|number }} · {{ p|percent(1) }} · {{ d|longdate }}")
    values = {"n": 10000, "p": 10.5, "d": date(2026, 11, 30)}
    assert template.render(lang="da", **values) == "10.000 · 10,5 % · 30. november 2026"
    assert template.render(lang="en", **values) == "10,000 · 10.5% · 30 November 2026"


def test_names_sort_in_the_danish_alphabet() -> None:
    names = ["Åse B.", "Ølbye C.", "Æbelø D.", "Zenia A.", "Aage E.", "anne F."]
    template = environment.from_string("{{ names|collate|join(' | ') }}")
    assert template.render(lang="da", names=names) == (
        "anne F. | Zenia A. | Æbelø D. | Ølbye C. | Aage E. | Åse B."
    )
    pairs = environment.from_string("{% for i, n in pairs|collate(1) %}{{ i }}{% endfor %}")
    assert pairs.render(lang="da", pairs=[(1, "Ø"), (2, "A"), (3, "Å"), (4, "Z")]) == "2413"
