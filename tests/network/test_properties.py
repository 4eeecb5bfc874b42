"""Properties that hold for any organisation and any interactions (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from connectwell.network import Network, build_network, connections_of, measure, verify


@st.composite
def networks(draw: st.DrawFn) -> Network:
    people = draw(st.integers(1, 25))
    teams = draw(st.integers(1, 6))
    team = draw(st.lists(st.integers(0, teams - 1), min_size=people, max_size=people))
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, people - 1),
                st.integers(0, people - 1),
                st.integers(0, 3),
                st.floats(0, 400, allow_nan=False),
            ).filter(lambda row: row[0] != row[1]),
            max_size=80,
        )
    )
    source, target, kind, age = (
        (list(column) for column in zip(*rows, strict=True))
        if rows
        else (
            [],
            [],
            [],
            [],
        )
    )
    return build_network(
        team,
        source,
        target,
        kind,
        age_days=np.array(age, dtype=np.float64),
        teams=teams + draw(st.integers(0, 2)),
        half_life_days=draw(st.floats(1, 365)),
        window_days=draw(st.floats(0, 365)),
    )


@settings(max_examples=150, deadline=None)
@given(networks(), st.booleans(), st.integers(0, 3))
def test_measures_are_in_range_consistent_and_verified(
    net: Network, recent: bool, max_connections: int
) -> None:
    result = measure(net, recent=recent, max_connections=max_connections)
    verify(net, result, connections=[connections_of(net, 0)]).raise_if_invalid()

    teams = result.teams
    for values in (teams.ei_index, teams.weighted_ei_index, teams.cross_team_ratio):
        finite = values[~np.isnan(values)]
        assert ((finite >= -1) & (finite <= 1)).all()
    assert ((teams.cross_team_ratio[~np.isnan(teams.cross_team_ratio)]) >= 0).all()
    with_ties = (teams.internal_ties + teams.external_ties) > 0
    assert np.isnan(teams.ei_index[~with_ties]).all()
    assert not np.isnan(teams.ei_index[with_ties]).any()
    assert teams.size.sum() == net.people
    assert teams.internal == teams.internal_ties.sum()
    assert 2 * teams.external == teams.external_ties.sum()
    chosen = net.recent if recent else net.ties
    assert teams.internal + teams.external == chosen.count

    q = result.modularity.q
    assert math.isnan(q) == (chosen.count == 0 or result.modularity.total_weight == 0)
    if not math.isnan(q):
        assert -0.5 - 1e-9 <= q <= 1 + 1e-9

    iso = result.isolation
    assert iso.count == int(iso.isolated.sum())
    assert (iso.recent_connections <= net.ties.degree()).all()
    assert iso.recent_connections.sum() == 2 * net.recent.count

    rec = result.reciprocity
    assert 0 <= rec.reciprocated_pairs <= rec.ordered_pairs
    assert rec.reciprocated_pairs % 2 == 0
    assert rec.team_ordered_pairs.sum() == rec.ordered_pairs

    bridging = result.bridging
    assert sorted(bridging.ranking.tolist()) == list(range(net.teams))
    assert (bridging.other_teams <= net.teams - 1).all()
    assert (np.diff(bridging.other_teams[bridging.ranking]) <= 0).all()
    assert bridging.links.sum() == 2 * teams.external


@settings(max_examples=60, deadline=None)
@given(networks())
def test_a_single_team_has_zero_modularity_and_no_external_ties(net: Network) -> None:
    one_team = build_network(
        np.zeros(net.people, dtype=np.int64),
        net.source,
        net.target,
        net.kind,
        age_days=net.age_days,
    )
    result = measure(one_team)
    assert result.teams.external == 0
    if one_team.ties.count and result.modularity.total_weight > 0:
        assert abs(result.modularity.q) < 1e-9
    assert result.bridging.other_teams.tolist() == [0]
