"""/api/v1/pulses: answer your open pulses; admins set pulses up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from connectwell.core.db import utcnow
from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import PulseAnswer, PulseIn
from connectwell.web.deps import DB, ApiAdmin, ApiViewer, AppSettings, PathId

router = APIRouter()


@router.get("")
def list_pulses(session: DB, viewer: ApiAdmin) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "audience": p.audience,
            "team_ids": p.team_ids,
            "cadence": p.cadence,
            "weekday": p.weekday,
            "local_hour": p.local_hour,
            "starts_on": p.starts_on,
            "active": p.is_active,
        }
        for p in pulses.list_pulses(session)
    ]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_pulse(data: PulseIn, session: DB, viewer: ApiAdmin) -> dict[str, Any]:
    pulse = pulses.create_pulse(session, data, actor=viewer.person)
    return {"id": pulse.id, "name": pulse.name}


@router.get("/open")
def my_open_pulses(session: DB, viewer: ApiViewer) -> list[dict[str, Any]]:
    """The pulses open to you that you have not answered."""
    return [
        {"round_id": r.id, "pulse": r.pulse.name, "closes_on": r.closes_on}
        for r in pulses.open_rounds_for(session, viewer.person, utcnow().date())
    ]


@router.get("/rounds/{round_id}")
def get_round(session: DB, viewer: ApiViewer, round_id: PathId) -> dict[str, Any]:
    found = pulses.round_for(session, viewer.person, round_id, utcnow().date())
    return {
        "round_id": found.round.id,
        "closes_on": found.round.closes_on,
        "answered": found.answered,
        "items": [{"id": i.id, "text": i.text} for i in found.items],
        "scale": "1 strongly disagree … 5 strongly agree",
    }


@router.post("/rounds/{round_id}/responses", status_code=status.HTTP_201_CREATED)
def answer(
    data: PulseAnswer, session: DB, settings: AppSettings, viewer: ApiViewer, round_id: PathId
) -> dict[str, str]:
    """Answer anonymously: sealed until the round closes, then counted without you."""
    pulses.answer(session, viewer.person, round_id, data, utcnow().date(), settings=settings)
    return {"status": "thank you"}
