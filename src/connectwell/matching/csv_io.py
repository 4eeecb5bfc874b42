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

PEOPLE.csv is read by :mod:`connectwell.matching.people_csv` and HISTORY.csv by
:mod:`connectwell.matching.history_csv` (both re-exported here), the header
and rows of every file by :mod:`connectwell.matching.csv_tables` (pyarrow for PEOPLE.csv and
HISTORY.csv, the :mod:`csv` module to name the line of a fault), and the summary is
:class:`~connectwell.matching.summary.PairSummary`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from connectwell.matching.csv_tables import dict_rows
from connectwell.matching.history_csv import (
    HISTORY_COLUMNS,
    HistoryFile,
    read_history,
    read_history_file,
    read_history_table,
)
from connectwell.matching.model import (
    HistoryTable,
    MatchingInputError,
    Participant,
    PastGroup,
    Result,
    Rules,
)
from connectwell.matching.people_csv import MAX_PEOPLE, PEOPLE_COLUMNS, read_people
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

EXCLUSION_COLUMNS = ("person_a", "person_b")


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
    # The round's whole weight against the bound over all pairs (pairs and groups alike);
    # without it, the pair matching against the bound on the candidate graph.
    all_pairs_bound = result.all_pairs_bound if result.all_pairs_ratio is not None else None
    bound = all_pairs_bound if all_pairs_bound is not None else result.upper_bound
    quality = None
    if not only_grouping:
        if all_pairs_bound is not None:
            quality = result.all_pairs_ratio
        elif rules.group_size == 2 and bound is not None and bound > 0:
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
        size_rule=result.size_rule,
        forced=result.forced,
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
