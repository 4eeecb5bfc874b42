"""Every page form refused: 422, the plain message beside its field, what was typed kept.

One test per migrated form; each also checks that nothing was written.
"""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.accounts.models import ApiToken
from connectwell.goals.models import Contribution, Goal
from connectwell.people.models import Person
from connectwell.programs.models import CheckIn, NeverPair, Program
from connectwell.pulses.models import Construct, Item, Pulse, Response
from connectwell.shoutouts.models import Value
from tests.conftest import Cast
from tests.web.conftest import AsPerson, fresh, outbox, post_form
from tests.web.programs_setup import coffee, group_of
from tests.web.pulses_setup import open_round
from tests.web.shoutouts_setup import give, stored

RAW = ("Value error", "should be", "Should be", "Field required", "Input should", "String should")


def _count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _refused(response: httpx.Response, field: str, message: str) -> None:
    """422, the message in the summary and beside the field, the field marked invalid."""
    html = response.text
    assert response.status_code == 422, html
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert 'class="error error-summary" role="alert"' in html
    assert re.search(
        rf'id="{re.escape(field)}"[^>]*aria-(?:invalid="true"|describedby="[^"]*{re.escape(field)}-error)',
        html,
    )
    assert not any(raw in html for raw in RAW)
    assert f"{field}: " not in html


def test_it_refuses_a_goal_without_a_title_keeping_the_rest(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {"title": "  ", "done_looks_like": "Ten sessions", "target": "10", "due_on": "later"}

    response = post_form(as_person(cast.member), f"/teams/{cast.platform.id}/goals", sent)

    _refused(response, "title", "Enter the title.")
    _refused(response, "due_on", "The due date must be a date, like 2026-03-31.")
    assert ">Ten sessions</textarea>" in response.text and 'value="10"' in response.text
    assert 'value="later"' in response.text
    assert _count(db, Goal) == 0


def test_it_refuses_progress_that_is_not_a_number(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    client = as_person(cast.member)
    goal_data = {"title": "Sessions", "done_looks_like": "Done", "target": "5"}
    post_form(client, f"/teams/{cast.platform.id}/goals", goal_data)
    goal = db.scalar(select(Goal))
    assert goal is not None

    response = post_form(client, f"/goals/{goal.id}/progress", {"amount": "lots", "note": "Hi"})

    _refused(response, "amount", "The amount must be a number.")
    assert 'value="lots"' in response.text and ">Hi</textarea>" in response.text
    assert _count(db, Contribution) == 0


def test_it_refuses_a_shout_out_to_no_team_keeping_the_chosen_options(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {"message": "", "team_ids": str(cast.support.id), "pathway": "enabling",
            "visibility": "private"}  # fmt: skip

    response = post_form(as_person(cast.member), "/shoutouts", sent)

    _refused(response, "message", "Enter the message.")
    assert re.search(rf'<option value="{cast.support.id}" selected>', response.text)
    assert 'value="enabling" checked' in response.text
    assert 'value="private" checked' in response.text
    assert stored(db) == []


def test_it_refuses_to_hide_without_a_reason(
    db: Session,
    cast: Cast,
    settings,
    as_person: AsPerson,  # type: ignore[no-untyped-def]
) -> None:
    shoutout = give(db, settings, cast.lead, "Fine", person_ids=[cast.member.id])

    response = post_form(as_person(cast.admin), f"/shoutouts/{shoutout.id}/hide", {})

    _refused(response, "reason", "say why (at least 3 characters)")
    db.expire_all()
    assert stored(db)[0].hidden_at is None


def test_it_refuses_a_pulse_with_a_bad_hour_keeping_the_name(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {"name": "Weekly", "local_hour": "noon", "starts_on": "2026-01-05",
            "audience": "teams"}  # fmt: skip

    response = post_form(as_person(cast.admin), "/admin/pulses", sent)

    _refused(response, "local_hour", "The hour must be a whole number.")
    assert 'id="name" name="name" value="Weekly"' in response.text
    assert '<option value="teams" selected>' in response.text
    assert _count(db, Pulse) == 0


def test_it_refuses_a_construct_key_in_the_wrong_form_and_a_short_statement(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    client = as_person(cast.admin)
    client.get("/admin/bank")  # the built-in bank
    before = (_count(db, Construct), _count(db, Item))

    construct = post_form(client, "/admin/bank/constructs", {"key": "Bad Key", "name": "Mine"})
    construct_id = db.scalar(select(Construct.id))
    sent = {"construct_id": str(construct_id), "text": "Hm", "reverse_coded": "on"}
    item = post_form(client, "/admin/bank/items", sent)

    _refused(construct, "key", "The key is not in the expected form.")
    assert 'id="name" name="name" value="Mine"' in construct.text
    _refused(item, "text", "The statement needs at least 5 characters.")
    assert 'id="reverse_coded" name="reverse_coded" value="on"' in item.text
    assert re.search(r'id="reverse_coded"[^>]*checked', item.text)
    assert (_count(db, Construct), _count(db, Item)) == before


def test_it_refuses_a_programme_for_teams_without_a_team(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {"name": "Coffee", "audience": "teams", "starts_on": "2026-01-05", "cadence": "weekly"}

    response = post_form(as_person(cast.admin), "/admin/programs", sent)

    _refused(response, "team_ids", "choose at least one team for a teams audience")
    assert '<option value="weekly" selected>' in response.text
    assert _count(db, Program) == 0


def test_it_refuses_a_score_out_of_range_keeping_the_answer(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    sent = {"met": "yes", "positive_regard": "9", "mutuality": "2", "vitality": "3",
            "private_note": "Nice"}  # fmt: skip

    response = post_form(as_person(cast.member), f"/pairings/{group.id}/answer", sent)

    _refused(response, "positive_regard", "The positive regard score must be 5 or less.")
    assert 'id="met-yes" name="met" value="yes" required checked' in response.text
    assert 'id="mutuality-2" name="mutuality" value="2" checked' in response.text
    assert ">Nice</textarea>" in response.text
    assert _count(db, CheckIn) == 0


def test_it_refuses_a_move_to_the_past(db: Session, cast: Cast, as_person: AsPerson) -> None:
    program = coffee(db)
    group = group_of(db, program, cast.member.id)
    before = group.slot_start

    response = post_form(
        as_person(cast.member), f"/pairings/{group.id}/reschedule", {"start": "2020-01-01T10:00"}
    )

    _refused(response, "start", "choose a time in the future")
    assert 'value="2020-01-01T10:00"' in response.text
    db.expire_all()
    assert group_of(db, program, cast.member.id).slot_start == before


def test_it_refuses_a_profile_with_half_the_working_hours(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {"bio": "New bio", "interests": "chess, go", "work_start": "08:00", "work_end": ""}

    response = post_form(as_person(cast.member), "/me", sent)

    _refused(response, "work_end", "give the end of your working hours too")
    assert ">New bio</textarea>" in response.text and 'value="chess, go"' in response.text
    assert fresh(db, cast.member).bio != "New bio"


def test_it_refuses_a_pause_without_a_date(db: Session, cast: Cast, as_person: AsPerson) -> None:
    response = post_form(as_person(cast.member), "/me/pause", {"reason": "Leave"})

    _refused(response, "until", "Enter the last day of the pause.")
    assert 'id="reason" name="reason" value="Leave"' in response.text
    assert fresh(db, cast.member).paused_until is None


def test_it_refuses_never_pairing_with_an_unknown_email(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    response = post_form(as_person(cast.member), "/me/never-pair", {"email": "ghost@example.org"})

    assert response.status_code == 422
    assert 'id="email" name="email" value="ghost@example.org"' in response.text
    assert '<p class="field-error" id="email-error">' in response.text
    assert _count(db, NeverPair) == 0


def test_it_refuses_a_pulse_answer_out_of_the_scale(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    row = open_round(db)
    first, second = row.item_ids[0], row.item_ids[1]
    sent = {f"item-{first}": "7", f"item-{second}": "2", "comment": "Kept"}

    response = post_form(as_person(cast.member), f"/pulses/{row.id}", sent)

    _refused(response, f"item-{first}",
             "Choose one of the five answers, from 1 to 5, or skip the statement.")  # fmt: skip
    assert f'id="item-{second}-2" name="item-{second}" value="2" checked' in response.text
    assert ">Kept</textarea>" in response.text
    assert _count(db, Response) == 0


def test_it_refuses_a_sign_in_without_a_password_keeping_the_email(
    client: TestClient, cast: Cast, db: Session
) -> None:
    response = post_form(client, "/login", {"email": cast.member.email, "password": ""})

    _refused(response, "password", "Enter the password.")
    assert f'value="{cast.member.email}"' in response.text
    assert "cw_session" not in response.cookies


def test_it_refuses_a_forgotten_password_request_without_an_email(
    client: TestClient, db: Session, cast: Cast
) -> None:
    response = post_form(client, "/password/forgot", {"email": ""})

    _refused(response, "email", "Enter the e-mail.")
    assert outbox(db) == []


def test_it_refuses_two_different_new_passwords_and_never_shows_them(
    client: TestClient,
    db: Session,
    cast: Cast,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from connectwell.accounts import service as accounts

    accounts.request_reset(db, cast.member.email, settings)
    db.commit()
    (email,) = outbox(db)
    secret = re.search(r"/password/([\w-]+)", email.text_body).group(1)  # type: ignore[union-attr]

    response = post_form(client, f"/password/{secret}",
                         {"password": "long enough one", "confirm": "long enough two"})  # fmt: skip

    _refused(response, "confirm", "The two passwords are not the same.")
    assert "long enough" not in response.text


def test_it_refuses_a_roster_upload_without_a_file_keeping_the_checkboxes(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    before = _count(db, Person)

    response = post_form(as_person(cast.admin), "/admin/roster", {"invite": "true"})

    _refused(response, "file", "Choose a CSV or Excel file to upload.")
    assert re.search(r'id="invite"[^>]*checked', response.text)
    assert _count(db, Person) == before


def test_it_refuses_a_token_for_nobody_keeping_what_it_is_for(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {"owner_email": "ghost@example.org", "name": "sync"}

    response = post_form(as_person(cast.admin), "/admin/tokens", sent)

    _refused(response, "owner_email", "nobody has the e-mail &#39;ghost@example.org&#39;")
    assert 'id="name" name="name" value="sync"' in response.text
    assert _count(db, ApiToken) == 0


def test_it_refuses_a_value_with_a_name_too_long(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    response = post_form(as_person(cast.admin), "/admin/values",
                         {"name": "x" * 201, "description": "Kept"})  # fmt: skip

    _refused(response, "name", "The name can be at most 200 characters.")
    assert ">Kept</textarea>" in response.text
    assert _count(db, Value) == 0


def test_it_refuses_an_unknown_lead_keeping_the_emails(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    before = [lead.person_id for lead in cast.platform.leads]

    response = post_form(as_person(cast.admin), f"/teams/{cast.platform.id}/leads",
                         {"emails": "ghost@example.org"})  # fmt: skip

    assert response.status_code == 422
    assert '<p class="field-error" id="emails-error">' in response.text
    assert 'id="emails" name="emails" value="ghost@example.org"' in response.text
    db.expire_all()
    assert [lead.person_id for lead in db.merge(cast.platform).leads] == before


def test_it_words_fastapis_own_form_errors_plainly_on_a_page(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    # /admin/pulses/{id}/open now reads its date with read_form (shown beside the field, in
    # test_admin_pulses_pages); /me/digest still takes a bare ``Form()`` that FastAPI checks.
    response = post_form(as_person(cast.member), "/me/digest", {"subscribed": "maybe"})

    assert response.status_code == 422
    assert "Choose yes or no for the subscribed." in response.text
    assert not any(raw in response.text for raw in RAW) and "bool_parsing" not in response.text
