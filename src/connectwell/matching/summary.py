"""What ``connectwell pair`` tells its user: :class:`PairSummary`, in plain words.

The summary says what was made (pairs, trios, groups of k), what could not be avoided and for
whom (pairs without shared working hours, people who can meet nobody, named), what the history
file held (people skipped because they are no longer on the roster), and the quality of the
round as a share of the best possible. Raw weights and timings only with ``verbose``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from connectwell.matching.model import Participant
from connectwell.matching.verify import Span, overlap_minutes, utc_span

#: At most this many names are printed for one finding; the count says how many there are.
NAMED = 10
SIZE_WORDS = {2: ("pair", "pairs"), 3: ("trio", "trios")}


def _plural(count: int, size: int) -> str:
    one, many = SIZE_WORDS.get(size, (f"group of {size}", f"groups of {size}"))
    return f"{count:,} {one if count == 1 else many}"


def _count(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _names(items: Sequence[str], total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = ", ".join(items[:NAMED])
    return shown + (f" and {total - NAMED:,} more" if total > NAMED else "")


@dataclass(frozen=True)
class PairSummary:
    """The figures and findings of one round of ``connectwell pair``; :meth:`lines` words them.

    ``quality`` is ``matching_weight / bound``: the pair matching's weight as a share of an
    upper bound on the best possible (over all pairs when ``bound_over_all_pairs``, else on the
    sparse candidate graph); ``None`` where no bound applies (groups of 3 to 5, or a round with
    only one possible grouping, ``only_grouping``).
    """

    people: int
    groups: int
    sizes: dict[int, int]
    group_size: int
    round_date: dt.date
    no_repeat_weeks: int
    repeats: int
    repeat_ages_days: tuple[int, ...]
    same_team_pairs: int
    min_overlap_hours: float
    pairs_without_shared_hours: int
    without_shared_hours: tuple[str, ...]  # "a & b", the first NAMED
    cannot_meet: tuple[str, ...]  # people who share no working hour with anyone
    excluded_with_everyone: tuple[str, ...]
    overnight: tuple[str, ...]  # people whose working hours run past midnight
    odd_groups: tuple[str, ...]  # for pairs: the trios, as "a, b, c"
    history_rows: int | None
    history_skipped_rows: int
    history_skipped_people: tuple[str, ...]
    history_later_rows: int
    only_grouping: bool
    size_rule: str  # the library's size plan in words ("500 people in groups of 3: ...")
    forced: tuple[str, ...]  # why the groups differ from the plan, naming people
    quality: float | None
    bound_over_all_pairs: bool
    weight: int
    matching_weight: int
    upper_bound: float | None
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    out_path: str = ""
    people_file: str = "PEOPLE.csv"

    @property
    def certified_ratio(self) -> float | None:
        """The quality as a ratio (kept for scripts that read it)."""
        return self.quality

    def made(self) -> str:
        """What was made: N pairs and M trios, or groups of k."""
        parts = [_plural(self.sizes[size], size) for size in sorted(self.sizes)]
        made = " and ".join(parts) if len(parts) <= 2 else ", ".join(parts)
        return (
            f"Round of {self.round_date.isoformat()}: {_count(self.people, 'person', 'people')} "
            f"in {_count(self.groups, 'group', 'groups')}: {made}."
        )

    def lines(self, *, verbose: bool = False) -> list[str]:
        """The summary, one finding a line, in plain words."""
        out = [self.made()]
        trios = self.sizes.get(3, 0)
        if self.group_size == 2 and trios:
            if self.people % 2 and trios == 1 and not self.forced:
                out.append(f"One trio because {self.people:,} is odd: {self.odd_groups[0]}.")
            elif not self.forced:
                out.append(
                    f"Trios that the exclusions or the roster forced: {_names(self.odd_groups)}."
                )
        elif self.group_size > 2:
            others = sorted(size for size in self.sizes if size != self.group_size)
            if others and self.size_rule:
                out.append(f"Sizes: {self.size_rule}.")
            elif others:
                out.append(
                    f"{self.people:,} people do not divide into groups of {self.group_size}: "
                    + " and ".join(_plural(self.sizes[s], s) for s in others)
                    + " take the remainder."
                )
        for reason in self.forced[:NAMED]:
            out.append(f"Forced: {reason}.")
        if len(self.forced) > NAMED:
            out.append(f"Forced: {len(self.forced) - NAMED:,} more like these.")
        weeks = self.no_repeat_weeks
        if self.repeats:
            youngest = self.repeat_ages_days[0] / 7
            oldest = self.repeat_ages_days[-1] / 7
            out.append(
                f"Repeats: {_count(self.repeats, 'pair', 'pairs')} met in the {weeks} weeks "
                "before the round "
                f"({youngest:.1f} to {oldest:.1f} weeks ago): there was no better choice."
            )
        else:
            out.append(f"Repeats: none; no pair met in the {weeks} weeks before the round.")
        out.append(
            "Same team: no pair."
            if not self.same_team_pairs
            else f"Same team: {_count(self.same_team_pairs, 'pair is', 'pairs are')} in one team."
        )
        hours = f"{self.min_overlap_hours:g} working hour" + (
            "" if self.min_overlap_hours == 1 else "s"
        )
        if self.pairs_without_shared_hours:
            count = self.pairs_without_shared_hours
            out.append(
                f"Shared hours: {_count(count, 'pair shares', 'pairs share')} less than "
                f"{hours}: {_names(self.without_shared_hours, count)}."
            )
        elif self.min_overlap_hours:
            out.append(f"Shared hours: every pair shares at least {hours}.")
        if self.cannot_meet:
            out.append(
                f"Can meet nobody: {_names(self.cannot_meet)} "
                f"(no one else shares {hours} with them; placed anyway)."
            )
        if self.excluded_with_everyone:
            out.append(f"Excluded with everyone else: {_names(self.excluded_with_everyone)}.")
        if self.overnight:
            out.append(
                f"Overnight: {_names(self.overnight)} work past midnight (their working hours "
                "end before they start)."
            )
        if self.history_rows is not None:
            history = f"History: {_count(self.history_rows, 'row', 'rows')} read"
            if self.history_skipped_rows:
                rows = _count(self.history_skipped_rows, "history row", "history rows")
                people = _count(len(self.history_skipped_people), "person", "people")
                history += (
                    f"; skipped {rows} of {people} no longer in "
                    f"{self.people_file} ({_names(self.history_skipped_people)})"
                )
            if self.history_later_rows:
                history += (
                    f"; {_count(self.history_later_rows, 'row', 'rows')} dated on or after "
                    f"{self.round_date.isoformat()} not counted"
                )
            out.append(history + ".")
        if self.only_grouping:
            out.append("Quality: the only possible grouping (everyone in one group).")
        elif self.quality is not None:
            where = "" if self.bound_over_all_pairs else " on the candidate graph"
            if self.quality >= 1:
                out.append(f"Quality: the best possible{where}.")
            else:
                share = int(self.quality * 10_000) / 100  # rounded down: never overstated
                out.append(f"Quality: at least {share:.2f}% of the best possible{where}.")
        else:
            out.append("Quality: no bound could be computed for this round.")
        if verbose:
            bound = "none" if self.upper_bound is None else f"{self.upper_bound:,.1f}"
            out.append(
                f"Weights: total {self.weight:,}; pair matching {self.matching_weight:,} of an "
                f"upper bound {bound}."
            )
            phases = ", ".join(f"{name} {value:.2f} s" for name, value in self.phases.items())
            out.append(f"Seconds: {self.seconds:.2f} ({phases}).")
        out.append(f"Wrote {self.out_path}.")
        return out


def pairs_without_hours(
    groups: Iterable[Sequence[str]],
    people: dict[str, Participant],
    on: dt.date,
    min_minutes: int,
) -> list[str]:
    """Every pair inside a group that shares fewer than ``min_minutes``, as ``"a & b"``."""
    if not min_minutes:
        return []
    spans: dict[tuple[str, dt.time, dt.time], Span] = {}

    def span(person: Participant) -> Span:
        key = (person.timezone, person.work_start, person.work_end)
        if key not in spans:
            spans[key] = utc_span(person, on)
        return spans[key]

    found = []
    for group in groups:
        for a, b in combinations(group, 2):
            if overlap_minutes(span(people[a]), span(people[b])) < min_minutes:
                found.append(f"{a} & {b}")
    return found


def cannot_meet(people: Sequence[Participant], on: dt.date, min_minutes: int) -> list[str]:
    """People who share fewer than ``min_minutes`` working minutes with everyone else.

    Complexity: O(n + k²) for k distinct working hours (time zone and shift).
    """
    if not min_minutes or len(people) < 2:
        return []
    kinds = Counter((p.timezone, p.work_start, p.work_end) for p in people)
    spans = {
        kind: utc_span(
            Participant("", "", timezone=kind[0], work_start=kind[1], work_end=kind[2]), on
        )
        for kind in kinds
    }
    alone = set()
    for kind, count in kinds.items():
        partners = (
            other
            for other in kinds
            if (other != kind or count > 1)
            and overlap_minutes(spans[kind], spans[other]) >= min_minutes
        )
        if next(partners, None) is None:
            alone.add(kind)
    return [p.id for p in people if (p.timezone, p.work_start, p.work_end) in alone]


def excluded_with_everyone(ids: Sequence[str], exclusions: Iterable[tuple[str, str]]) -> list[str]:
    """People excluded with every other person of the round."""
    partners: dict[str, set[str]] = {}
    for a, b in exclusions:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    return [pid for pid in ids if len(partners.get(pid, ())) >= len(ids) - 1 > 0]
