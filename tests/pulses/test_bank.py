"""The item bank a reviewer would accept: one idea per statement, no frequency words, nothing
copied from a published scale, one referent per construct, sources named, and an existing
database brought in step without losing an item old answers point at."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.words import HQC_ELEMENTS
from connectwell.pulses import service
from connectwell.pulses.bank import BANK, MAX_ITEMS, MIN_ITEMS, BankConstruct
from connectwell.pulses.models import Construct, Item

ITEMS = [(entry, text) for entry in BANK for text, _reverse in entry.items]

# Words that ask "how often" inside a statement answered "how much do you agree".
FREQUENCY_WORDS = re.compile(
    r"\b(often|usually|always|never|sometimes|rarely|seldom|frequently|occasionally|constantly"
    r"|generally|regularly|typically|normally|mostly|hardly|ever|every time|most of the time"
    r"|now and then|from time to time|at times|once in a while)\b",
    re.IGNORECASE,
)

# Conjunctions that may join two things a person could rate differently.
CONJUNCTIONS = re.compile(r"\b(and|or|nor|as well as|but also)\b|&|/", re.IGNORECASE)

# Where a conjunction is fine, and why: it joins two nouns of one idea, not two predicates.
ALLOWED_CONJUNCTIONS = {
    "phones or laptops": "two devices, one behaviour: looking at a screen while someone speaks",
}

# Published items connectwell's bank once copied or closely paraphrased, kept here as what the
# bank is checked against, with their sources. UCLA items are asked "How often do you feel ...";
# the stem is left off so the content is compared.
PUBLISHED_ITEMS: dict[str, tuple[str, ...]] = {
    "Edmondson (1999), team psychological safety": (
        "If you make a mistake on this team, it is often held against you.",
        "Members of this team are able to bring up problems and tough issues.",
        "People on this team sometimes reject others for being different.",
        "It is safe to take a risk on this team.",
        "It is difficult to ask other members of this team for help.",
        "No one on this team would deliberately act in a way that undermines my efforts.",
        "Working with members of this team, my unique skills and talents are valued and utilized.",
    ),
    "Owens, Baker, Sumpter & Cameron (2016), relational energy": (
        "I feel invigorated when I interact with this person.",
        "After interacting with this person I feel more energy to do my work.",
        "I feel increased vitality when I interact with this person.",
        "I would go to this person when I need to be pepped up.",
        "After an exchange with this person I feel more stamina to do my work.",
    ),
    "Russell (1996), UCLA Loneliness Scale version 3": (
        "I feel alone.",
        "I feel part of a group of friends.",
        "I lack companionship.",
        "There is no one I can turn to.",
        "I feel left out.",
        "I feel isolated from others.",
        "No one really knows me well.",
        "There are people I can talk to.",
    ),
}

# Words and phrases that mark a published item however it is rearranged.
SIGNATURES = re.compile(
    r"held against|reject others|being different|tough issues|take a risk|deliberately"
    r"|undermines? my efforts|skills and talents|valued and (used|utili[sz]ed)|invigorat"
    r"|pepped up|stamina|increased vitality|more energy to do my work|group of friends"
    r"|lack companionship|turn to|left out|isolated from|really knows",
    re.IGNORECASE,
)

# The bank's items before issue 9 that copied or paraphrased a published item: the checks
# below must catch every one of them, or they are too weak to trust.
REWORDED = (
    "People on this team sometimes reject others for being different.",
    "If I make a mistake on this team, it is held against me.",
    "It is hard to ask others on this team for help.",
    "Nobody on this team would deliberately undermine my efforts.",
    "My particular skills are valued and used by this team.",
    "I feel invigorated after working with my colleagues.",
    "Working with my team increases my stamina.",
    "I feel part of a group of friends at work.",
    "I often feel alone at work.",
)

STOP = frozenset(
    re.findall(
        r"\S+",
        "a an the i me my you your we our us they them their this that it is are am be to of in on "
        "and or at for with by from as if when after before there no not can could would will do "
        "other others members people person team work",
    )
)


def _content(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower())) - STOP


def copies_published(text: str) -> str | None:
    """The published item ``text`` copies or closely paraphrases, if any."""
    signature = SIGNATURES.search(text)
    if signature:
        return signature.group(0)
    words = _content(text)
    for items in PUBLISHED_ITEMS.values():
        for published in items:
            theirs = _content(published)
            if theirs and len(words & theirs) / len(theirs) >= 0.6:
                return published
    return None


@pytest.mark.parametrize(("entry", "text"), ITEMS, ids=[t for _e, t in ITEMS])
def test_no_bank_item_asks_how_often_inside_an_agreement_statement(
    entry: BankConstruct, text: str
) -> None:
    assert not FREQUENCY_WORDS.search(text), f"{entry.key}: {text!r}"


@pytest.mark.parametrize(("entry", "text"), ITEMS, ids=[t for _e, t in ITEMS])
def test_no_bank_item_joins_two_things_to_rate_in_one_statement(
    entry: BankConstruct, text: str
) -> None:
    rest = text.lower()
    for phrase in ALLOWED_CONJUNCTIONS:
        rest = rest.replace(phrase, "")
    assert not CONJUNCTIONS.search(rest), f"{entry.key}: {text!r}"


@pytest.mark.parametrize(("entry", "text"), ITEMS, ids=[t for _e, t in ITEMS])
def test_no_bank_item_copies_or_closely_paraphrases_a_published_item(
    entry: BankConstruct, text: str
) -> None:
    assert copies_published(text) is None, f"{entry.key}: {text!r}"


@pytest.mark.parametrize("old", REWORDED)
def test_the_published_item_check_catches_every_item_the_old_bank_copied(old: str) -> None:
    assert copies_published(old) is not None


def test_the_checks_catch_the_old_double_barrelled_and_frequency_worded_items() -> None:
    for old in ("My conversations at work go both ways: I listen and I am listened to.",
                "Help given to others is noticed and valued here."):  # fmt: skip
        assert CONJUNCTIONS.search(old)
    for old in ("After talking with colleagues I usually have more energy than before.",
                "Exchanges with my colleagues often feel one-sided."):  # fmt: skip
        assert FREQUENCY_WORDS.search(old)


def test_each_check_in_tap_asks_one_thing() -> None:
    for element in HQC_ELEMENTS:
        assert not CONJUNCTIONS.search(element.statement), element.statement
        assert "," not in element.statement and ";" not in element.statement


@pytest.mark.parametrize("entry", BANK, ids=[e.key for e in BANK])
def test_each_construct_is_a_whole_round_about_one_referent_with_a_reverse_coded_item(
    entry: BankConstruct,
) -> None:
    assert MIN_ITEMS <= len(entry.items) <= MAX_ITEMS
    assert any(reverse for _text, reverse in entry.items)
    assert not all(reverse for _text, reverse in entry.items)
    for text, _reverse in entry.items:
        assert entry.referent.lower() in text.lower(), (entry.key, text)
        assert len(text) <= 300 and text.endswith(".")


def test_no_statement_appears_twice_in_the_bank() -> None:
    texts = [text for _entry, text in ITEMS]
    assert len(texts) == len(set(texts))


def test_constructs_adapted_from_a_published_scale_name_it_and_the_others_say_their_own() -> None:
    adapted = {entry.key: entry.provenance for entry in BANK if entry.sources}
    assert adapted == {
        "psychological_safety": "Adapted from Edmondson, A. (1999); worded by connectwell.",
        "loneliness": "Adapted from Russell, D. W. (1996); worded by connectwell.",
        "relational_energy": "Adapted from Owens, B. P., Baker, W. E., Sumpter, D. M. & "
        "Cameron, K. S. (2016); worded by connectwell.",
    }
    for entry in BANK:
        if not entry.sources:
            assert entry.provenance == "connectwell's own items."
        for source in (*entry.sources, *entry.defined_by):
            assert 1900 < source.year < 2030 and source.title and source.journal


# The bank as it was before issue 9, in short: enough of it to be an existing database.
OLD_BANK = {
    "vitality": (
        "Feeling energised and more alive after interacting.",
        [
            ("After talking with colleagues I usually have more energy than before.", False),
            ("My interactions at work leave me feeling lively.", False),
            ("Dealing with people at work drains me.", True),
        ],
    ),
    "trusting": (
        "Integrity, dependability and benevolence; room to be vulnerable.",
        [
            ("I can count on my colleagues to do what they say they will do.", False),
            ("People here assume good intentions when something goes wrong.", False),
            ("I can admit a mistake to my team without worrying.", False),
        ],
    ),
    "play": (
        "Spontaneity, fun and room to be yourself.",
        [
            ("We find moments to laugh together at work.", False),
            ("I can be myself with my team.", False),
            ("Work here is all business, with no room for fun.", True),
        ],
    ),
}


def test_an_existing_database_with_the_old_bank_retires_its_items_and_keeps_them(
    db: Session,
) -> None:
    old_ids: dict[str, int] = {}
    for key, (description, items) in OLD_BANK.items():
        construct = Construct(key=key, name=key.title(), family="hqc", description=description,
                              builtin=True)  # fmt: skip
        construct.items = [
            Item(text=text, reverse_coded=reverse, builtin=True, is_active=True)
            for text, reverse in items
        ]
        db.add(construct)
    play = db.scalar(select(Construct).where(Construct.key == "play"))
    assert play is not None
    play.items.append(Item(text="Our team lunches are fun.", builtin=False, is_active=True))
    db.flush()
    old_ids = {item.text: item.id for item in db.scalars(select(Item))}
    db.commit()

    service.ensure_bank(db)
    db.commit()
    service.ensure_bank(db)  # twice changes nothing
    db.commit()

    stored = {item.text: item for item in db.scalars(select(Item))}
    for text, item_id in old_ids.items():  # nothing deleted, nothing renumbered
        assert stored[text].id == item_id
    retired = {text for text, item in stored.items() if not item.is_active}
    assert retired == {text for _d, items in OLD_BANK.values() for text, _r in items}
    assert stored["Our team lunches are fun."].is_active  # an admin's item is theirs
    for entry in BANK:
        construct = db.scalar(select(Construct).where(Construct.key == entry.key))
        assert construct is not None
        assert (construct.name, construct.family, construct.description) == (
            entry.name, entry.family, entry.description)  # fmt: skip
        active = [(i.text, i.reverse_coded) for i in construct.items if i.is_active and i.builtin]
        assert active == list(entry.items)
    total = len(old_ids) + sum(len(entry.items) for entry in BANK)
    assert db.scalar(select(func.count()).select_from(Item)) == total


def test_a_statement_put_back_in_the_bank_is_asked_again(db: Session) -> None:
    service.ensure_bank(db)
    first = BANK[0]
    item = db.scalar(select(Item).where(Item.text == first.items[0][0]))
    assert item is not None
    item.is_active = False
    db.commit()

    service.ensure_bank(db)

    assert item.is_active
    assert db.scalar(select(func.count()).select_from(Item).where(Item.text == item.text)) == 1
