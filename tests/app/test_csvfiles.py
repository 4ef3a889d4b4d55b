import pytest

from app.csvfiles import CsvError, decode, parse_csv


def test_semicolon_and_bom() -> None:
    table = parse_csv(decode("\ufeffid;name;gender\n1;Anna;kvinde\n2;Bo;mand\n".encode()))
    assert table.columns == ["id", "name", "gender"]
    assert [r["name"] for r in table.rows] == ["Anna", "Bo"]
    assert table.rows[1].line == 3


def test_comma_and_quoted_fields() -> None:
    table = parse_csv('id,name,area\n1,"Hansen, Anna",by\n\n')
    assert table.rows[0]["name"] == "Hansen, Anna"
    assert len(table.rows) == 1


def test_bad_rows_are_all_named() -> None:
    with pytest.raises(CsvError) as info:
        parse_csv("id,name\n1,A\n2\n3,C,extra\n")
    assert info.value.problems == [
        "line 3: expected 2 fields, found 1",
        "line 4: expected 2 fields, found 3",
    ]


def test_not_utf8_and_empty() -> None:
    with pytest.raises(CsvError, match="UTF-8"):
        decode("id;navn\n1;Søren".encode("latin-1"))
    with pytest.raises(CsvError, match="empty"):
        parse_csv("  \n")
    with pytest.raises(CsvError, match="duplicate"):
        parse_csv("id,id\n1,2\n")
