"""/api/v1/roster: import and export the roster (admins, or an admin's token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile, status
from fastapi.responses import Response

from connectwell.people import roster
from connectwell.web.deps import DB, ApiAdmin
from connectwell.web.errors import problem, problem_response

router = APIRouter()


@router.post("", responses={422: problem_response("Every problem, by row and field")})
async def import_roster(
    session: DB,
    viewer: ApiAdmin,
    file: Annotated[UploadFile, File(description="Roster CSV")],
    deactivate_missing: Annotated[bool, Query()] = False,
) -> Any:
    """Create or update people from a CSV; all rows or none."""
    try:
        parsed = roster.parse_roster(await file.read(), filename=file.filename or "roster.csv")
        summary = roster.import_roster(
            session,
            parsed,
            deactivate_missing=deactivate_missing,
            actor=viewer.person,
        )
    except roster.RosterError as error:
        session.rollback()
        return problem(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"{error.filename}: nothing imported",
            field="file",
            problems=[
                {"row": p.row, "field": p.field, "message": p.message} for p in error.problems
            ],
        )
    return {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "deactivated": summary.deactivated,
        "teams_created": summary.teams_created,
    }


@router.get("", response_class=Response)
def export_roster(session: DB, viewer: ApiAdmin, include_inactive: bool = False) -> Response:
    return Response(
        roster.export_roster(session, include_inactive=include_inactive), media_type="text/csv"
    )
