"""connectwell's own item bank, in its own words, grouped by construct.

Every item is a statement answered on a 5-point agreement scale (1 strongly disagree ...
5 strongly agree). Reverse-coded items are worded so that agreeing is unfavourable; scoring
turns them around (6 - answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectwell.core.words import CONSTRUCT_NAMES


@dataclass(frozen=True)
class BankConstruct:
    key: str
    family: str  # "hqc" (the three elements), "pathway", or "climate"
    description: str
    items: tuple[tuple[str, bool], ...]  # (text, reverse-coded)

    @property
    def name(self) -> str:
        """What people read: the display word of :mod:`connectwell.core.words`."""
        return CONSTRUCT_NAMES[self.key]


BANK: tuple[BankConstruct, ...] = (
    BankConstruct("positive_regard", "hqc",
        "Feeling known, valued and accepted by the people you work with.", (
        ("The people I work with most make me feel that my contribution matters.", False),
        ("In conversations with colleagues this week I felt respected for who I am.", False),
        ("I often feel overlooked by the colleagues I deal with.", True),
    )),
    BankConstruct("mutuality", "hqc",
        "Both people take part: open, responsive and receptive.", (
        ("My conversations at work go both ways: I listen and I am listened to.", False),
        ("When I share an idea, colleagues build on it.", False),
        ("Exchanges with my colleagues often feel one-sided.", True),
    )),
    BankConstruct("vitality", "hqc",
        "Feeling energised and more alive after interacting.", (
        ("After talking with colleagues I usually have more energy than before.", False),
        ("My interactions at work leave me feeling lively.", False),
        ("Dealing with people at work drains me.", True),
    )),
    BankConstruct("respectful_engagement", "pathway",
        "Being present, listening, and showing that others are valued.", (
        ("In our meetings people give each other their full attention.", False),
        ("People on my team say thank you for everyday help.", False),
        ("Colleagues check their phones or laptops while others are speaking.", True),
    )),
    BankConstruct("task_enabling", "pathway",
        "Helping each other succeed: ideas, resources, help and mentoring.", (
        ("When I am stuck, someone helps me without being asked twice.", False),
        ("Colleagues share what they know so that others can do their jobs well.", False),
        ("Help given to others is noticed and valued here.", False),
    )),
    BankConstruct("trusting", "pathway",
        "Integrity, dependability and benevolence; room to be vulnerable.", (
        ("I can count on my colleagues to do what they say they will do.", False),
        ("People here assume good intentions when something goes wrong.", False),
        ("I can admit a mistake to my team without worrying.", False),
    )),
    BankConstruct("play", "pathway",
        "Spontaneity, fun and room to be yourself.", (
        ("We find moments to laugh together at work.", False),
        ("I can be myself with my team.", False),
        ("Work here is all business, with no room for fun.", True),
    )),
    BankConstruct("psychological_safety", "climate",
        "Whether the team is safe for interpersonal risk taking.", (
        ("On this team it is fine to raise a problem or a difficult issue.", False),
        ("If I make a mistake on this team, it is held against me.", True),
        ("People on this team sometimes reject others for being different.", True),
        ("It is safe to try something new here, even if it might not work.", False),
        ("It is hard to ask others on this team for help.", True),
        ("Nobody on this team would deliberately undermine my efforts.", False),
        ("My particular skills are valued and used by this team.", False),
    )),
    BankConstruct("loneliness", "climate",
        "Feeling alone or disconnected at work (higher means lonelier: less favourable).", (
        ("I often feel alone at work.", False),
        ("I have no one at work I can really talk to.", False),
        ("I feel part of a group of friends at work.", True),
    )),
    BankConstruct("relational_energy", "climate",
        "The energy people give each other.", (
        ("I feel invigorated after working with my colleagues.", False),
        ("My colleagues give me the energy to get through tough days.", False),
        ("Working with my team increases my stamina.", False),
    )),
)  # fmt: skip

# Constructs where a higher score is worse; insights show them "favourable" the other way.
LOWER_IS_BETTER = frozenset({"loneliness"})
