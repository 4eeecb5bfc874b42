"""build_network: validation at the boundary, ages, weights and the compiled ties."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from connectwell.network import KINDS, NetworkInputError, build_network, measure, verify


def test_it_accepts_kind_names_or_codes_and_directs_shoutouts_by_default() -> None:
    names = build_network([0, 0, 0], [0, 1, 2], [1, 2, 0], list(KINDS[:3]), age_days=[0, 0, 0])
    codes = build_network([0, 0, 0], [0, 1, 2], [1, 2, 0], [0, 1, 2], age_days=[0, 0, 0])
    assert names.kind.tolist() == codes.kind.tolist() == [0, 1, 2]
    assert names.directed.tolist() == [False, True, False]
    assert (names.people, names.edges, names.teams) == (3, 3, 1)


def test_recent_interactions_weigh_more_with_the_half_life() -> None:
    net = build_network(
        [0, 0], [0, 0, 0], [1, 1, 1], ["help"] * 3, age_days=[0, 90, 180], window_days=100
    )
    assert net.weight.tolist() == pytest.approx([1.0, 0.5, 0.25])
    assert net.ties.count == 1
    assert net.ties.weight.tolist() == pytest.approx([1.75])
    assert net.recent.weight.tolist() == pytest.approx([1.5])
    faster = build_network([0, 0], [0], [1], ["help"], age_days=[30], half_life_days=30)
    assert faster.weight.tolist() == pytest.approx([0.5])


def test_kind_weights_multiply_and_a_zero_weight_still_makes_a_tie() -> None:
    net = build_network(
        [0, 0, 0],
        [0, 1],
        [1, 2],
        ["shoutout", "event"],
        age_days=[0, 0],
        kind_weights={"shoutout": 2.0, "event": 0.0},
    )
    assert net.weight.tolist() == [2.0, 0.0]
    assert net.ties.degree().tolist() == [1, 2, 1]
    verify(net, measure(net)).raise_if_invalid()


def test_it_ages_datetimes_against_the_reference_date() -> None:
    when = np.array(["2025-01-06T00:00", "2024-10-08T12:00"], dtype="datetime64[s]")
    net = build_network(
        [0, 0, 0], [0, 1], [1, 2], ["help", "help"], when=when, reference=dt.date(2025, 1, 6)
    )
    assert net.age_days.tolist() == pytest.approx([0.0, 89.5])
    aware = dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    same = build_network([0, 0, 0], [0, 1], [1, 2], [2, 2], when=when, reference=aware)
    assert same.age_days.tolist() == pytest.approx([0.0, 89.5])
    days = build_network([0, 0], [0], [1], [3], when=[20_000], reference=20_010)
    assert days.age_days.tolist() == [10.0]


def test_a_larger_team_count_keeps_empty_teams() -> None:
    net = build_network([0, 2], [0], [1], ["help"], age_days=[0], teams=5)
    assert net.teams == 5


@pytest.mark.parametrize(
    ("changes", "field", "row"),
    [
        ({"team": []}, "team", None),
        ({"team": [0, -1, 0]}, "team", 1),
        ({"team": [[0, 1]]}, "team", None),
        ({"team": ["a", "b", "c"]}, "team", None),
        ({"teams": 1}, "teams", None),
        ({"source": [0, 3]}, "source", 1),
        ({"source": [0, 1.5]}, "source", 1),
        ({"target": [1, -1]}, "target", 1),
        ({"target": [1]}, "target", None),
        ({"target": [1, 1]}, "target", 1),
        ({"kind": ["help", "lunch"]}, "kind", 1),
        ({"kind": [0, 4]}, "kind", 1),
        ({"kind": [0.0, 1.0]}, "kind", None),
        ({"age_days": [0, -1]}, "age_days", 1),
        ({"age_days": [np.nan, 1]}, "age_days", 0),
        ({"age_days": [0]}, "age_days", None),
        ({"age_days": None}, "age_days", None),
        ({"directed": [1, 0]}, "directed", None),
        ({"directed": [True]}, "directed", None),
        ({"half_life_days": 0}, "half_life_days", None),
        ({"half_life_days": float("inf")}, "half_life_days", None),
        ({"window_days": -1}, "window_days", None),
        ({"kind_weights": {"lunch": 1.0}}, "kind_weights", None),
        ({"kind_weights": {"help": -1.0}}, "kind_weights['help']", None),
    ],
)
def test_bad_input_names_the_field_and_row(
    changes: dict[str, object], field: str, row: int | None
) -> None:
    arguments: dict[str, object] = {
        "team": [0, 0, 1],
        "source": [0, 1],
        "target": [1, 2],
        "kind": ["help", "event"],
        "age_days": [0, 1],
    }
    arguments.update(changes)
    with pytest.raises(NetworkInputError) as raised:
        build_network(**arguments)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert raised.value.row == row
    assert f"field '{field}'" in str(raised.value)


@pytest.mark.parametrize(
    ("when", "reference", "field", "row"),
    [
        (np.array(["2025-01-07", "2025-01-01"], dtype="datetime64[D]"), "2025-01-06", "when", 0),
        (np.array(["NaT", "2025-01-01"], dtype="datetime64[D]"), "2025-01-06", "when", 0),
        (np.array(["2025-01-01", "2025-01-01"], dtype="datetime64[D]"), None, "reference", None),
        (np.array(["2025-01-01", "2025-01-01"], dtype="datetime64[D]"), "soon", "reference", None),
        ([1, 2], dt.date(2025, 1, 1), "reference", None),
        (["x", "y"], 3, "when", None),
    ],
)
def test_bad_times_name_the_field(
    when: object, reference: object, field: str, row: int | None
) -> None:
    with pytest.raises(NetworkInputError) as raised:
        build_network([0, 0, 1], [0, 1], [1, 2], [0, 0], when=when, reference=reference)  # type: ignore[arg-type]
    assert (raised.value.field, raised.value.row) == (field, row)


def test_both_ages_and_times_is_an_error() -> None:
    with pytest.raises(NetworkInputError, match="either"):
        build_network([0, 0], [0], [1], [0], age_days=[1], when=[1], reference=2)


def test_the_error_survives_pickling_for_worker_processes() -> None:
    import pickle

    error = NetworkInputError("source", 3, "person 9 is not in 0..4")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (again.field, again.row, str(again)) == ("source", 3, str(error))
