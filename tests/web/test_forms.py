"""web/forms.py: a form read into a model, plain messages by field, and what was entered."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, StringConstraints, ValidationError, model_validator
from starlette.datastructures import FormData

from connectwell.core.errors import Conflict, Invalid, NotFound
from connectwell.goals.service import GoalError
from connectwell.programs.schemas import ProgramIn
from connectwell.web.forms import (
    REQUEST_PARTS,
    PageForm,
    parse_form,
    placed,
    plain_problems,
    problem_of,
)
from connectwell.web.templating import templates


class Colour(enum.Enum):
    red = "red"
    blue = "blue"


class Sample(BaseModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]
    code: Annotated[str, StringConstraints(min_length=3, pattern=r"^[a-z]+$")] = "abc"
    count: Annotated[int, Field(ge=1, le=5)] = 1
    share: Annotated[float, Field(gt=0, lt=1)] = 0.5
    due_on: dt.date | None = Field(default=None, title="due date")
    at: dt.time | None = None
    colour: Colour = Colour.red
    size: Literal["s", "m"] = "s"
    team_ids: Annotated[list[int], Field(max_length=2)] = []
    agree: bool = False

    @model_validator(mode="after")
    def _rule(self) -> Sample:
        if self.title == "taken":
            raise ValueError("title: choose another title, that one is taken")
        return self


def _form(*pairs: tuple[str, str]) -> FormData:
    return FormData([("csrf_token", "secret"), *pairs])


def _problems(*pairs: tuple[str, str], **labels: str) -> dict[str, str]:
    return parse_form(_form(("title", "A title"), *pairs), Sample, labels=labels).problems


def test_it_reads_a_valid_form_into_the_model() -> None:
    form = parse_form(
        _form(("title", " Hello "), ("count", "3"), ("team_ids", "4"), ("team_ids", "7"),
              ("agree", "on"), ("due_on", "2026-03-31"), ("colour", "blue")),
        Sample,
    )  # fmt: skip

    assert form.ok and form.problems == {}
    assert form.valid == Sample(title="Hello", count=3, team_ids=[4, 7], agree=True,
                                due_on=dt.date(2026, 3, 31), colour=Colour.blue)  # fmt: skip


def test_it_treats_empty_strings_as_missing_so_defaults_apply() -> None:
    form = parse_form(_form(("title", "T"), ("count", ""), ("due_on", ""), ("code", "")), Sample)

    assert form.valid.count == 1 and form.valid.due_on is None and form.valid.code == "abc"


def test_it_collects_every_value_of_a_list_field_and_drops_empty_ones() -> None:
    form = parse_form(_form(("title", "T"), ("team_ids", ""), ("team_ids", "9")), Sample)

    assert form.valid.team_ids == [9]
    assert form.values["team_ids"] == ["", "9"]


def test_it_reads_a_checkbox_as_a_boolean() -> None:
    ticked = parse_form(_form(("title", "T"), ("agree", "true")), Sample)
    unticked = parse_form(_form(("title", "T")), Sample)
    off = parse_form(_form(("title", "T"), ("agree", "off")), Sample)

    assert ticked.valid.agree is True and unticked.valid.agree is False
    assert off.valid.agree is False


@pytest.mark.parametrize(
    ("pairs", "field", "message"),
    [
        ((("title", "  "),), "title", "Enter the title."),
        ((("title", "x" * 11),), "title", "The title can be at most 10 characters."),
        ((("code", "ab"),), "code", "The code needs at least 3 characters."),
        ((("code", "ABC"),), "code", "The code is not in the expected form."),
        ((("count", "two"),), "count", "The count must be a whole number."),
        ((("count", "2.5"),), "count", "The count must be a whole number."),
        ((("count", "0"),), "count", "The count must be 1 or more."),
        ((("count", "9"),), "count", "The count must be 5 or less."),
        ((("share", "lots"),), "share", "The share must be a number."),
        ((("share", "0"),), "share", "The share must be more than 0."),
        ((("share", "1"),), "share", "The share must be less than 1."),
        ((("due_on", "soon"),), "due_on", "The due date must be a date, like 2026-03-31."),
        ((("at", "noon"),), "at", "The at must be a time, like 09:00."),
        ((("colour", "green"),), "colour", "Choose one of the options for the colour."),
        ((("size", "xl"),), "size", "Choose one of the options for the size."),
        ((("team_ids", "1"), ("team_ids", "2"), ("team_ids", "3")), "team_ids",
         "Choose at most 2 teams."),
        ((("team_ids", "one"),), "team_ids", "The team must be a whole number."),
        ((("title", "taken"),), "title", "choose another title, that one is taken"),
    ],
)  # fmt: skip
def test_it_words_each_error_type_plainly_beside_its_field(
    pairs: tuple[tuple[str, str], ...], field: str, message: str
) -> None:
    problems = parse_form(_form(("title", "A title"), *pairs), Sample).problems

    assert problems == {field: message}
    assert "Value error" not in message and "should" not in message and ": " not in message[:12]


def test_it_says_what_is_missing_by_the_kind_of_field() -> None:
    class Needs(BaseModel):
        name: str
        colour: Colour
        team_ids: list[int] = Field(min_length=1)

    form = parse_form(_form(), Needs)

    assert form.problems == {
        "name": "Enter the name.",
        "colour": "Choose the colour.",
        "team_ids": "Choose at least one team.",
    }


def test_it_uses_the_labels_given_then_the_models_title() -> None:
    problems = _problems(("count", "x"), ("due_on", "x"), count="number of people")

    assert problems["count"] == "The number of people must be a whole number."
    assert problems["due_on"] == "The due date must be a date, like 2026-03-31."


def test_it_files_a_model_rule_under_the_field_its_message_names() -> None:
    data = {"name": "Coffee", "audience": "teams", "starts_on": "2026-01-05"}
    with pytest.raises(ValidationError) as raised:
        ProgramIn.model_validate(data)

    assert plain_problems(raised.value.errors(), ProgramIn) == {
        "team_ids": "choose at least one team for a teams audience"
    }


def test_it_words_fastapis_request_errors_the_same_way() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "email"), "msg": "Field required", "input": None},
        {"type": "int_parsing", "loc": ("query", "page"), "msg": "Input should be a valid integer"},
    ]

    assert plain_problems(errors, skip=("body", "query")) == {
        "email": "Enter the e-mail.",
        "page": "The page must be a whole number.",
    }


def test_it_places_a_validators_own_message_by_the_name_it_starts_with() -> None:
    whole_body = {"type": "value_error", "loc": ("body",), "msg": "Value error, to: name one"}
    on_a_field = {"type": "value_error", "loc": ("body", "to", 0), "msg": "Value error, no"}
    pydantics = {"type": "missing", "loc": ("query", "page"), "msg": "Field required"}

    assert placed(whole_body, REQUEST_PARTS) == (("to",), "name one")
    assert placed(on_a_field, REQUEST_PARTS) == (("to", "0"), "no")
    assert placed(pydantics, REQUEST_PARTS) == (("page",), "Field required")
    assert plain_problems([whole_body], skip=REQUEST_PARTS) == {"to": "name one"}


def test_it_keeps_what_was_entered_but_never_the_csrf_token() -> None:
    form = parse_form(
        _form(("title", "x" * 11), ("count", "nine"), ("team_ids", "2"), ("team_ids", "5"),
              ("colour", "blue"), ("note", "not a field")),
        Sample,
    )  # fmt: skip

    assert not form.ok and form.data is None
    assert form.value("title") == "x" * 11 and form.value("count") == "nine"
    assert form.value("note") == "not a field" and "csrf_token" not in form.values
    assert form.chosen("team_ids", 5) and not form.chosen("team_ids", 3)
    assert form.chosen("colour", "blue") and not form.chosen("colour", "red", default="red")


def test_a_blank_form_shows_the_defaults() -> None:
    blank: PageForm[Sample] = PageForm()

    assert blank.value("title") == "" and blank.value("count", 3) == "3"
    assert blank.chosen("colour", "red", default="red") and not blank.chosen("colour", "blue")
    assert blank.chosen("team_ids", 2, default=[1, 2]) and blank.problems == {}


@pytest.mark.parametrize(
    "error",
    [
        Invalid("title", "that title is taken"),
        Conflict("title", "that title is taken"),
        GoalError("title", "that title is taken"),
    ],
)
def test_it_puts_a_domain_error_beside_its_field(error: Exception) -> None:
    form = parse_form(_form(("title", "Mine")), Sample)
    assert form.ok

    form.refuse(error)

    assert not form.ok and form.problems == {"title": "that title is taken"}
    assert problem_of(error) == ("title", "that title is taken")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (Invalid("title", "too long"), 422),
        (GoalError("title", "too long"), 422),
        (Conflict("title", "that title is taken"), 409),
        (NotFound("title", "no such title"), 404),
    ],
)
def test_a_refused_form_carries_the_status_of_the_errors_kind(error: Exception, code: int) -> None:
    form = parse_form(_form(("title", "Mine")), Sample)

    form.refuse(error)

    assert form.status_code == code


def test_a_form_with_problems_of_its_own_is_422() -> None:
    assert parse_form(_form(("title", "")), Sample).status_code == 422
    assert PageForm().status_code == 422


def test_it_moves_a_problem_to_the_field_the_person_sees_and_raises_other_errors() -> None:
    form = parse_form(_form(("title", "Mine")), Sample, moved={"person_ids": "title"})

    form.refuse(Invalid("person_ids", "not yourself"))

    assert form.problems == {"title": "not yourself"}
    assert problem_of(ValueError("no field")) is None
    with pytest.raises(ValueError, match="no field"):
        form.refuse(ValueError("no field"))


def test_it_takes_values_from_the_path_that_the_form_does_not_send() -> None:
    class WithTeam(BaseModel):
        team_id: int
        title: str

    form = parse_form(_form(("title", "T"), ("team_id", "666")), WithTeam, team_id=4)

    assert form.valid.team_id == 4 and "team_id" not in form.fields


def _render(source: str, **context: Any) -> str:
    return templates.env.from_string('{% import "_forms.html" as forms %}' + source).render(
        **context
    )


def test_the_field_macro_shows_the_message_beside_the_field_and_keeps_the_value() -> None:
    form = parse_form(_form(("title", "x" * 11)), Sample)

    html = _render('{{ forms.field(form, "title", "Title", hint="Short.", maxlength=10) }}',
                   form=form)  # fmt: skip

    assert '<label for="title">Title</label>' in html
    assert (
        '<p class="field-error" id="title-error">The title can be at most 10 characters.</p>'
        in (html)
    )
    assert f'id="title" name="title" value="{"x" * 11}"' in html
    assert 'maxlength="10"' in html
    assert 'aria-invalid="true" aria-describedby="title-hint title-error"' in html


def test_the_summary_links_each_message_to_its_field() -> None:
    form = parse_form(_form(("title", ""), ("count", "9")), Sample)
    form.add("quota", "come back tomorrow")

    html = _render('{{ forms.summary(form, "Not saved:", "errs") }}', form=form)

    assert 'role="alert" id="errs"' in html
    assert '<a href="#title">Enter the title.</a>' in html
    assert '<a href="#count">The count must be 5 or less.</a>' in html
    assert "<li>come back tomorrow</li>" in html  # not a field: no link


def test_a_valid_or_blank_form_shows_no_summary_and_no_invalid_marks() -> None:
    html = _render(
        '{{ forms.summary(form) }}{{ forms.field(form, "title", "Title") }}'
        '{{ forms.radios(form, "size", "Size", [("s", "Small"), ("m", "Medium")], default="m") }}'
        '{{ forms.field(form, "agree", "I agree", type="checkbox") }}',
        form=PageForm(),
    )

    assert 'role="alert"' not in html and "aria-invalid" not in html
    assert 'id="size-m" name="size" value="m" checked' in html
    assert (
        'id="agree" name="agree" value="on"' in html and "checked>" not in html.split("agree")[-1]
    )


def test_a_checkbox_keeps_its_tick_when_the_form_comes_back() -> None:
    sent = parse_form(_form(("title", ""), ("agree", "true")), Sample)
    unsent = parse_form(_form(("title", "")), Sample)

    assert sent.ticked("agree") and not unsent.ticked("agree", default=True)
    assert PageForm().ticked("agree", default=True) and not PageForm().ticked("agree")
