"""One way to read a page form: a pydantic model, plain messages, and what was entered.

A route reads its form into a model and either gets the model's data or, when something is
wrong, a :class:`PageForm` that knows what the person entered and a plain message per field::

    form = await read_form(request, GoalIn, labels=GOAL_LABELS, team_id=team_id)
    if form.data is not None:
        try:
            goal = goals.create_goal(session, viewer.person, form.data)
        except goals.GoalError as error:
            form.refuse(error)      # a domain error lands beside its field
        else:
            return RedirectResponse(f"/goals/{goal.id}", 303)
    return the_page_again(form=form, status_code=form.status_code)

``form.status_code`` is 422, or the status of the kind of the domain error refused (a name
taken is a 409 Conflict), as the API would answer.

Templates show a form with the macros of ``templates/_forms.html``: ``summary(form)`` at the
top (links to each field), ``field(form, name, label, ...)`` for a field with its message
and kept value. Reading the form does not disturb the CSRF check: Starlette keeps the parsed
form, so ``verify_csrf`` and this module read the same one.

Rules for the form data: an empty string is a field left empty (the model's default, or a
"missing" message); a list field (``list[int]``) collects every value sent under its name; a
``bool`` field is a checkbox, true when sent with anything but ``false``/``off``/``0``.
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, Union, get_args, get_origin

from fastapi import Request, status
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.datastructures import FormData

from connectwell.core.errors import DomainError
from connectwell.web.deps import CSRF_FIELD

M = TypeVar("M", bound=BaseModel)
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT
"""The status of a form shown again with its problems."""
Shape = Literal["text", "choice", "list", "bool", "number"]
OFF = {"", "false", "off", "0", "no"}
# Words for names that pages use without a model of their own (a search box, an address).
COMMON_LABELS = {"q": "search", "email": "e-mail"}
# A model validator's own message may name its field first: "team_ids: choose a team".
_NAMED = re.compile(r"^([A-Za-z_][\w-]*): (.+)$", re.DOTALL)
# The error types whose message a validator wrote (pydantic prefixes it with these words).
OWN_WORDS = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}
# Where FastAPI says a request's value came from: the first part of its errors' locations.
REQUEST_PARTS = ("body", "query", "path", "header", "cookie")


def _plain_type(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _plain_type(inner[0]) if len(inner) == 1 else annotation
    if hasattr(annotation, "__metadata__"):
        return _plain_type(get_args(annotation)[0])
    return annotation


def shape_of(model: type[BaseModel], name: str) -> Shape:
    """How a form sends the field: a list of values, a checkbox, a choice, a number or text."""
    info = model.model_fields.get(name)
    kind = _plain_type(info.annotation) if info else str
    origin = get_origin(kind)
    if origin in (list, set, tuple, frozenset):
        return "list"
    if origin is Literal or (isinstance(kind, type) and issubclass(kind, enum.Enum)):
        return "choice"
    if kind is bool:
        return "bool"
    if kind in (int, float):
        return "number"
    return "text"


def label_of(model: type[BaseModel] | None, name: str, labels: Mapping[str, str]) -> str:
    """The words for a field inside a sentence: given, the model's ``title``, or its name."""
    if name in labels:
        return labels[name]
    info = model.model_fields.get(name) if model else None
    if info is not None and info.title:
        return info.title
    if name in COMMON_LABELS:
        return COMMON_LABELS[name]
    words = re.sub(r"_ids?$", "", name).replace("_", " ").replace("-", " ").strip()
    return words or "answer"


def _plural(label: str) -> str:
    return label if label.endswith("s") else f"{label}s"


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def placed(
    error: ErrorDetails | Mapping[str, Any], skip: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], str]:
    """Where one pydantic error belongs (its location's parts) and its message.

    A leading part in ``skip`` (FastAPI's ``body``, ``query``...) is dropped. A validator's own
    message loses pydantic's ``"Value error, "``; when it starts with a name
    (``"recipients: name at least one person or team"``) the name is dropped from the message
    and, for an error of the whole model (no location), becomes its location. Other errors
    keep pydantic's message (:func:`plain_message` words those for people).

    >>> placed({"type": "value_error", "loc": ("body",), "msg": "Value error, to: name one"},
    ...        skip=REQUEST_PARTS)
    (('to',), 'name one')
    """
    loc = tuple(str(part) for part in error.get("loc", ()))
    if loc and loc[0] in skip:
        loc = loc[1:]
    message = str(error.get("msg", ""))
    prefix = OWN_WORDS.get(str(error.get("type", "")))
    if prefix is not None:
        message = message.removeprefix(prefix)
        if named := _NAMED.match(message):
            loc, message = loc or (named.group(1),), named.group(2)
    return loc, message


def plain_message(
    error: ErrorDetails | Mapping[str, Any], label: str, shape: Shape = "text"
) -> str:
    """One pydantic error as a sentence a person reads beside the field."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in OWN_WORDS:
        return placed(error)[1]
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        if shape == "list":
            return f"Choose at least one {label}."
        return f"Choose the {label}." if shape in ("choice", "bool") else f"Enter the {label}."
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if least == 1:
            return f"Choose at least one {label}."
        return f"Choose at least {least} {_plural(label)}."
    if kind == "too_long":
        return f"Choose at most {ctx.get('max_length')} {_plural(label)}."
    messages = {
        "string_too_short": "The {label} needs at least {min_length} characters.",
        "string_too_long": "The {label} can be at most {max_length} characters.",
        "string_pattern_mismatch": "The {label} is not in the expected form.",
        "int_parsing": "The {label} must be a whole number.",
        "int_type": "The {label} must be a whole number.",
        "int_from_float": "The {label} must be a whole number.",
        "float_parsing": "The {label} must be a number.",
        "float_type": "The {label} must be a number.",
        "finite_number": "The {label} must be a number.",
        "greater_than": "The {label} must be more than {gt}.",
        "greater_than_equal": "The {label} must be {ge} or more.",
        "less_than": "The {label} must be less than {lt}.",
        "less_than_equal": "The {label} must be {le} or less.",
        "date_parsing": "The {label} must be a date, like 2026-03-31.",
        "date_from_datetime_parsing": "The {label} must be a date, like 2026-03-31.",
        "date_type": "The {label} must be a date, like 2026-03-31.",
        "time_parsing": "The {label} must be a time, like 09:00.",
        "time_type": "The {label} must be a time, like 09:00.",
        "datetime_parsing": "The {label} must be a date and time.",
        "datetime_from_date_parsing": "The {label} must be a date and time.",
        "datetime_type": "The {label} must be a date and time.",
        "enum": "Choose one of the options for the {label}.",
        "literal_error": "Choose one of the options for the {label}.",
        "bool_parsing": "Choose yes or no for the {label}.",
        "bool_type": "Choose yes or no for the {label}.",
    }
    template = messages.get(kind, "The {label} is not valid.")
    values = {key: _number(value) for key, value in ctx.items()}
    return template.format_map({**values, "label": label})


def plain_problems(
    errors: Iterable[ErrorDetails | Mapping[str, Any]],
    model: type[BaseModel] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    skip: tuple[str, ...] = (),
) -> dict[str, str]:
    """Pydantic's errors as ``{field: message}``, the first message of each field.

    ``skip`` drops a leading location part such as FastAPI's ``body``/``query``, so the
    errors of a ``RequestValidationError`` read the same way. A model-level message that
    starts with a name (``"team_ids: choose ..."``) is filed under that name (:func:`placed`).
    """
    labels = labels or {}
    problems: dict[str, str] = {}
    for error in errors:
        path, _ = placed(error, skip)
        name = path[0] if path else ""
        shape = shape_of(model, name) if model and name in model.model_fields else "text"
        message = plain_message(error, label_of(model, name, labels), shape)
        problems.setdefault(name, message)
    return problems


def problem_of(error: BaseException) -> tuple[str, str] | None:
    """A domain error's ``(field, message)``: anything that carries both, else ``None``."""
    name, message = getattr(error, "field", None), getattr(error, "message", None)
    if isinstance(name, str) and isinstance(message, str):
        return name, message
    return None


@dataclass
class PageForm(Generic[M]):
    """A form as the person sent it: the model's data, or the problems to show beside fields.

    Templates read ``value(name)``, ``chosen(name, option)``, ``problem(name)`` and
    ``problems``; a blank form (``PageForm()``) shows every field empty or at its default.
    """

    values: dict[str, str | list[str]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    data: M | None = None
    moved: Mapping[str, str] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()
    """The form's field names: the error summary links to these (by id)."""
    status_code: int = UNPROCESSABLE
    """The status of the page shown again: 422, or the kind's of the domain error refused
    first (a name taken is a 409 Conflict), as the API answers it."""

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems

    @property
    def valid(self) -> M:
        """The data, for a route that has checked ``ok``."""
        if self.data is None:
            raise ValueError("the form has problems; check form.ok first")
        return self.data

    def add(self, name: str, message: str) -> None:
        """A problem found after parsing (a domain rule), beside its field."""
        self.problems.setdefault(self.moved.get(name, name), message)

    def refuse(self, error: BaseException) -> None:
        """A domain error (``.field``, ``.message``) beside its field; others are raised."""
        found = problem_of(error)
        if found is None:
            raise error
        if isinstance(error, DomainError) and not self.problems:
            from connectwell.web.errors import status_for  # errors reads forms' words

            self.status_code = status_for(error)
        self.add(*found)

    def value(self, name: str, default: object = "") -> str:
        """What was entered, or ``default`` for a field not sent (a blank form)."""
        entered = self.values.get(name)
        if entered is None:
            return "" if default is None else str(default)
        return entered if isinstance(entered, str) else ", ".join(entered)

    def chosen(self, name: str, option: object, default: object = None) -> bool:
        """Whether a select option, radio button or checkbox is to be shown chosen."""
        entered = self.values.get(name)
        if entered is None:
            defaults = default if isinstance(default, list | tuple | set) else [default]
            return default is not None and str(option) in {str(d) for d in defaults}
        return str(option) in ([entered] if isinstance(entered, str) else entered)

    def ticked(self, name: str, default: bool = False) -> bool:
        """Whether a checkbox is to be shown ticked: sent with a value that is not off."""
        entered = self.values.get(name)
        if entered is None:
            return default and not self.values
        return isinstance(entered, str) and entered.strip().lower() not in OFF

    def problem(self, name: str) -> str:
        return self.problems.get(name, "")


def _entered(form: FormData, model: type[BaseModel]) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {}
    for name in form:
        if name == CSRF_FIELD:
            continue
        sent = [v for v in form.getlist(name) if isinstance(v, str)]
        if name in model.model_fields and shape_of(model, name) == "list":
            values[name] = sent
        elif sent:
            values[name] = sent[-1]
    return values


def _data(values: Mapping[str, str | list[str]], model: type[BaseModel]) -> dict[str, object]:
    data: dict[str, object] = {}
    for name in model.model_fields:
        shape = shape_of(model, name)
        sent = values.get(name)
        if shape == "bool":
            data[name] = isinstance(sent, str) and sent.strip().lower() not in OFF
        elif shape == "list":
            data[name] = [v for v in (sent or []) if v.strip()]
        elif isinstance(sent, str) and sent.strip():
            data[name] = sent
    return data


def parse_form(
    form: FormData,
    model: type[M],
    *,
    labels: Mapping[str, str] | None = None,
    moved: Mapping[str, str] | None = None,
    **extra: object,
) -> PageForm[M]:
    """Validate form data with ``model``; ``extra`` adds values from the path or the page.

    ``moved`` files problems of one name under another (the field a person sees): for
    example ``{"person_ids": "emails"}``.
    """
    values = _entered(form, model)
    moved = moved or {}
    names = frozenset(model.model_fields) | frozenset(values) | frozenset(moved.values())
    result: PageForm[M] = PageForm(values=values, moved=moved, fields=names - set(extra))
    try:
        result.data = model.model_validate({**_data(values, model), **extra})
    except ValidationError as error:
        for name, message in plain_problems(error.errors(), model, labels=labels).items():
            result.add(name, message)
    return result


async def read_form(
    request: Request,
    model: type[M],
    *,
    labels: Mapping[str, str] | None = None,
    moved: Mapping[str, str] | None = None,
    **extra: object,
) -> PageForm[M]:
    """The request's form read into ``model`` (see :func:`parse_form`)."""
    return parse_form(await request.form(), model, labels=labels, moved=moved, **extra)
