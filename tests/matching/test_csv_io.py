"""The engine of `connectwell pair`: CSV in, GROUPS.csv out, clear errors, nothing half written."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pytest

from connectwell.matching import (
    MatchingInputError,
    Participant,
    Rules,
    history_csv,
    pair_round,
    read_people,
    run_pair,
    verify,
)
from connectwell.matching.csv_io import read_exclusions, read_history, read_history_table

from .rosters import ROUND_DATE, demo_participants

HEADER = "id,team,manager,timezone,work_start,work_end,level,location,interests\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def demo_people_csv(path: Path, people: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.strip().split(","))
        for p in demo_participants(people, seed=21):
            writer.writerow(
                [
                    p.id,
                    p.team,
                    p.manager or "",
                    p.timezone,
                    p.work_start.strftime("%H:%M"),
                    p.work_end.strftime("%H:%M"),
                    p.level,
                    p.location,
                    ";".join(sorted(p.interests)),
                ]
            )
    return path


def read_groups(path: Path) -> list[tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            groups.setdefault(row["group"], []).append(row["person"])
    return [tuple(g) for g in groups.values()]


def test_it_pairs_a_csv_roster_and_writes_groups_with_a_summary(tmp_path: Path) -> None:
    people_csv = demo_people_csv(tmp_path / "people.csv", 301)
    out = tmp_path / "groups.csv"
    summary = run_pair(people_csv, out, seed=4, today=ROUND_DATE)
    people = read_people(people_csv)
    rules = Rules(reference_date=ROUND_DATE)
    report = verify(read_groups(out), people, rules=rules)
    assert report.sizes == {2: 149, 3: 1}
    assert summary.people == 301 and summary.groups == 150
    text = "\n".join(summary.lines())
    for words in ("people: 301", "groups: 150", "repeats within 26 weeks: 0", "same-team pairs: 0"):
        assert words in text
    assert "certified upper bound" in text and "seconds:" in text


def test_history_and_exclusions_are_respected_and_repeats_reported_with_their_age(
    tmp_path: Path,
) -> None:
    people_csv = write(
        tmp_path / "people.csv", "id,team\n" + "".join(f"p{k},t{k}\n" for k in range(4))
    )
    week_ago = (ROUND_DATE - dt.timedelta(weeks=1)).isoformat()
    long_ago = (ROUND_DATE - dt.timedelta(weeks=10)).isoformat()
    history = write(
        tmp_path / "history.csv",
        "date,group,person\n"
        + f"{week_ago},1,p0\n{week_ago},1,p1\n{week_ago},2,p2\n{week_ago},2,p3\n"
        + f"{long_ago},1,p0\n{long_ago},1,p2\n{long_ago},2,p1\n{long_ago},2,p3\n",
    )
    exclusions = write(tmp_path / "excl.csv", "person_a,person_b\np0,p3\n")
    out = tmp_path / "groups.csv"
    summary = run_pair(
        people_csv, out, history_path=history, exclusions_path=exclusions, today=ROUND_DATE
    )
    people = read_people(people_csv)
    past = read_history(history, {p.id for p in people})
    excl = read_exclusions(exclusions, {p.id for p in people})
    report = verify(read_groups(out), people, history=past, exclusions=excl)
    assert set(map(frozenset, read_groups(out))) == {
        frozenset({"p0", "p2"}),
        frozenset({"p1", "p3"}),
    }
    assert report.repeats == summary.repeats == 2
    assert "repeats within 26 weeks: 2 (met 10.0 to 10.0 weeks ago)" in summary.lines()


@pytest.mark.parametrize(
    ("people", "history", "exclusions", "where"),
    [
        ("", None, None, "people.csv: empty file"),
        ("id,team\n", None, None, "people.csv: empty file: no people"),
        ("name,team\na,t\n", None, None, "people.csv, row 1, field 'id': missing column"),
        ("id,team\na,t\nb,t\na,u\n", None, None, "people.csv, row 4, field 'id': duplicate id 'a'"),
        ("id,team\na,\n", None, None, "people.csv, row 2, field 'team'"),
        (
            "id,team,timezone\na,t,Europe/London\nb,t,Mars/Olympus\n",
            None,
            None,
            "people.csv, row 3, field 'timezone': unknown time zone 'Mars/Olympus'",
        ),
        ("id,team,level\na,t,senior\n", None, None, "people.csv, row 2, field 'level'"),
        ("id,team,work_start\na,t,9am\n", None, None, "people.csv, row 2, field 'work_start'"),
        (
            "id,team\na,t\nb,u\n",
            "date,group,person\n2024-12-30,1,a\n2024-12-30,1,zed\n",
            None,
            "history.csv, row 3, field 'person': unknown person 'zed'",
        ),
        (
            "id,team\na,t\nb,u\n",
            "date,group,person\n30/12/2024,1,a\n",
            None,
            "history.csv, row 2, field 'date'",
        ),
        ("id,team\na,t\nb,u\n", "date,person\n", None, "history.csv, row 1, field 'group'"),
        (
            "id,team\na,t\nb,u\n",
            None,
            "person_a,person_b\na,b\nb,nobody\n",
            "excl.csv, row 3, field 'person_b': unknown person 'nobody'",
        ),
    ],
)
def test_bad_input_names_file_row_and_field_and_writes_nothing(
    tmp_path: Path, people: str, history: str | None, exclusions: str | None, where: str
) -> None:
    out = write(tmp_path / "groups.csv", "previous,content\n")
    people_csv = write(tmp_path / "people.csv", people)
    history_csv = write(tmp_path / "history.csv", history) if history is not None else None
    excl_csv = write(tmp_path / "excl.csv", exclusions) if exclusions is not None else None
    with pytest.raises(MatchingInputError) as error:
        run_pair(
            people_csv,
            out,
            history_path=history_csv,
            exclusions_path=excl_csv,
            today=ROUND_DATE,
        )
    assert str(error.value).startswith(where)
    assert out.read_text(encoding="utf-8") == "previous,content\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    # The verifier rejects what the command refused to produce: nothing at all.
    with pytest.raises(AssertionError):
        verify([], [*demo_participants(4)], strict=True)


def test_a_group_size_out_of_range_is_an_error_naming_the_rule(tmp_path: Path) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,t\nb,u\n")
    with pytest.raises(MatchingInputError, match="rules, field 'group_size'"):
        run_pair(people_csv, tmp_path / "groups.csv", group_size=7, today=ROUND_DATE)
    assert not (tmp_path / "groups.csv").exists()
    verify([("a", "b")], read_people(people_csv))


def history_rows(people: int, weeks: int, seed: int) -> list[tuple[str, str, str]]:
    """(date, group, person) rows of weekly random pairs among p0 .. p{people - 1}."""
    rng = random.Random(seed)
    rows = []
    for week in range(1, weeks + 1):
        date = (ROUND_DATE - dt.timedelta(weeks=week)).isoformat()
        order = [f"p{k}" for k in range(people)]
        rng.shuffle(order)
        for k in range(0, people - 1, 2):
            rows += [(date, f"g{week}-{k}", order[k]), (date, f"g{week}-{k}", order[k + 1])]
    return rows


def row_by_row(path: Path, since: dt.date) -> set[tuple[dt.date, frozenset[str]]]:
    """The groups of a HISTORY.csv after ``since``, read with csv.DictReader as a reference."""
    groups: dict[tuple[str, str], set[str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if not any((cell or "").strip() for cell in row.values()):
                continue
            date = dt.date.fromisoformat(row["date"].strip())
            if date > since:
                key = (date.isoformat(), row["group"].strip())
                groups.setdefault(key, set()).add(row["person"].strip())
    return {(dt.date.fromisoformat(d), frozenset(m)) for (d, _), m in groups.items()}


SINCE = ROUND_DATE - dt.timedelta(weeks=5)
PLAIN = "".join(f"{d},{g},{p}\n" for d, g, p in history_rows(40, weeks=8, seed=3))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(PLAIN, id="plain"),
        pytest.param(PLAIN.replace("\n", "\r\n"), id="windows-line-ends"),
        pytest.param(PLAIN, id="byte-order-mark"),
        pytest.param(PLAIN.rstrip("\n"), id="no-final-line-end"),
        pytest.param(PLAIN.replace(",p1\n", ", p1 \n"), id="blanks-around-cells"),
        pytest.param(PLAIN.replace(",g2-", ',"g2-'), id="quotes-halfway"),
        pytest.param(PLAIN.replace(",p7\n", ",p7\n\n"), id="blank-lines"),
        pytest.param(PLAIN.replace(",p3\n", ",p3\r\n"), id="mixed-line-ends"),
        pytest.param(
            "".join(f"{d},{g},{p}\n" for d, g, p in sorted(history_rows(40, 8, 3))),
            id="groups-not-on-consecutive-lines",
        ),
    ],
)
@pytest.mark.parametrize("chunk_bytes", [64, 1000, 1 << 18])
def test_the_block_reader_of_history_reads_what_the_csv_module_reads(
    tmp_path: Path, body: str, chunk_bytes: int, request: pytest.FixtureRequest
) -> None:
    people = [f"p{k}" for k in range(40)]
    path = write(tmp_path / "history.csv", "date,group,person\n" + body)
    if "byte-order-mark" in request.node.name:
        path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
    table = read_history_table(path, people, SINCE, chunk_bytes=chunk_bytes)
    expected = row_by_row(path, SINCE)
    assert {(g.date, frozenset(g.members)) for g in table.groups()} == expected
    assert len(table) == len(expected) == 4 * 20
    participants = [Participant(pid, team=pid) for pid in people]
    rules = Rules(reference_date=ROUND_DATE)
    result = pair_round(participants, history=table, rules=rules, seed=2)
    assert verify(result, participants, history=table, rules=rules).repeats == 0


def test_history_columns_may_come_in_any_order(tmp_path: Path) -> None:
    rows = history_rows(10, weeks=2, seed=1)
    path = write(
        tmp_path / "history.csv",
        "person,note,date,group\n" + "".join(f"{p},x,{d},{g}\n" for d, g, p in rows),
    )
    people = [f"p{k}" for k in range(10)]
    table = read_history_table(path, people, None, chunk_bytes=64)
    assert len(table) == 10 and len(table.person) == 20
    verify([("p0", "p1")], [Participant(p, team=p) for p in ("p0", "p1")], history=table)


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("2024-12-30,g9,nobody", "row 300, field 'person': unknown person 'nobody'"),
        ("30/12/2024,g9,p1", "row 300, field 'date': '30/12/2024' is not a date"),
        ("2024-12-30,,p1", "row 300, field 'group': empty group"),
        ("2024-12-30,g1-0,p1,extra", "row 300: 4 cells for 3 columns"),
        # A lone carriage return ends a row for the csv module: the person is missing.
        ("2024-12-30,g9\r,p1", "row 300, field 'person': unknown person ''"),
    ],
)
@pytest.mark.parametrize("chunk_bytes", [64, 1 << 18])
def test_a_bad_history_row_in_any_block_is_named_by_its_line(
    tmp_path: Path, line: str, where: str, chunk_bytes: int
) -> None:
    rows = [f"{d},{g},{p}\n" for d, g, p in history_rows(40, weeks=8, seed=3)]
    rows.insert(298, line + "\n")  # line 300 of the file, after the header and 298 rows
    path = write(tmp_path / "history.csv", "date,group,person\n" + "".join(rows))
    people = [f"p{k}" for k in range(40)]
    with pytest.raises(MatchingInputError) as error:
        read_history_table(path, people, SINCE, chunk_bytes=chunk_bytes)
    assert str(error.value).startswith(f"history.csv, {where}")
    verify([], [], history=[])


def test_a_person_twice_in_one_group_is_named_by_the_line_of_the_second(tmp_path: Path) -> None:
    rows = [f"{d},{g},{p}\n" for d, g, p in history_rows(40, weeks=2, seed=3)]
    date, group, person = rows[10].strip().split(",")
    rows.insert(50, f"{date},{group},{person}\n")  # line 52
    path = write(tmp_path / "history.csv", "date,group,person\n" + "".join(rows))
    people = [f"p{k}" for k in range(40)]
    for chunk_bytes in (64, 1 << 18):
        with pytest.raises(MatchingInputError) as error:
            read_history_table(path, people, SINCE, chunk_bytes=chunk_bytes)
        assert (
            str(error.value)
            == f"history.csv, row 52, field 'person': {person!r} twice in one group"
        )
    verify([], [], history=[])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(PLAIN, id="plain"),
        pytest.param(PLAIN.replace("\n", "\r\n"), id="windows-line-ends"),
        pytest.param(PLAIN.rstrip("\n"), id="no-final-line-end"),
        pytest.param(PLAIN.replace(",p1\n", ", p1 \n"), id="blanks-around-cells"),
    ],
)
def test_a_plain_history_file_never_needs_the_row_by_row_reader(
    tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("read row by row")

    monkeypatch.setattr(history_csv._HistoryColumns, "exact_rows", refuse)
    path = write(tmp_path / "history.csv", "date,group,person\n" + body)
    people = [f"p{k}" for k in range(40)]
    table = read_history_table(path, people, SINCE, chunk_bytes=100)
    assert {(g.date, frozenset(g.members)) for g in table.groups()} == row_by_row(path, SINCE)
    verify([], [], history=table.groups())


def test_it_keeps_every_reader_importable_from_csv_io_after_the_split() -> None:
    from connectwell.matching import csv_io, csv_tables

    assert csv_io.read_history_table is history_csv.read_history_table
    assert csv_io.read_history is history_csv.read_history
    assert csv_io.HISTORY_COLUMNS == ("date", "group", "person")
    assert csv_io.CHUNK_BYTES == history_csv.CHUNK_BYTES
    for name in csv_io.__all__:
        assert hasattr(csv_io, name), name
    assert csv_tables.Row == tuple[int, list[str]]


def test_it_names_the_file_and_line_of_a_row_with_too_many_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "excl.csv", "person_a,person_b\nx,y\nx,y,z\n")
    with pytest.raises(MatchingInputError) as caught:
        read_exclusions(path, {"x", "y"})
    assert (caught.value.file, caught.value.row) == ("excl.csv", 3)
    assert "3 cells for 2 columns" in str(caught.value)
