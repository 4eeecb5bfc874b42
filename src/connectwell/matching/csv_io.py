"""CSV in and out: the engine of ``connectwell pair``.

Formats (UTF-8, a header row, comma-separated):

- PEOPLE.csv: ``id, team`` required; optional ``manager, timezone`` (IANA, default UTC),
  ``work_start, work_end`` (HH:MM local, default 09:00-17:00), ``level`` (integer),
  ``location``, ``interests`` (separated by ``;``), ``joined`` (YYYY-MM-DD).
- HISTORY.csv: ``date, group, person``: one row per member of a past group.
- EXCL.csv: ``person_a, person_b``: never in the same group.
- GROUPS.csv (written): ``group, person``.

Row numbers in errors are line numbers of the file (the header is row 1), as a spreadsheet
shows them. Nothing is written on error: the output goes to a temporary file in the same folder,
renamed over ``out_path`` only when the round is complete and verified.

HISTORY.csv is read by :mod:`connectwell.matching.history_csv` (re-exported here), the header
and rows of every file by :mod:`connectwell.matching.csv_tables` (pyarrow for PEOPLE.csv and
HISTORY.csv, the :mod:`csv` module to name the line of a fault), and the summary is
:class:`~connectwell.matching.summary.PairSummary`.
"""

from __future__ import annotations

import csv
import datetime as dt
import operator
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from itertools import repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectwell.matching.csv_tables import (
    arrow_columns,
    dict_rows,
    encoded,
    open_table,
    parse_cell,
    table_rows,
)
from connectwell.matching.history_csv import (
    HISTORY_COLUMNS,
    HistoryFile,
    read_history,
    read_history_file,
    read_history_table,
)
from connectwell.matching.model import (
    FIVE_PM,
    NINE,
    HistoryTable,
    MatchingInputError,
    Participant,
    PastGroup,
    Result,
    Rules,
    zone,
)
from connectwell.matching.rounds import pair_round
from connectwell.matching.summary import (
    PairSummary,
    cannot_meet,
    excluded_with_everyone,
    pairs_without_hours,
)
from connectwell.matching.verify import Report, verify

__all__ = [
    "EXCLUSION_COLUMNS",
    "HISTORY_COLUMNS",
    "MAX_PEOPLE",
    "PEOPLE_COLUMNS",
    "HistoryFile",
    "PairSummary",
    "read_exclusions",
    "read_history",
    "read_history_file",
    "read_history_table",
    "read_people",
    "run_pair",
]

PEOPLE_COLUMNS = ("id", "team")
#: The optional columns of PEOPLE.csv; any other column is ignored.
PEOPLE_OPTIONAL = (
    "manager",
    "timezone",
    "work_start",
    "work_end",
    "level",
    "location",
    "interests",
    "joined",
)
EXCLUSION_COLUMNS = ("person_a", "person_b")
#: The default of ``--max-people``: a roster larger than this is refused while it is read.
MAX_PEOPLE = 2_000_000


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    if len(minutes) != 2:
        raise ValueError(text)
    if hours == "24" and minutes == "00":
        return dt.time(23, 59)
    return dt.time(int(hours), int(minutes))


def _too_many(name: str) -> Callable[[int], MatchingInputError]:
    def error(limit: int) -> MatchingInputError:
        return MatchingInputError(
            name,
            None,
            None,
            f"more than {limit:,} people (the limit of --max-people): is this the right file? "
            "If it is, raise the limit",
        )

    return error


def read_people(path: Path, *, max_people: int | None = MAX_PEOPLE) -> list[Participant]:
    """Read PEOPLE.csv; raise :class:`MatchingInputError` naming file, row and field.

    The file is read with pyarrow (one pass in C, refused as soon as it has more than
    ``max_people`` rows, before anything is built) and the people are built from its columns;
    a fault sends the file through the :mod:`csv` module, which names its line.
    """
    name = path.name
    handle, reader, columns = open_table(path, PEOPLE_COLUMNS)
    header_lines = reader.line_num
    handle.close()
    used = [c for c in (*PEOPLE_COLUMNS, *PEOPLE_OPTIONAL) if c in columns]
    at = [columns.index(c) for c in used]
    too_many = _too_many(name)
    if header_lines == 1:
        cells = arrow_columns(path, len(columns), at, max_rows=max_people, too_many=too_many)
        if cells is not None:
            found = _people_from_columns(dict(zip(used, map(encoded, cells), strict=True)))
            if found is not None:
                return found
            # A fault: read again below, row by row, to name its line.
    texts: dict[str, list[str]] = {c: [] for c in used}
    lines: list[int] = []
    _, rows = table_rows(path, PEOPLE_COLUMNS)
    for line, row in rows:
        if max_people is not None and len(lines) >= max_people:
            raise too_many(max_people)
        lines.append(line)
        for c, k in zip(used, at, strict=True):
            texts[c].append(row[k].strip())
    return _people(name, texts, lines)


Encoded = tuple[npt.NDArray[np.int64], list[str]]


def _people_from_columns(columns: dict[str, Encoded]) -> list[Participant] | None:
    """Participants from PEOPLE.csv's columns as codes and distinct values; ``None`` for a file
    with a fault (then :func:`_people` names its line). Every check is made once per distinct
    value, and the participants are made by one ``map``: no Python loop over the rows."""
    codes = {c: found[0] for c, found in columns.items()}
    values = {c: found[1] for c, found in columns.items()}
    blank = np.ones(len(codes["id"]), dtype=bool)
    for c in columns:
        blank &= np.array([not v for v in values[c]], dtype=bool)[codes[c]]
    if blank.any():
        codes = {c: code[~blank] for c, code in codes.items()}
    n = len(codes["id"])
    if n == 0 or len(np.unique(codes["id"])) != n:
        return None  # no people, or a duplicate id
    for c in ("id", "team"):
        if np.array([not v for v in values[c]], dtype=bool)[codes[c]].any():
            return None  # an empty id or team
    ids = values["id"]
    if not np.array_equal(codes["id"], np.arange(n)):
        ids = [ids[k] for k in codes["id"].tolist()]

    def parsed(column: str, parse: Callable[[str], object], default: object) -> list[object]:
        if column not in values:
            return [default] * n
        table = np.empty(len(values[column]), dtype=object)
        table[:] = [default if not v else parse(v) for v in values[column]]
        return list(table[codes[column]])

    try:
        for name in values.get("timezone", []):
            if name:
                zone(name)
        teams = parsed("team", str, "")
        managers = parsed("manager", str, None)
        zones = parsed("timezone", str, "UTC")
        starts = parsed("work_start", _clock, NINE)
        ends = parsed("work_end", _clock, FIVE_PM)
        levels = parsed("level", int, None)
        locations = parsed("location", str, None)
        interests = parsed("interests", _interests, frozenset())
        joined = parsed("joined", dt.date.fromisoformat, None)
    except (KeyError, ValueError):
        return None
    if any(map(operator.eq, starts, ends)):
        return None  # empty working hours
    return list(
        map(
            Participant,
            ids,
            teams,
            managers,
            zones,
            starts,
            ends,
            levels,
            locations,
            interests,
            joined,
        )
    )


def _interests(text: str) -> frozenset[str]:
    return frozenset(item.strip() for item in text.split(";") if item.strip())


def _people(
    name: str, texts: dict[str, list[str]], lines: Sequence[int] | None
) -> list[Participant]:
    """Participants from the stripped cells of PEOPLE.csv's columns; errors name ``lines[k]``
    for row ``k`` (``None``: the row's position, for a reading to be repeated)."""
    n = len(texts["id"])
    if not n:
        raise MatchingInputError(name, None, None, "empty file: no people")

    def column(c: str) -> Sequence[str]:
        return texts[c] if c in texts else list(repeat("", n))

    people: list[Participant] = []
    seen: set[str] = set()
    zones_ok: set[str] = set()
    clocks: dict[str, dt.time] = {}  # parsed once per distinct text
    interest_sets: dict[str, frozenset[str]] = {}
    rows = zip(
        range(n),
        texts["id"],
        texts["team"],
        column("manager"),
        column("timezone"),
        column("work_start"),
        column("work_end"),
        column("level"),
        column("location"),
        column("interests"),
        column("joined"),
        strict=True,
    )
    for (
        k,
        pid,
        team,
        manager,
        timezone,
        start,
        end,
        level_text,
        location,
        interests_text,
        joined_text,
    ) in rows:
        line = k if lines is None else lines[k]
        if not pid:
            raise MatchingInputError(name, line, "id", "empty id")
        if pid in seen:
            raise MatchingInputError(name, line, "id", f"duplicate id {pid!r}")
        seen.add(pid)
        if not team:
            raise MatchingInputError(name, line, "team", "empty team")
        timezone = timezone or "UTC"
        if timezone not in zones_ok:
            try:
                zone(timezone)
            except KeyError:
                raise MatchingInputError(
                    name, line, "timezone", f"unknown time zone {timezone!r}"
                ) from None
            zones_ok.add(timezone)
        start = start or "09:00"
        end = end or "17:00"
        work_start = clocks.get(start)
        if work_start is None:
            work_start = clocks[start] = parse_cell(  # type: ignore[assignment]
                name, line, "work_start", start, _clock, "a time HH:MM"
            )
        work_end = clocks.get(end)
        if work_end is None:
            work_end = clocks[end] = parse_cell(  # type: ignore[assignment]
                name, line, "work_end", end, _clock, "a time HH:MM"
            )
        if work_start == work_end:
            raise MatchingInputError(name, line, "work_end", "working hours are empty")
        level = (
            parse_cell(name, line, "level", level_text, int, "a whole number")
            if level_text
            else None
        )
        joined = (
            parse_cell(
                name, line, "joined", joined_text, dt.date.fromisoformat, "a date YYYY-MM-DD"
            )
            if joined_text
            else None
        )
        interests = interest_sets.get(interests_text)
        if interests is None:
            interests = interest_sets[interests_text] = frozenset(
                item.strip() for item in interests_text.split(";") if item.strip()
            )
        people.append(
            Participant(
                id=pid,
                team=team,
                manager=manager or None,
                timezone=timezone,
                work_start=work_start,  # type: ignore[arg-type]
                work_end=work_end,  # type: ignore[arg-type]
                level=level,  # type: ignore[arg-type]
                location=location or None,
                interests=interests,
                joined=joined,  # type: ignore[arg-type]
            )
        )
    return people


def read_exclusions(path: Path, known: set[str]) -> list[tuple[str, str]]:
    """Read EXCL.csv; both people must be in ``known`` and different."""
    name = path.name
    pairs = []
    for line, row in dict_rows(path, EXCLUSION_COLUMNS):
        a, b = row.get("person_a", ""), row.get("person_b", "")
        for column, person in (("person_a", a), ("person_b", b)):
            if person not in known:
                raise MatchingInputError(name, line, column, f"unknown person {person!r}")
        if a == b:
            raise MatchingInputError(name, line, "person_b", "a person cannot exclude themself")
        pairs.append((a, b))
    return pairs


def check_paths(out_path: Path, inputs: dict[str, Path | None]) -> None:
    """Refuse, before reading anything, an output that cannot be written or that is an input.

    ``inputs`` maps an option name (``--people``) to its file.
    """
    folder = out_path.parent
    if not folder.is_dir():
        raise MatchingInputError(
            str(out_path), None, None, f"the folder {str(folder)!r} does not exist"
        )
    if out_path.is_dir():
        raise MatchingInputError(str(out_path), None, None, "is a folder, not a file")
    for option, path in inputs.items():
        if path is None:
            continue
        same = out_path.resolve() == Path(path).resolve()
        if not same and out_path.exists() and Path(path).exists():
            same = os.path.samefile(out_path, path)
        if same:
            raise MatchingInputError(
                str(out_path),
                None,
                None,
                f"is the {option} file: write the groups to another file",
            )


def run_pair(
    people_path: Path,
    out_path: Path,
    *,
    history_path: Path | None = None,
    exclusions_path: Path | None = None,
    group_size: int = 2,
    no_repeat_weeks: int = 26,
    min_overlap_hours: float = 1.0,
    seed: int = 0,
    today: dt.date | None = None,
    strict_history: bool = False,
    max_people: int | None = MAX_PEOPLE,
) -> PairSummary:
    """Read the CSV files, run one round, verify it and write GROUPS.csv atomically.

    Parameters
    ----------
    people_path, history_path, exclusions_path : Path
        The input files (history and exclusions optional).
    out_path : Path
        GROUPS.csv, written only if everything succeeds; never one of the inputs.
    group_size, no_repeat_weeks, min_overlap_hours, seed
        As in :class:`~connectwell.matching.model.Rules` and
        :func:`~connectwell.matching.rounds.pair_round`.
    today : date, optional
        The round date, default today's: history is counted back from it (a pair that met
        ``no_repeat_weeks`` weeks or more before it may meet again; rows dated on or after it
        are not counted), and daylight saving is taken on it.
    strict_history : bool
        Refuse a HISTORY.csv row of a person not in PEOPLE.csv instead of skipping it.
    max_people : int, optional
        Refuse a PEOPLE.csv with more rows, while reading it.

    Returns
    -------
    PairSummary

    Raises
    ------
    MatchingInputError
        Bad input, naming the file, row and field; ``out_path`` is left untouched.
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}
    today = today or dt.date.today()
    people_path, out_path = Path(people_path), Path(out_path)
    check_paths(
        out_path,
        {"--people": people_path, "--history": history_path, "--exclusions": exclusions_path},
    )
    people = read_people(people_path, max_people=max_people)
    if len(people) < 2:
        raise MatchingInputError(
            people_path.name,
            None,
            None,
            f"only one person ({people[0].id!r}): a round needs at least two people",
        )
    ids = [p.id for p in people]
    since = today - dt.timedelta(weeks=max(0, no_repeat_weeks))
    history_file = (
        read_history_file(Path(history_path), ids, since, today, strict=strict_history)
        if history_path
        else None
    )
    history: HistoryTable | list[PastGroup] = history_file.table if history_file else []
    exclusions = read_exclusions(Path(exclusions_path), set(ids)) if exclusions_path else []
    phases["read"] = time.perf_counter() - started
    rules = Rules(
        group_size=group_size,
        no_repeat_weeks=no_repeat_weeks,
        min_overlap_hours=min_overlap_hours,
        reference_date=today,
    )
    clock = time.perf_counter()
    result = pair_round(
        people,
        history=history,
        exclusions=exclusions,
        rules=rules,
        seed=seed,
    )
    phases["solve"] = time.perf_counter() - clock
    clock = time.perf_counter()
    report = verify(
        result,
        people,
        history=history,
        exclusions=exclusions,
        rules=rules,
    )
    phases["verify"] = time.perf_counter() - clock
    clock = time.perf_counter()
    _write_groups(out_path, result.groups)
    phases["write"] = time.perf_counter() - clock
    return _summary(
        result,
        report,
        people,
        exclusions,
        rules,
        history_file,
        people_file=people_path.name,
        seconds=time.perf_counter() - started,
        phases=phases,
        out_path=out_path,
    )


def _summary(
    result: Result,
    report: Report,
    people: list[Participant],
    exclusions: list[tuple[str, str]],
    rules: Rules,
    history_file: HistoryFile | None,
    *,
    people_file: str,
    seconds: float,
    phases: dict[str, float],
    out_path: Path,
) -> PairSummary:
    on = rules.reference_date or dt.date.today()
    min_minutes = round(rules.min_overlap_hours * 60)
    by_id = {p.id: p for p in people}
    without_hours = pairs_without_hours(result.groups, by_id, on, min_minutes)
    only_grouping = len(result.groups) == 1 and len(people) <= 3
    all_pairs_bound = getattr(result, "all_pairs_bound", None)
    bound = all_pairs_bound if all_pairs_bound is not None else result.upper_bound
    quality = None
    if rules.group_size == 2 and not only_grouping and bound is not None and bound > 0:
        quality = min(1.0, result.matching_weight / bound)
    return PairSummary(
        people=report.people,
        groups=report.groups,
        sizes=report.sizes,
        group_size=rules.group_size,
        round_date=on,
        no_repeat_weeks=rules.no_repeat_weeks,
        repeats=report.repeats,
        repeat_ages_days=report.repeat_ages_days,
        same_team_pairs=report.same_team_pairs,
        min_overlap_hours=rules.min_overlap_hours,
        pairs_without_shared_hours=report.pairs_without_shared_hours,
        without_shared_hours=tuple(without_hours[:10]),
        cannot_meet=tuple(cannot_meet(people, on, min_minutes)),
        excluded_with_everyone=tuple(excluded_with_everyone([p.id for p in people], exclusions)),
        overnight=tuple(p.id for p in people if p.work_end < p.work_start),
        odd_groups=tuple(", ".join(g) for g in result.groups if len(g) == 3),
        history_rows=None if history_file is None else history_file.rows,
        history_skipped_rows=0 if history_file is None else history_file.skipped_rows,
        history_skipped_people=() if history_file is None else history_file.skipped_people,
        history_later_rows=0 if history_file is None else history_file.later_rows,
        only_grouping=only_grouping,
        quality=quality,
        bound_over_all_pairs=all_pairs_bound is not None,
        weight=result.weight,
        matching_weight=result.matching_weight,
        upper_bound=bound,
        seconds=seconds,
        phases=phases,
        out_path=str(out_path),
        people_file=people_file,
    )


def _write_groups(out_path: Path, groups: tuple[tuple[str, ...], ...]) -> None:
    """Write GROUPS.csv through a temporary file in its folder, renamed over it when complete.

    A new file gets the mode the umask gives (as any file the user creates); a file written
    over keeps its mode.
    """
    folder = out_path.parent
    try:
        mode = out_path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed after writing
            "w", newline="", encoding="utf-8", dir=folder, prefix=f".{out_path.name}.", delete=False
        )
    except OSError as error:
        raise MatchingInputError(
            str(out_path),
            None,
            None,
            f"cannot write in the folder {str(folder)!r}: {error.strerror}",
        ) from None
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(("group", "person"))
            for number, group in enumerate(groups, start=1):
                writer.writerows((number, person) for person in group)
        os.chmod(handle.name, mode)
        os.replace(handle.name, out_path)
    except OSError as error:
        Path(handle.name).unlink(missing_ok=True)
        raise MatchingInputError(
            str(out_path), None, None, f"cannot write: {error.strerror}"
        ) from None
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
