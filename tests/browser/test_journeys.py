"""Journeys through connectwell in a real Chromium, with axe-core on every page state.

Each journey signs in through the form as a person of the demo organisation and checks what
the database holds afterwards, not only what the page says.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.notify import OutboxEmail
from connectwell.people.models import Person, Team, TeamLead
from connectwell.people.service import team_paths
from tests.browser.support import (
    Axe,
    LiveApp,
    focused_description,
    is_focused,
    replace_text,
    screenshot,
    sign_in,
    tab_to,
    type_date,
)

pytestmark = pytest.mark.browser

COLUMNS = ("email", "name", "team", "manager_email", "title", "timezone", "location",
           "start_date", "role")  # fmt: skip
NEW_PEOPLE = [
    ("rhea.labs@example.org", "Rhea Labs", "Labs", "{admin}", "Head of Labs",
     "Europe/London", "London", "2024-02-01", "lead"),
    ("sam.sound@example.org", "Sam Sound", "Labs > Acoustics", "rhea.labs@example.org",
     "Acoustician", "Europe/Berlin", "Berlin", "2025-05-12", "member"),
    ("tess.field@example.org", "Tess Field", "Labs > Acoustics > Field recordings",
     "sam.sound@example.org", "Recordist", "America/New_York", "New York", "2026-01-05", "member"),
]  # fmt: skip
BAD_ROWS = [  # spreadsheet rows 2 to 5, one problem each
    ("not-an-email", "Nora Nomail", "Labs", "", "", "Europe/London", "", "", "member"),
    ("zed.zone@example.org", "Zed Zone", "Labs", "", "", "Mars/Olympus_Mons", "", "", "member"),
    ("yan.boss@example.org", "Yan Boss", "Labs", "nobody@example.org", "", "UTC", "", "", "member"),
    ("xia.date@example.org", "Xia Date", "Labs", "", "", "UTC", "", "2025-13-45", "member"),
]  # fmt: skip
BAD_ROWS_EXPECTED = [("2", "email"), ("3", "timezone"), ("4", "manager_email"), ("5", "start_date")]


def _write_csv(path: Path, rows: list[tuple[str, ...]], **values: str) -> Path:
    lines = [",".join(COLUMNS)] + [",".join(row).format(**values) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _person(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email))


def _visit(page: Page, axe: Axe, path: str, label: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    axe.check(page, label)


def test_an_admin_signs_in_imports_a_roster_and_every_page_passes_axe(
    page: Page, axe: Axe, live_app: LiveApp, tmp_path: Path
) -> None:
    admin = live_app.sign_ins["admin"]
    with live_app.factory() as session:
        manager = session.scalar(
            select(Person).where(Person.id.in_(select(Person.manager_id))).order_by(Person.id)
        )
        assert manager is not None
        parent_team = session.scalar(
            select(Team).where(Team.parent_id.is_(None)).order_by(Team.name)
        )
        assert parent_team is not None
        people_before = session.scalar(select(func.count()).select_from(Person))

    sign_in(page, admin.email, admin.password)
    expect(page).to_have_url(live_app.base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {admin.name}")
    axe.check(page, "home (admin)")
    screenshot(page, "home")

    for path, label in [
        ("/people", "people directory"),
        (f"/people/{manager.id}", "a profile with reports"),
        ("/teams", "teams"),
        (f"/teams/{parent_team.id}", "a team with teams within"),
        ("/me", "my profile"),
        ("/me/data", "what we store about me"),
        ("/inbox", "inbox"),
        ("/admin", "admin"),
        ("/admin/roster", "roster"),
    ]:
        _visit(page, axe, path, label)

    good = _write_csv(tmp_path / "new-people.csv", NEW_PEOPLE, admin=admin.email)
    page.locator("#file").set_input_files(good)
    page.get_by_label("E-mail new people an invitation").check()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("new-people.csv imported")
    expect(page.get_by_role("status")).to_contain_text("3 created")
    expect(page.get_by_role("status")).to_contain_text("3 new teams")
    axe.check(page, "roster imported")

    with live_app.factory() as session:
        people_after_import = session.scalar(select(func.count()).select_from(Person))
        assert people_after_import == people_before + 3
        tess = _person(session, "tess.field@example.org")
        rhea = _person(session, "rhea.labs@example.org")
        assert tess is not None and rhea is not None
        assert team_paths(session)[tess.team_id] == "Labs > Acoustics > Field recordings"
        assert tess.manager is not None and tess.manager.email == "sam.sound@example.org"
        assert tess.timezone == "America/New_York" and tess.start_date == dt.date(2026, 1, 5)
        assert rhea.manager is not None and rhea.manager.email == admin.email
        assert session.scalar(select(TeamLead).where(TeamLead.person_id == rhea.id)) is not None
        invited = set(session.scalars(select(OutboxEmail.to_address)))
        assert {email for email, *_ in NEW_PEOPLE} <= invited

    bad = _write_csv(tmp_path / "bad-rows.csv", BAD_ROWS)
    page.locator("#file").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("bad-rows.csv was not imported")
    expect(page.get_by_role("alert")).to_contain_text("4 problems")
    problems = page.get_by_role("table", name="Problems in bad-rows.csv")
    rows = problems.locator("tbody tr")
    expect(rows).to_have_count(len(BAD_ROWS_EXPECTED))
    found = [(row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text())
             for row in rows.all()]  # fmt: skip
    assert found == BAD_ROWS_EXPECTED
    axe.check(page, "roster with problems")
    screenshot(page, "roster-problems")

    with live_app.factory() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == people_after_import
        assert _person(session, "zed.zone@example.org") is None

    _visit(page, axe, "/teams", "teams after the import")
    expect(page.get_by_role("link", name="Labs > Acoustics > Field recordings")).to_be_visible()

    _visit(page, axe, "/admin/tokens", "API tokens")
    page.get_by_label("What it is for").fill("browser test")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("“browser test”")
    axe.check(page, "API token created")

    _visit(page, axe, "/admin/outbox", "e-mail outbox")
    expect(page.get_by_role("table")).to_contain_text("tess.field@example.org")

    with live_app.factory() as session:
        tess = _person(session, "tess.field@example.org")
        assert tess is not None
    _visit(page, axe, f"/admin/people/{tess.id}/erase", "erase a person: confirmation")
    page.get_by_label("Type their e-mail to confirm").fill("someone.else@example.org")
    page.get_by_role("button", name="Erase their personal data").click()
    expect(page.get_by_role("alert")).to_contain_text("Type the person's e-mail exactly")
    axe.check(page, "erase a person: refused")

    _visit(page, axe, "/admin/audit", "audit log")
    expect(page.get_by_role("table")).to_contain_text("created an API token")
    expect(page.get_by_role("table")).to_contain_text("imported the roster")
    page.get_by_label("Action").select_option(label="created an API token")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table")).not_to_contain_text("imported the roster")
    axe.check(page, "audit log filtered by action")
    page.set_viewport_size({"width": 390, "height": 844})  # one card per entry on a phone
    page.goto("/admin/audit")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the audit log scrolls sideways on a phone: {width}px wide"
    expect(page.get_by_role("table")).to_contain_text("imported the roster")
    axe.check(page, "audit log on a phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_app.base_url + "/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to connectwell")
    axe.check(page, "sign-in (signed out)")


def test_a_member_signs_in_with_the_keyboard_only_and_edits_their_profile(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    member = live_app.sign_ins["member"]
    page.goto("/login")
    axe.check(page, "sign-in")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).not_to_be_in_viewport()  # out of sight until it has the focus
    page.keyboard.press("Tab")
    assert is_focused(page, ".skip-link"), f"Tab first reached {focused_description(page)}"
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert is_focused(page, "main"), f"the skip link moved focus to {focused_description(page)}"
    page.keyboard.press("Tab")
    assert is_focused(page, "#email"), "the first field after the skip link is the e-mail"
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    assert is_focused(page, "#password")
    page.keyboard.type(member.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_app.base_url + "/")
    axe.check(page, "home (member)")

    tab_to(page, '.menu-wide a[href="/me"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_app.base_url + "/me")
    axe.check(page, "my profile (member)")

    tab_to(page, "#bio")
    replace_text(page, "I run the Thursday book club.")
    page.keyboard.press("Tab")
    assert is_focused(page, "#interests")
    replace_text(page, "cycling, jazz, sourdough")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_app.base_url + "/me?saved=profile")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    axe.check(page, "my profile saved")
    with live_app.factory() as session:
        person = _person(session, member.email)
        assert person is not None
        assert person.bio == "I run the Thursday book club."
        assert person.interest_list == ["cycling", "jazz", "sourdough"]
        assert person.paused_until is None

    too_late = dt.date.today() + dt.timedelta(days=400)
    tab_to(page, "#until")
    type_date(page, too_late)
    tab_to(page, "#reason")
    page.keyboard.type("A long trip")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("a pause can last at most a year")
    expect(page.locator("#until")).to_have_attribute("aria-invalid", "true")
    axe.check(page, "my profile with a bad pause date")
    screenshot(page, "my-profile-bad-pause")
    with live_app.factory() as session:
        person = _person(session, member.email)
        assert person is not None and person.paused_until is None

    back = dt.date.today() + dt.timedelta(days=30)
    tab_to(page, "#until")
    type_date(page, back)
    tab_to(page, "#reason")
    page.keyboard.type("Parental leave")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_app.base_url + "/me?saved=pause")
    expect(page.locator("#pause")).to_contain_text("Paused until")
    expect(page.locator("#pause")).to_contain_text("Parental leave")
    axe.check(page, "my profile paused")
    with live_app.factory() as session:
        person = _person(session, member.email)
        assert person is not None
        assert (person.paused_until, person.pause_reason) == (back, "Parental leave")

    tab_to(page, '.menu-wide a[href="/"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your participation is paused until")
    axe.check(page, "home (member, paused)")


def test_a_member_cannot_open_admin_pages_in_the_browser(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    member = live_app.sign_ins["member"]
    sign_in(page, member.email, member.password)
    expect(page).to_have_url(live_app.base_url + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).not_to_contain_text(
        ["Admin"]
    )

    paths = ["/admin", "/admin/roster", "/admin/tokens", "/admin/outbox", "/admin/roster.csv",
             "/admin/audit", "/admin/audit.csv", "/admin/people/1/erase"]  # fmt: skip
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 403, f"{path}: {response}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(page.get_by_role("alert")).to_have_text("admins only")
    axe.check(page, "403 not allowed")
    screenshot(page, "not-allowed")


def test_a_wrong_password_shows_a_clear_message_and_passes_axe(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    lead = live_app.sign_ins["lead"]
    sign_in(page, lead.email, "not-the-password")

    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page.locator("#email")).to_have_value(lead.email)
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password")).to_have_attribute("aria-describedby", "password-error")
    expect(page.locator("#password-error")).to_have_text("Wrong e-mail or password.")
    expect(page).to_have_url(live_app.base_url + "/login")
    axe.check(page, "sign-in with a wrong password")
    screenshot(page, "sign-in-wrong-password")


def test_an_admin_runs_a_round_and_a_member_answers_did_you_meet_with_three_taps(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    from connectwell.core.ballots import Ballot
    from connectwell.programs.models import GroupMember, Program

    admin, member = live_app.sign_ins["admin"], live_app.sign_ins["member"]
    with live_app.factory() as session:  # another journey may have paused the member
        person = _person(session, member.email)
        assert person is not None
        person.paused_until = None
        session.commit()
    sign_in(page, admin.email, admin.password)
    _visit(page, axe, "/admin/programs", "admin: programmes")
    with live_app.factory() as session:
        coffee = session.scalar(select(Program).where(Program.name == "Coffee across teams"))
        assert coffee is not None
        before = session.scalar(select(func.count()).select_from(Ballot))
    _visit(page, axe, f"/admin/programs/{coffee.id}", "admin: a programme's rounds")
    round_on = dt.date.today() + dt.timedelta(days=1)
    page.locator("#round_on").evaluate("(el, value) => { el.value = value }", round_on.isoformat())
    page.get_by_role("button", name="Run now").click()
    expect(page.get_by_role("status")).to_contain_text("The round ran")
    axe.check(page, "admin: a round just ran")
    page.get_by_role("button", name=f"Sign out {admin.name}").click()

    sign_in(page, member.email, member.password)
    _visit(page, axe, "/programs", "member: programmes")
    _visit(page, axe, "/pairings", "member: pairings")
    page.get_by_role("link", name=round_on.strftime("%-d %b %Y")).click()
    expect(page.get_by_role("heading", level=2, name="You meet", exact=True)).to_be_visible()
    axe.check(page, "member: a pairing")
    page.get_by_label("Yes, we met").check()
    for element in ("positive_regard", "mutuality", "vitality"):
        page.locator(f"label[for={element}-4]").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Your answer is saved")
    axe.check(page, "member: a pairing answered")
    with live_app.factory() as session:
        assert session.scalar(select(func.count()).select_from(Ballot)) == before + 1  # sealed
        answered = session.scalar(
            select(func.count()).where(
                GroupMember.person_id == _person(session, member.email).id,  # type: ignore[union-attr]
                GroupMember.met.is_(True),
                GroupMember.answered_at.is_not(None),
            )
        )
        assert answered and answered >= 1

    _visit(page, axe, "/me/never-pair", "member: never pair")
    page.get_by_label("Colleague's e-mail").fill("ghost@example.org")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("alert")).to_contain_text("ghost@example.org")
    axe.check(page, "member: never pair with an unknown e-mail")


def test_a_member_gives_a_shout_out_and_the_colleague_adds_a_plus_one(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    from connectwell.core.notify import Notification
    from connectwell.shoutouts.models import Reaction, ShoutOut

    member, lead = live_app.sign_ins["member"], live_app.sign_ins["lead"]
    stamp = dt.datetime.now().strftime("%H:%M:%S.%f")
    message = f"Thank you for the review <b>today</b> ({stamp}).\nNotes: https://example.org/notes"
    sign_in(page, member.email, member.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shout-outs").click()
    expect(page).to_have_url(live_app.base_url + "/shoutouts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shout-outs")
    axe.check(page, "member: shout-outs")

    page.get_by_label("To colleagues").fill(lead.email)
    page.get_by_label("What did they do that mattered?").fill(message)
    page.get_by_label("Task enabling").check()
    page.get_by_role("button", name="Send the shout-out").click()
    expect(page.get_by_role("status")).to_contain_text("Your shout-out is on its way")
    top = page.locator("#feed > li").first
    expect(top.get_by_role("heading", level=3)).to_have_text(
        f"{member.name} appreciated {lead.name}"
    )
    expect(top.locator(".message")).to_have_text(message)  # the <b> shown as text
    expect(top.get_by_role("link", name="https://example.org/notes")).to_have_attribute(
        "rel", "noopener nofollow ugc"
    )
    axe.check(page, "member: shout-out given")
    screenshot(page, "shoutout-given")
    with live_app.factory() as session:
        shoutout = session.scalar(select(ShoutOut).order_by(ShoutOut.id.desc()).limit(1))
        assert shoutout is not None and shoutout.message == message
        assert shoutout.sender.email == member.email and shoutout.pathway == "enabling"
        assert [r.person.email for r in shoutout.recipients if r.person] == [lead.email]
        shoutout_id = shoutout.id
        note = session.scalar(
            select(Notification).where(Notification.link == f"/shoutouts/{shoutout_id}")
        )
        assert note is not None and message in note.body

    page.get_by_role("button", name=f"Sign out {member.name}").click()
    sign_in(page, lead.email, lead.password)
    _visit(page, axe, "/inbox", "lead: inbox with a shout-out")
    expect(page.get_by_role("heading", name=f"{member.name} appreciated you").first).to_be_visible()
    _visit(page, axe, "/shoutouts", "lead: shout-outs")
    top = page.locator("#feed > li").first
    expect(top.locator(".message")).to_have_text(message)
    plus_one = top.get_by_role("button", name="+1 thanks")
    expect(plus_one).to_have_attribute("aria-pressed", "false")
    plus_one.click()  # htmx swaps in the shout-out's reactions; the page stays
    expect(top.get_by_role("button", name="+1 thanks 1")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(live_app.base_url + "/shoutouts")
    axe.check(page, "lead: +1 added")
    with live_app.factory() as session:
        kinds = session.scalars(
            select(Reaction.kind).where(
                Reaction.shoutout_id == shoutout_id,
                Reaction.person_id
                == select(Person.id).where(Person.email == lead.email).scalar_subquery(),
            )
        ).all()
        assert kinds == ["thanks"]
    _visit(page, axe, "/me/appreciation", "lead: my appreciation")


def test_insights_show_a_chart_with_its_table_and_a_member_answers_a_pulse(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    from connectwell.core.ballots import Ballot
    from connectwell.pulses import service as pulses
    from connectwell.pulses.models import Participation, Pulse

    admin, lead, member = (live_app.sign_ins[r] for r in ("admin", "lead", "member"))
    sign_in(page, admin.email, admin.password)
    _visit(page, axe, "/insights/org", "admin: organisation insights")
    expect(page.locator("svg.chart")).to_be_visible()
    table = page.get_by_role("table", name="Latest published score of each construct")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == page.locator("svg.chart rect").count() > 0
    expect(table).to_contain_text("asked in the pulse of")
    expect(page.get_by_text("no clear change").first).to_be_visible()
    expect(page.get_by_role("heading", name="How the teams below compare")).to_be_visible()
    expect(
        page.get_by_text("Share of the differences in answers that lies between").first
    ).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the insights page scrolls sideways on a phone: {width}px wide"
    axe.check(page, "admin: organisation insights on a phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    _visit(page, axe, "/admin/pulses", "admin: pulses")
    _visit(page, axe, "/admin/bank", "admin: the item bank")
    page.get_by_role("button", name=f"Sign out {admin.name}").click()

    sign_in(page, lead.email, lead.password)
    page.goto("/insights")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Insights: Engineering > Platform")
    axe.check(page, "lead: team insights")
    page.get_by_role("button", name=f"Sign out {lead.name}").click()

    with live_app.factory() as session:  # open today's pulse round for everyone
        pulse = session.scalar(select(Pulse))
        assert pulse is not None
        row = pulses.open_round(session, pulse, dt.date.today(), actor=None)
        session.commit()
        round_id = (
            row.id
            if row is not None
            else session.scalar(
                select(Participation.round_id).order_by(Participation.round_id.desc()).limit(1)
            )
        )
        before = session.scalar(select(func.count()).select_from(Ballot))
    sign_in(page, member.email, member.password)
    _visit(page, axe, "/pulses", "member: open pulses")
    _visit(page, axe, f"/pulses/{round_id}", "member: a pulse")
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send anonymously").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are sealed until")
    axe.check(page, "member: pulse answered")
    with live_app.factory() as session:
        assert session.scalar(select(func.count()).select_from(Ballot)) == before + 1  # sealed
