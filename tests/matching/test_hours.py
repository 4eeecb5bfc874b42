"""Working-hour overlap across time zones and daylight saving changes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from connectwell.matching import Participant, Rules, pair_round, verify
from connectwell.matching.roster import compile_roster
from connectwell.matching.verify import shared_minutes

LONDON = Participant("london", team="a", timezone="Europe/London")
NEW_YORK = Participant("new-york", team="b", timezone="America/New_York")
SINGAPORE = Participant("singapore", team="c", timezone="Asia/Singapore")
BERLIN_NIGHTS = Participant(
    "berlin-nights", team="d", timezone="Europe/Berlin", work_start=dt.time(22), work_end=dt.time(6)
)
TOKYO = Participant("tokyo", team="e", timezone="Asia/Tokyo")
LOS_ANGELES = Participant("la", team="f", timezone="America/Los_Angeles")


@pytest.mark.parametrize(
    ("a", "b", "on", "minutes"),
    [
        (LONDON, NEW_YORK, dt.date(2025, 1, 15), 180),  # both on standard time
        (LONDON, NEW_YORK, dt.date(2025, 3, 20), 240),  # America moved on 9 March, UK 30 March
        (LONDON, NEW_YORK, dt.date(2025, 7, 1), 180),  # both on summer time
        (LONDON, SINGAPORE, dt.date(2025, 1, 15), 0),
        (LONDON, SINGAPORE, dt.date(2025, 7, 1), 60),  # BST: London starts at 08:00 UTC
        # A night shift, 22:00-06:00 in Berlin, is 21:00-05:00 UTC in January.
        (BERLIN_NIGHTS, SINGAPORE, dt.date(2025, 1, 15), 240),  # 01:00-09:00 UTC
        (BERLIN_NIGHTS, NEW_YORK, dt.date(2025, 1, 15), 60),  # 14:00-22:00 UTC
        (BERLIN_NIGHTS, TOKYO, dt.date(2025, 1, 15), 300),  # 00:00-08:00 UTC
        (BERLIN_NIGHTS, LOS_ANGELES, dt.date(2025, 1, 15), 240),  # 17:00-01:00 UTC
        (BERLIN_NIGHTS, LOS_ANGELES, dt.date(2025, 3, 20), 180),  # PDT: 16:00-00:00 UTC
    ],
)
def test_shared_hours_follow_daylight_saving_on_the_round_date(
    a: Participant, b: Participant, on: dt.date, minutes: int
) -> None:
    assert shared_minutes(a, b, on) == minutes
    # The solver's arrays agree with the verifier's datetimes.
    roster = compile_roster([a, b], [], [], Rules(reference_date=on), 0)
    assert int(roster.overlap_minutes(np.array([0]), np.array([1]))[0]) == minutes
    rules = Rules(reference_date=on)
    report = verify(pair_round([a, b], rules=rules), [a, b], rules=rules)
    assert report.pairs_without_shared_hours == int(minutes < 60)


def test_the_round_date_decides_who_can_meet_across_a_dst_change() -> None:
    # Four Londoners and four New Yorkers wanting 4 shared hours: possible only in the weeks
    # when America is on summer time and Britain is not yet.
    people = [Participant(f"l{k}", team="l", timezone="Europe/London") for k in range(4)]
    people += [Participant(f"n{k}", team="n", timezone="America/New_York") for k in range(4)]
    for on, expected in ((dt.date(2025, 3, 20), 0), (dt.date(2025, 4, 10), 4)):
        rules = Rules(reference_date=on, min_overlap_hours=4)
        result = pair_round(people, rules=rules, seed=1)
        report = verify(result, people, rules=rules)
        if expected == 0:
            assert report.pairs_without_shared_hours == 0
            assert report.same_team_pairs == 0
        else:  # no cross pair has 4 hours: the solver pairs within the cities instead
            assert report.pairs_without_shared_hours == 0
            assert report.same_team_pairs == expected
