"""The engine of `connectwell pair`: CSV in, GROUPS.csv out, clear errors, nothing half written."""

from __future__ import annotations

import csv
import datetime as dt
import os
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
from connectwell.matching import people_csv as people_reader
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


def test_it_pairs_a_csv_roster_and_writes_groups_with_a_plain_summary(tmp_path: Path) -> None:
    people_csv = demo_people_csv(tmp_path / "people.csv", 301)
    out = tmp_path / "groups.csv"
    summary = run_pair(people_csv, out, seed=4, today=ROUND_DATE)
    people = read_people(people_csv)
    rules = Rules(reference_date=ROUND_DATE)
    report = verify(read_groups(out), people, rules=rules)
    assert report.sizes == {2: 149, 3: 1}
    assert summary.people == 301 and summary.groups == 150
    lines = summary.lines()
    assert lines[0] == "Round of 2025-01-06: 301 people in 150 groups: 149 pairs and 1 trio."
    assert lines[1].startswith("One trio because 301 is odd: ")
    text = "\n".join(lines)
    for words in (
        "Repeats: none; no pair met in the 26 weeks before the round.",
        "Same team: no pair.",
        "Shared hours: every pair shares at least 1 working hour.",
        "% of the best possible.",  # over all pairs: a bound the optimum cannot exceed
        f"Wrote {out}.",
    ):
        assert words in text
    assert "Quality: at least 99." in text
    # Raw weights and timings only when asked for.
    assert "weight" not in text.lower() and "seconds" not in text.lower()
    verbose = "\n".join(summary.lines(verbose=True))
    assert f"pair matching {summary.matching_weight:,} of an upper bound" in verbose
    assert "Seconds: " in verbose


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
    assert (
        "Repeats: 2 pairs met in the 26 weeks before the round (10.0 to 10.0 weeks ago): "
        "there was no better choice."
    ) in summary.lines()


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
            "id,team,timezone\na,t,UTC\nb,u\n",
            None,
            None,
            "people.csv, row 3: 2 cells for 3 columns",
        ),
        (
            "id,team\na,t\nb,u\n",
            "date,group,person\n2024-12-30,1,a\n2024-12-30,1\n",
            None,
            "history.csv, row 3: 2 cells for 3 columns",
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
            if since < date < ROUND_DATE and row["person"].strip() in PEOPLE_40:
                key = (date.isoformat(), row["group"].strip())
                groups.setdefault(key, set()).add(row["person"].strip())
    return {(dt.date.fromisoformat(d), frozenset(m)) for (d, _), m in groups.items()}


SINCE = ROUND_DATE - dt.timedelta(weeks=5)
PEOPLE_40 = [f"p{k}" for k in range(40)]
PLAIN = "".join(f"{d},{g},{p}\n" for d, g, p in history_rows(40, weeks=8, seed=3))
BODIES = [
    pytest.param(PLAIN, id="plain"),
    pytest.param(PLAIN.replace("\n", "\r\n"), id="windows-line-ends"),
    pytest.param("\ufeff" + PLAIN, id="byte-order-mark"),
    pytest.param(PLAIN.rstrip("\n"), id="no-final-line-end"),
    pytest.param(PLAIN.replace(",p1\n", ", p1 \n"), id="blanks-around-cells"),
    pytest.param(PLAIN.replace(",g2-", ',"g2-'), id="quotes-halfway"),
    pytest.param(PLAIN.replace(",p7\n", ",p7\n\n"), id="blank-lines"),
    pytest.param(PLAIN.replace(",p7\n", ",p7\n , , \n"), id="rows-of-blank-cells"),
    pytest.param(PLAIN.replace(",p3\n", ",p3\r\n"), id="mixed-line-ends"),
    pytest.param(PLAIN.replace(",p5\n", ",p5\n2024-12-02,gone,leaver\n"), id="leavers"),
    pytest.param(PLAIN + "2025-01-06,today,p1\n2025-02-03,later,p2\n", id="dated-after-the-round"),
    pytest.param(
        "".join(f"{d},{g},{p}\n" for d, g, p in sorted(history_rows(40, 8, 3))),
        id="groups-not-on-consecutive-lines",
    ),
]


def header_and(body: str) -> str:
    """The header, before a byte-order mark's place at the start of the file."""
    if body.startswith("\ufeff"):
        return "\ufeffdate,group,person\n" + body[1:]
    return "date,group,person\n" + body


@pytest.mark.parametrize("body", BODIES)
def test_the_pyarrow_reading_of_history_reads_what_the_csv_module_reads(
    tmp_path: Path, body: str
) -> None:
    path = write(tmp_path / "history.csv", header_and(body))
    fast = history_csv.read_history_file(path, PEOPLE_40, SINCE, ROUND_DATE)
    exact = history_csv._read_row_by_row(path, (0, 1, 2), PEOPLE_40, SINCE, ROUND_DATE, False)
    expected = row_by_row(path, SINCE)
    for reading in (fast, exact):
        assert {(g.date, frozenset(g.members)) for g in reading.table.groups()} == expected
    assert len(expected) == 4 * 20
    assert (fast.rows, fast.skipped_rows, fast.skipped_people, fast.later_rows) == (
        exact.rows,
        exact.skipped_rows,
        exact.skipped_people,
        exact.later_rows,
    )
    participants = [Participant(pid, team=pid) for pid in PEOPLE_40]
    rules = Rules(reference_date=ROUND_DATE)
    result = pair_round(participants, history=fast.table, rules=rules, seed=2)
    assert verify(result, participants, history=fast.table, rules=rules).repeats == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(PLAIN, id="plain"),
        pytest.param(PLAIN.replace("\n", "\r\n"), id="windows-line-ends"),
        pytest.param(PLAIN.rstrip("\n"), id="no-final-line-end"),
        pytest.param(PLAIN.replace(",p1\n", ", p1 \n"), id="blanks-around-cells"),
        pytest.param(PLAIN.replace(",g2-", ',"g2-'), id="quotes"),
        pytest.param(PLAIN.replace(",p5\n", ",p5\n2024-12-02,gone,leaver\n"), id="leavers"),
    ],
)
def test_a_plain_history_file_never_needs_the_row_by_row_reader(
    tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("read row by row")

    monkeypatch.setattr(history_csv, "_read_row_by_row", refuse)
    path = write(tmp_path / "history.csv", "date,group,person\n" + body)
    table = read_history_table(path, PEOPLE_40, SINCE, ROUND_DATE)
    assert {(g.date, frozenset(g.members)) for g in table.groups()} == row_by_row(path, SINCE)
    verify([], [], history=table.groups())


def test_history_columns_may_come_in_any_order(tmp_path: Path) -> None:
    rows = history_rows(10, weeks=2, seed=1)
    path = write(
        tmp_path / "history.csv",
        "person,note,date,group\n" + "".join(f"{p},x,{d},{g}\n" for d, g, p in rows),
    )
    people = [f"p{k}" for k in range(10)]
    table = read_history_table(path, people, None)
    assert len(table) == 10 and len(table.person) == 20
    verify([("p0", "p1")], [Participant(p, team=p) for p in ("p0", "p1")], history=table)


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("30/12/2024,g9,p1", "row 300, field 'date': '30/12/2024' is not a date"),
        (",g9,p1", "row 300, field 'date': '' is not a date"),
        ("2024-12-30,,p1", "row 300, field 'group': empty group"),
        ("2024-12-30,g9,", "row 300, field 'person': empty person"),
        ("2024-12-30,g1-0,p1,extra", "row 300: 4 cells for 3 columns"),
        # A short row is an error, not a row padded into "unknown person ''".
        ("2024-12-30,g9", "row 300: 2 cells for 3 columns"),
        # A lone carriage return ends a row for the csv module: the person is missing.
        ("2024-12-30,g9\r,p1", "row 300: 2 cells for 3 columns"),
    ],
)
def test_a_bad_history_row_is_named_by_its_line(tmp_path: Path, line: str, where: str) -> None:
    rows = [f"{d},{g},{p}\n" for d, g, p in history_rows(40, weeks=8, seed=3)]
    rows.insert(298, line + "\n")  # line 300 of the file, after the header and 298 rows
    path = write(tmp_path / "history.csv", "date,group,person\n" + "".join(rows))
    with pytest.raises(MatchingInputError) as error:
        read_history_table(path, PEOPLE_40, SINCE, ROUND_DATE)
    assert str(error.value).startswith(f"history.csv, {where}")
    verify([], [], history=[])


def test_the_line_of_a_bad_row_counts_blank_lines_and_cells_over_two_lines(
    tmp_path: Path,
) -> None:
    body = '2024-12-30,"two\nlines",p1\n\n2024-12-30,g2,p2\n2024-12-30,,p3\n'
    path = write(tmp_path / "history.csv", "date,group,person\n" + body)
    with pytest.raises(MatchingInputError, match=r"^history.csv, row 6, field 'group'"):
        read_history_table(path, PEOPLE_40, SINCE, ROUND_DATE)
    verify([], [], history=[])


def test_a_person_twice_in_one_group_is_named_by_the_line_of_the_second(tmp_path: Path) -> None:
    rows = [f"{d},{g},{p}\n" for d, g, p in history_rows(40, weeks=2, seed=3)]
    date, group, person = rows[10].strip().split(",")
    rows.insert(50, f"{date},{group},{person}\n")  # line 52
    path = write(tmp_path / "history.csv", "date,group,person\n" + "".join(rows))
    with pytest.raises(MatchingInputError) as error:
        read_history_table(path, PEOPLE_40, SINCE, ROUND_DATE)
    assert str(error.value) == f"history.csv, row 52, field 'person': {person!r} twice in one group"
    verify([], [], history=[])


def leavers_history(tmp_path: Path) -> Path:
    week_ago = (ROUND_DATE - dt.timedelta(weeks=1)).isoformat()
    return write(
        tmp_path / "history.csv",
        "date,group,person\n"
        + f"{week_ago},1,p0\n{week_ago},1,p1\n{week_ago},1,gone1\n"
        + f"{week_ago},2,p2\n{week_ago},2,gone2\n{week_ago},3,gone3\n{week_ago},3,gone1\n",
    )


def test_history_rows_of_people_no_longer_in_the_roster_are_skipped_and_counted(
    tmp_path: Path,
) -> None:
    people_csv = write(
        tmp_path / "people.csv", "id,team\n" + "".join(f"p{k},t{k}\n" for k in range(4))
    )
    out = tmp_path / "groups.csv"
    summary = run_pair(people_csv, out, history_path=leavers_history(tmp_path), today=ROUND_DATE)
    groups = read_groups(out)
    # The others of a group with a leaver still met: p0 and p1 are not paired again.
    assert frozenset({"p0", "p1"}) not in set(map(frozenset, groups))
    history = read_history(tmp_path / "history.csv", {f"p{k}" for k in range(4)})
    assert verify(groups, read_people(people_csv), history=history).repeats == 0
    assert (summary.history_skipped_rows, summary.history_skipped_people) == (
        4,
        ("gone1", "gone2", "gone3"),
    )
    assert (
        "History: 7 rows read; skipped 4 history rows of 3 people no longer in people.csv "
        "(gone1, gone2, gone3)."
    ) in summary.lines()


def test_strict_history_refuses_a_person_not_in_the_roster_naming_the_row(
    tmp_path: Path,
) -> None:
    people_csv = write(
        tmp_path / "people.csv", "id,team\n" + "".join(f"p{k},t{k}\n" for k in range(4))
    )
    out = tmp_path / "groups.csv"
    with pytest.raises(MatchingInputError) as error:
        run_pair(
            people_csv,
            out,
            history_path=leavers_history(tmp_path),
            today=ROUND_DATE,
            strict_history=True,
        )
    assert str(error.value) == (
        "history.csv, row 4, field 'person': unknown person 'gone1': not in the people file"
    )
    assert not out.exists()
    verify([("p0", "p1")], read_people(people_csv)[:2])


def met_on(tmp_path: Path, day: dt.date) -> Path:
    return write(tmp_path / "history.csv", f"date,group,person\n{day},1,a\n{day},1,b\n")


@pytest.mark.parametrize(
    ("days_before", "repeats"),
    [(26 * 7 - 1, 1), (26 * 7, 0), (0, 0), (-7, 0)],
    ids=["a-day-inside-the-window", "exactly-26-weeks", "on-the-round-date", "a-week-after"],
)
def test_the_round_date_counts_history_back_and_a_pair_that_met_exactly_n_weeks_ago_may_meet(
    tmp_path: Path, days_before: int, repeats: int
) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,x\nb,y\n")
    round_date = dt.date(2026, 6, 1)
    history = met_on(tmp_path, round_date - dt.timedelta(days=days_before))
    out = tmp_path / "groups.csv"
    summary = run_pair(people_csv, out, history_path=history, today=round_date)
    past = read_history(history, {"a", "b"}, until=round_date)
    rules = Rules(reference_date=round_date)
    report = verify(read_groups(out), read_people(people_csv), history=past, rules=rules)
    assert summary.repeats == report.repeats == repeats
    assert summary.round_date == round_date
    assert summary.lines()[0].startswith("Round of 2026-06-01:")


def test_history_dated_on_or_after_the_round_is_not_counted_so_an_old_round_can_be_replayed(
    tmp_path: Path,
) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,x\nb,y\n")
    first = dt.date(2026, 6, 1)
    history = met_on(tmp_path, first)
    replay = run_pair(people_csv, tmp_path / "replay.csv", history_path=history, today=first)
    week = first + dt.timedelta(weeks=1)
    later = run_pair(people_csv, tmp_path / "later.csv", history_path=history, today=week)
    assert (replay.repeats, replay.history_later_rows) == (0, 2)
    assert "2 rows dated on or after 2026-06-01 not counted" in " ".join(replay.lines())
    assert (later.repeats, later.history_later_rows) == (1, 0)
    past = read_history(history, {"a", "b"})
    rules = Rules(reference_date=week)
    report = verify(
        read_groups(tmp_path / "later.csv"), read_people(people_csv), history=past, rules=rules
    )
    assert report.repeats == 1


def test_a_bad_people_row_is_named_by_its_line_after_blank_lines_and_quoted_line_ends(
    tmp_path: Path,
) -> None:
    text = 'id,team,location\na,x,"two\nlines"\n\n , , \nb,y,\nc,z,\nd,,\n'
    people_csv = write(tmp_path / "people.csv", text)
    with pytest.raises(MatchingInputError, match=r"^people.csv, row 8, field 'team'"):
        read_people(people_csv)
    good = write(tmp_path / "good.csv", text.replace("d,,", "d,w,"))
    assert [(p.id, p.location) for p in read_people(good)] == [
        ("a", "two\nlines"),
        ("b", None),
        ("c", None),
        ("d", None),
    ]
    verify([("a", "b"), ("c", "d")], read_people(good))


def test_people_read_with_pyarrow_are_those_of_the_csv_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people_csv = demo_people_csv(tmp_path / "people.csv", 200)
    with monkeypatch.context() as patch:

        def refuse(*args: object) -> None:
            raise AssertionError("read row by row")

        patch.setattr(people_reader, "_people", refuse)  # a plain file never needs the csv module
        fast = read_people(people_csv)
    monkeypatch.setattr(people_reader, "arrow_columns", lambda *args, **kwargs: None)
    assert read_people(people_csv) == fast
    assert len(fast) == 200 and fast[0].interests
    verify([tuple(p.id for p in fast)[:2]], fast[:2])


@pytest.mark.parametrize("plain", [True, False], ids=["pyarrow", "csv-module"])
def test_a_roster_larger_than_max_people_is_refused_while_it_is_read(
    tmp_path: Path, plain: bool
) -> None:
    rows = "".join(f"p{k},t{k % 7}\n" for k in range(5000))
    if not plain:
        rows = 'q,"a team\nover two lines"\n' + rows
    people_csv = write(tmp_path / "people.csv", "id,team\n" + rows)
    out = tmp_path / "groups.csv"
    with pytest.raises(MatchingInputError) as error:
        run_pair(people_csv, out, max_people=1000, today=ROUND_DATE)
    assert str(error.value) == (
        "people.csv: more than 1,000 people (the limit of --max-people): is this the right "
        "file? If it is, raise the limit"
    )
    assert not out.exists()
    assert len(read_people(people_csv, max_people=None)) == 5000 + (not plain)
    verify([("p0", "p1")], read_people(people_csv)[:2] if plain else read_people(people_csv)[1:3])


def test_a_missing_output_folder_is_named_before_anything_is_read(tmp_path: Path) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,x\nb,y\n")
    out = tmp_path / "nowhere" / "groups.csv"
    with pytest.raises(MatchingInputError) as error:
        run_pair(people_csv, out, today=ROUND_DATE)
    assert str(error.value) == f"{out}: the folder '{tmp_path / 'nowhere'}' does not exist"
    assert list(tmp_path.iterdir()) == [people_csv]
    verify([("a", "b")], read_people(people_csv))


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_groups_csv_is_created_with_the_mode_the_umask_gives(
    tmp_path: Path, umask: int, mode: int
) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,x\nb,y\n")
    out = tmp_path / "groups.csv"
    previous = os.umask(umask)
    try:
        run_pair(people_csv, out, today=ROUND_DATE)
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == mode
    # A file written over keeps its mode.
    out.chmod(0o640)
    run_pair(people_csv, out, today=ROUND_DATE)
    assert out.stat().st_mode & 0o777 == 0o640
    verify(read_groups(out), read_people(people_csv))


@pytest.mark.parametrize("option", ["--people", "--history", "--exclusions"])
@pytest.mark.parametrize("how", ["same-path", "other-spelling", "hard-link"])
def test_the_output_may_not_be_an_input_file(tmp_path: Path, option: str, how: str) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,x\nb,y\nc,z\nd,w\n")
    history = write(tmp_path / "history.csv", "date,group,person\n2024-12-30,1,a\n")
    exclusions = write(tmp_path / "excl.csv", "person_a,person_b\na,b\n")
    target = {"--people": people_csv, "--history": history, "--exclusions": exclusions}[option]
    before = target.read_bytes()
    if how == "same-path":
        out = target
    elif how == "other-spelling":
        out = tmp_path / "sub" / ".." / target.name
        (tmp_path / "sub").mkdir()
    else:
        out = tmp_path / "link.csv"
        os.link(target, out)
    with pytest.raises(MatchingInputError) as error:
        run_pair(
            people_csv,
            out,
            history_path=history,
            exclusions_path=exclusions,
            today=ROUND_DATE,
        )
    assert str(error.value) == f"{out}: is the {option} file: write the groups to another file"
    assert target.read_bytes() == before
    verify([("a", "c"), ("b", "d")], read_people(people_csv), exclusions=[("a", "b")])


def test_overnight_working_hours_are_allowed_and_said_in_the_summary(tmp_path: Path) -> None:
    people_csv = write(
        tmp_path / "people.csv",
        "id,team,work_start,work_end\nowl,x,17:00,09:00\nbat,y,22:00,06:00\nday,z,09:00,17:00\n"
        "lark,w,06:00,14:00\n",
    )
    out = tmp_path / "groups.csv"
    summary = run_pair(people_csv, out, today=ROUND_DATE)
    people = read_people(people_csv)
    assert people[0].work_start == dt.time(17) and people[0].work_end == dt.time(9)
    report = verify(read_groups(out), people, rules=Rules(reference_date=ROUND_DATE))
    assert summary.overnight == ("owl", "bat")
    assert (
        "Overnight: owl, bat work past midnight (their working hours end before they start)."
    ) in summary.lines()
    assert report.pairs_without_shared_hours == summary.pairs_without_shared_hours


def test_one_person_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\nsolo,x\n")
    out = tmp_path / "groups.csv"
    with pytest.raises(MatchingInputError) as error:
        run_pair(people_csv, out, today=ROUND_DATE)
    assert str(error.value) == (
        "people.csv: only one person ('solo'): a round needs at least two people"
    )
    assert not out.exists()
    verify([("solo",)], read_people(people_csv))


def test_three_people_in_pairs_mode_are_the_only_possible_grouping_not_a_ratio(
    tmp_path: Path,
) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,x\nb,y\nc,z\n")
    summary = run_pair(people_csv, tmp_path / "groups.csv", today=ROUND_DATE)
    text = "\n".join(summary.lines())
    assert "Quality: the only possible grouping (everyone in one group)." in text
    assert "ratio" not in text and "%" not in text and summary.quality is None
    assert summary.lines()[0] == "Round of 2025-01-06: 3 people in 1 group: 1 trio."
    verify(read_groups(tmp_path / "groups.csv"), read_people(people_csv))


def test_a_person_who_can_meet_nobody_is_named(tmp_path: Path) -> None:
    rows = "".join(f"p{k},t{k},Europe/Berlin\n" for k in range(6))
    people_csv = write(
        tmp_path / "people.csv", "id,team,timezone\n" + rows + "kiri,t9,Pacific/Kiritimati\n"
    )
    summary = run_pair(people_csv, tmp_path / "groups.csv", today=ROUND_DATE)
    people = read_people(people_csv)
    report = verify(
        read_groups(tmp_path / "groups.csv"), people, rules=Rules(reference_date=ROUND_DATE)
    )
    text = "\n".join(summary.lines())
    assert summary.cannot_meet == ("kiri",)
    assert "Can meet nobody: kiri (no one else shares 1 working hour with them" in text
    assert report.pairs_without_shared_hours == summary.pairs_without_shared_hours == 2
    assert "Shared hours: 2 pairs share less than 1 working hour: " in text and "kiri" in text


def test_groups_of_three_say_how_the_remainder_was_placed_and_their_share_of_the_best(
    tmp_path: Path,
) -> None:
    people_csv = demo_people_csv(tmp_path / "people.csv", 500)
    summary = run_pair(people_csv, tmp_path / "groups.csv", group_size=3, today=ROUND_DATE)
    text = "\n".join(summary.lines())

    assert summary.sizes == {3: 166, 2: 1}
    assert (
        "Sizes: 500 people in groups of 3: 166 groups of 3 and one group of 2 "
        "(500 is not a multiple of 3)." in text
    )
    assert summary.quality is not None and 0.9 < summary.quality <= 1
    assert "% of the best possible." in text and "candidate graph" not in text
    verify(read_groups(tmp_path / "groups.csv"), read_people(people_csv))


def test_a_split_the_exclusions_force_is_said_naming_the_people(tmp_path: Path) -> None:
    people_csv = write(tmp_path / "people.csv", "id,team\na,w\nb,x\nc,y\nd,z\n")
    exclusions = write(tmp_path / "excl.csv", "person_a,person_b\na,b\n")
    summary = run_pair(
        people_csv, tmp_path / "groups.csv", exclusions_path=exclusions, group_size=3,
        today=ROUND_DATE,
    )  # fmt: skip
    text = "\n".join(summary.lines())

    assert summary.sizes == {2: 2}
    assert "Forced: 'a' and 'b' must never meet, so 2 groups of 2" in text
    groups = read_groups(tmp_path / "groups.csv")
    assert all({"a", "b"} - set(g) for g in groups)
    verify(groups, read_people(people_csv), exclusions=[("a", "b")])
