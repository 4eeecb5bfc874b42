"""Shout-outs: the feed, giving one, reacting, a single shout-out, and (admins) hiding one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.core.words import PATHWAY_NAMES
from connectwell.people import service as people
from connectwell.shoutouts import service, values
from connectwell.shoutouts.feed_view import FeedView, feed_view
from connectwell.shoutouts.models import REACTIONS, Pathway, ShoutOut, Visibility
from connectwell.shoutouts.schemas import FeedFilter, FeedItem, ShoutOutIn
from connectwell.web.deps import CSRF, DB, AppSettings, PageAdmin, PageViewer, Viewer
from connectwell.web.forms import PageForm, parse_form, read_form
from connectwell.web.templating import render

router = APIRouter()
PAGE_SIZE = 20
PATHWAYS = [(p.value, PATHWAY_NAMES[p.value].capitalize()) for p in Pathway]
VISIBILITIES = (
    (Visibility.everyone.value, "Everyone"),
    (Visibility.teams.value, "The recipients' teams"),
    (Visibility.private.value, "Only you and the recipients"),
)
EMOJI_NAMES = {"🎉": "celebrate", "🙌": "raised hands", "💡": "bright idea", "❤️": "love",
               "😄": "smile"}  # fmt: skip
BACK = {"feed": "/shoutouts#shoutout-{id}", "single": "/shoutouts/{id}"}
# What every template showing a shout-out reads.
SHOWN = {"emoji_names": EMOJI_NAMES, "reactions": REACTIONS}


@dataclass(frozen=True)
class Item:
    """A shout-out as anyone who may see it sees it, and the viewer's own reactions."""

    shoutout: FeedItem
    mine: set[str]


def _items(shoutouts: list[ShoutOut], viewer: Viewer) -> list[Item]:
    feed_items = service.feed_items(shoutouts)
    return [
        Item(item, service.reactions_of(shoutout, viewer.person.id))
        for item, shoutout in zip(feed_items, shoutouts, strict=True)
    ]


def _number(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@dataclass(frozen=True)
class FeedQuery:
    """The feed's filters as the form sent them (kept for the form and the next-page link)."""

    team_id: str = ""
    pathway: str = ""
    value_id: str = ""
    person: str = ""  # an e-mail, typed in the form
    person_id: str = ""  # from a link

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _feed_filter(session: DB, query: FeedQuery) -> FeedFilter:
    person_id = _number(query.person_id)
    if query.person.strip():
        found = people.find_by_email(session, query.person)
        if found is None:
            raise service.ShoutOutError("person", f"nobody here has the e-mail {query.person!r}")
        person_id = found.id
    pathway = query.pathway if query.pathway in {p.value for p in Pathway} else None
    return FeedFilter(
        team_id=_number(query.team_id),
        pathway=Pathway(pathway) if pathway else None,
        value_id=_number(query.value_id),
        person_id=person_id,
    )


def _feed_page(
    request: Request,
    session: DB,
    viewer: Viewer,
    query: FeedQuery,
    *,
    before: int | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view = FeedView([], {}, None)
    try:
        filters = _feed_filter(session, query)
        view = feed_view(session, viewer.person, filters, before=before, limit=PAGE_SIZE)
    except service.ShoutOutError as error:  # an unknown person: say so, show nothing
        extra["filter_error"] = error
        status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    cursor = view.cursor
    context: dict[str, Any] = {
        "items": [Item(item, view.mine[item.id]) for item in view.items],
        "next_url": f"/shoutouts?{urlencode({**query.params(), 'before': cursor})}"
        if cursor
        else None,
        "query": query,
        "back": "feed",
        **SHOWN,
    }
    if request.headers.get("hx-request") and before is not None:
        return render(request, "_shoutout_items.html", context, session=session)
    context |= {
        "teams": people.team_choices(session),
        "values": values.list_values(session),
        "pathways": PATHWAYS,
        "visibilities": VISIBILITIES,
        "form": extra.pop("form", PageForm()),
        **extra,
    }
    return render(request, "shoutouts.html", context, session=session, status_code=status_code)


@router.get("/shoutouts")
def feed(
    request: Request,
    session: DB,
    viewer: PageViewer,
    team_id: Annotated[str, Query(max_length=12)] = "",
    pathway: Annotated[str, Query(max_length=12)] = "",
    value_id: Annotated[str, Query(max_length=12)] = "",
    person: Annotated[str, Query(max_length=254)] = "",
    person_id: Annotated[str, Query(max_length=12)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
    to: int | None = None,
    to_team: int | None = None,
) -> Response:
    """The feed, newest first; ``to`` and ``to_team`` fill in the give form's recipients."""
    form: PageForm[ShoutOutIn] = PageForm()
    if to is not None and (recipient := people.get_person(session, to)).id != viewer.person.id:
        form.values["emails"] = recipient.email
    if to_team is not None:
        form.values["team_ids"] = [str(people.get_team(session, to_team).id)]
    query = FeedQuery(team_id, pathway, value_id, person, person_id)
    return _feed_page(request, session, viewer, query, before=before, form=form)


GIVE_LABELS = {"team_ids": "team", "person_ids": "colleague", "value_id": "value"}
# The give form has one field for people (their e-mails) and one for teams.
GIVE_MOVED = {"person_ids": "emails", "recipients": "emails"}


@router.post("/shoutouts", dependencies=[CSRF])
async def give(
    request: Request, session: DB, settings: AppSettings, viewer: PageViewer
) -> Response:
    sent = await request.form()
    emails = sent.get("emails")
    try:
        person_ids = service.people_ids_for_emails(
            session, emails if isinstance(emails, str) else ""
        )
        refused = None
    except service.ShoutOutError as error:
        person_ids, refused = [], error
    form = parse_form(sent, ShoutOutIn, labels=GIVE_LABELS, moved=GIVE_MOVED, person_ids=person_ids)
    if refused is not None:  # the e-mail nobody has, not "name at least one person"
        form.problems.pop("emails", None)
        form.refuse(refused)
    if form.ok:
        try:
            shoutout = service.give(session, viewer.person, form.valid, settings)
        except service.ShoutOutError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(
                f"/shoutouts?given={shoutout.id}#shoutout-{shoutout.id}",
                status.HTTP_303_SEE_OTHER,
            )
    return _feed_page(
        request, session, viewer, FeedQuery(), form=form, status_code=form.status_code
    )


def _single_page(
    request: Request,
    session: DB,
    viewer: Viewer,
    shoutout_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    shoutout = service.get_visible(session, viewer.person, shoutout_id)
    return render(
        request,
        "shoutout.html",
        {
            "item": _items([shoutout], viewer)[0],
            "back": "single",
            "hide_form": extra.pop("hide_form", PageForm()),
            **SHOWN,
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/shoutouts/{shoutout_id}")
def single(request: Request, session: DB, viewer: PageViewer, shoutout_id: int) -> Response:
    return _single_page(request, session, viewer, shoutout_id)


def _reacted(
    request: Request, session: DB, viewer: Viewer, shoutout_id: int, back: str
) -> Response:
    """htmx gets the shout-out's reactions again; a browser without it goes back."""
    if request.headers.get("hx-request"):
        session.expire_all()
        item = _items([service.get_visible(session, viewer.person, shoutout_id)], viewer)[0]
        context = {"item": item, "back": back, **SHOWN}
        return render(request, "_reactions.html", context, session=session)
    target = BACK.get(back, BACK["single"]).format(id=shoutout_id)
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.post("/shoutouts/{shoutout_id}/reactions", dependencies=[CSRF])
def react(
    request: Request,
    session: DB,
    viewer: PageViewer,
    shoutout_id: int,
    kind: Annotated[str, Form(max_length=16)],
    back: Annotated[str, Form(max_length=10)] = "single",
) -> Response:
    service.react(session, viewer.person, shoutout_id, kind)
    return _reacted(request, session, viewer, shoutout_id, back)


@router.post("/shoutouts/{shoutout_id}/reactions/remove", dependencies=[CSRF])
def unreact(
    request: Request,
    session: DB,
    viewer: PageViewer,
    shoutout_id: int,
    kind: Annotated[str, Form(max_length=16)],
    back: Annotated[str, Form(max_length=10)] = "single",
) -> Response:
    service.unreact(session, viewer.person, shoutout_id, kind)
    return _reacted(request, session, viewer, shoutout_id, back)


class HideForm(BaseModel):
    """Why an admin hides a shout-out (the service asks for a few words)."""

    reason: Annotated[str, Field(max_length=500)] = ""


@router.post("/shoutouts/{shoutout_id}/hide", dependencies=[CSRF])
async def hide(request: Request, session: DB, viewer: PageAdmin, shoutout_id: int) -> Response:
    """Admins hide a shout-out from everyone; the audit log keeps who and why."""
    form = await read_form(request, HideForm)
    if form.data is not None:
        try:
            service.hide(session, viewer.person, shoutout_id, form.data.reason)
        except service.ShoutOutNotFound:
            raise
        except service.ShoutOutError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/admin/audit?hidden={shoutout_id}", status.HTTP_303_SEE_OTHER)
    return _single_page(
        request, session, viewer, shoutout_id, hide_form=form, status_code=form.status_code
    )
