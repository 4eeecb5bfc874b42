"""The nightly connection-network figures, stored per scope.

Pulse and check-in figures are published once per closed round
(:mod:`connectwell.insights.publish`); the network describes who connected with whom over
the last year, not anyone's answers, and is recomputed each night by the ``insights`` job.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from connectwell.insights.models import InsightSnapshot
from connectwell.insights.network import HORIZON, network_figures
from connectwell.insights.schemas import NetworkSnapshot, OrgNetwork, TeamNetwork


def store_network(session: Session, *, today: dt.date, floor: int) -> int:
    """Replace the stored network figures with today's; returns how many scopes."""
    organisation, teams = network_figures(session, today=today, floor=floor)
    scopes: dict[str, NetworkSnapshot] = {
        "org": NetworkSnapshot(
            network=OrgNetwork.model_validate(organisation) if organisation else None
        )
    }
    for team_id, figures in teams.items():
        scopes[f"team:{team_id}"] = NetworkSnapshot(network=TeamNetwork.model_validate(figures))
    session.execute(delete(InsightSnapshot))
    session.add_all(
        InsightSnapshot(
            scope=scope,
            window_start=today - HORIZON,
            window_end=today,
            payload=NetworkSnapshot.model_validate(payload.model_dump(mode="json")).model_dump(
                mode="json"
            ),
        )
        for scope, payload in scopes.items()
    )
    session.flush()
    return len(scopes)
