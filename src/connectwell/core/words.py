"""Display words: the one place templates, renderers and pages read names from.

Keys are what the database and the API store (``"respect"``, ``"positive_regard"``); values
are what a person reads. A translation layer (gettext) will wrap these, not copies of them.

>>> PATHWAY_NAMES["enabling"]
'task enabling'
>>> [element.name for element in HQC_ELEMENTS]
['Positive regard', 'Mutuality', 'Vitality']
>>> CONSTRUCT_NAMES["loneliness"]
'Loneliness at work'
"""

from __future__ import annotations

from dataclasses import dataclass

# Day names by ``date.weekday()`` (Monday is 0), as schedules store the day.
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

# Dutton's four pathways, keyed as shout-outs store them.
PATHWAY_NAMES: dict[str, str] = {
    "respect": "respectful engagement",
    "enabling": "task enabling",
    "trust": "trusting",
    "play": "play",
}


@dataclass(frozen=True)
class Element:
    """One element of a high-quality connection, and the check-in statement that asks it."""

    key: str
    name: str
    statement: str


# One idea per tap (rated 1 not at all ... 5 very much): "known, valued and accepted" asked
# three things at once, and "we both took part; it went both ways" said one thing twice.
HQC_ELEMENTS: tuple[Element, ...] = (
    Element("positive_regard", "Positive regard", "I felt valued"),
    Element("mutuality", "Mutuality", "The conversation went both ways"),
    Element("vitality", "Vitality", "I came away with more energy"),
)
ELEMENT_NAMES: dict[str, str] = {element.key: element.name for element in HQC_ELEMENTS}

# The pulse constructs, keyed as the item bank and the insights store them.
CONSTRUCT_NAMES: dict[str, str] = {
    **ELEMENT_NAMES,
    "respectful_engagement": "Respectful engagement",
    "task_enabling": "Task enabling",
    "trusting": "Trusting",
    "play": "Play",
    "psychological_safety": "Team psychological safety",
    "loneliness": "Loneliness at work",
    "relational_energy": "Relational energy",
}
