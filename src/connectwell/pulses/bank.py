"""connectwell's item bank, grouped by construct, worded by connectwell.

Every item is a statement answered on a 5-point agreement scale (1 strongly disagree ...
5 strongly agree). A round asks one construct's whole set (3 to 5 items), so a construct's
score and its reliability always come from the same items.

Rules the items keep (``tests/pulses/test_bank.py`` checks the first three):

- no frequency words ("often", "usually", "always" ...) inside an agree/disagree statement: the
  scale already says how much, and a frequency word asks a second question;
- one idea per statement: no " and " or " or " joining two things a person could rate apart
  (the few that join two nouns of one idea are allow-listed in the test, with the reason);
- no published item copied or closely paraphrased: where a construct is adapted from a
  published scale, ``sources`` names it and the bank page says so;
- one referent per construct: every statement of a construct is about the same people
  ("people on my team", "the colleagues I work with most closely", ...);
- at least one reverse-coded statement per construct where it reads naturally (agreeing is
  unfavourable; scoring turns it round, 6 - answer). For loneliness, where a higher score is
  lonelier, the reverse-coded statements are the ones that describe belonging.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectwell.core.words import CONSTRUCT_NAMES

MIN_ITEMS = 3
"""A construct is asked only with at least this many active items (alpha needs several)."""

MAX_ITEMS = 5
"""A construct never has more active items than a round asks (about a minute)."""


@dataclass(frozen=True)
class Source:
    """A published work: who, when, what, where."""

    authors: str
    year: int
    title: str
    journal: str

    @property
    def cite(self) -> str:
        """Short form for running text: ``Edmondson (1999)``."""
        return f"{self.authors} ({self.year})"

    @property
    def reference(self) -> str:
        """Full form for a list of references."""
        return f"{self.authors} ({self.year}). {self.title}. {self.journal}."


EDMONDSON_1999 = Source(
    "Edmondson, A.",
    1999,
    "Psychological safety and learning behavior in work teams",
    "Administrative Science Quarterly, 44(2), 350-383",
)
OWENS_2016 = Source(
    "Owens, B. P., Baker, W. E., Sumpter, D. M. & Cameron, K. S.",
    2016,
    "Relational energy at work: Implications for job engagement and job performance",
    "Journal of Applied Psychology, 101(1), 35-49",
)
RUSSELL_1996 = Source(
    "Russell, D. W.",
    1996,
    "UCLA Loneliness Scale (Version 3): Reliability, validity, and factor structure",
    "Journal of Personality Assessment, 66(1), 20-40",
)
DUTTON_HEAPHY_2003 = Source(
    "Dutton, J. E. & Heaphy, E. D.",
    2003,
    "The power of high-quality connections",
    "In K. S. Cameron, J. E. Dutton & R. E. Quinn (Eds.), Positive Organizational "
    "Scholarship (pp. 263-278). Berrett-Koehler",
)
DUTTON_2003 = Source(
    "Dutton, J. E.",
    2003,
    "Energize Your Workplace: How to Create and Sustain High-Quality Connections at Work",
    "Jossey-Bass (book)",
)


@dataclass(frozen=True)
class BankConstruct:
    """One construct of the bank.

    ``sources`` are the published scales its items are adapted from (empty: connectwell's own
    items); ``defined_by`` is where the construct itself is described, which is not a scale.
    """

    key: str
    family: str  # "hqc" (the three elements), "pathway", or "climate"
    description: str
    referent: str  # who every item of the construct is about
    items: tuple[tuple[str, bool], ...]  # (text, reverse-coded)
    sources: tuple[Source, ...] = ()
    defined_by: tuple[Source, ...] = ()

    @property
    def name(self) -> str:
        """What people read: the display word of :mod:`connectwell.core.words`."""
        return CONSTRUCT_NAMES[self.key]

    @property
    def provenance(self) -> str:
        """One line for the bank page: what the items are adapted from, if anything."""
        if not self.sources:
            return "connectwell's own items."
        adapted = "; ".join(source.cite for source in self.sources)
        return f"Adapted from {adapted}; worded by connectwell."


BANK: tuple[BankConstruct, ...] = (
    # The three elements of a high-quality connection (Dutton & Heaphy 2003), asked about the
    # colleagues a person works with. No published scale: connectwell's own items.
    BankConstruct("positive_regard", "hqc",
        "Feeling respected and cared for by the people you work with.",
        "the colleagues I work with", (
        ("I feel respected by the colleagues I work with.", False),
        ("The colleagues I work with treat me with warmth.", False),
        ("The colleagues I work with know me as a person, not only as a role.", False),
        ("I feel overlooked by the colleagues I work with.", True),  # reverse: unregarded
    ), defined_by=(DUTTON_HEAPHY_2003,)),
    BankConstruct("mutuality", "hqc",
        "Both sides take part: each is heard, each responds.",
        "my conversations with colleagues", (
        ("In my conversations with colleagues, my views get a real hearing.", False),
        ("In my conversations with colleagues, both sides get a say.", False),
        ("In my conversations with colleagues, they build on the ideas I share.", False),
        ("My conversations with colleagues feel one-sided.", True),  # reverse: not mutual
    ), defined_by=(DUTTON_HEAPHY_2003,)),
    # Vitality is the energy felt in and after an interaction, whoever it is with; relational
    # energy (below) is what particular colleagues give a person for their work.
    BankConstruct("vitality", "hqc",
        "Feeling more alive and energetic during and after talking with people at work.",
        "my conversations at work", (
        ("I come out of my conversations at work with more energy than I went in with.", False),
        ("During my conversations at work I feel lively.", False),
        ("My conversations at work leave me feeling flat.", True),  # reverse: low arousal
    ), defined_by=(DUTTON_HEAPHY_2003,)),
    # Dutton's four pathways to high-quality connections, asked about the team.
    BankConstruct("respectful_engagement", "pathway",
        "Being present, listening, and showing that others are valued.",
        "people on my team", (
        ("People on my team give each other their full attention in meetings.", False),
        ("People on my team let others finish before they reply.", False),
        ("People on my team thank each other for everyday help.", False),
        ("People on my team check their phones or laptops while others are speaking.", True),
    ), defined_by=(DUTTON_2003,)),
    BankConstruct("task_enabling", "pathway",
        "Helping each other succeed: ideas, resources, help and mentoring.",
        "people on my team", (
        ("When I am stuck, people on my team step in to help.", False),
        ("People on my team share what they know so that others can do their jobs well.", False),
        ("People on my team recognise the help others give.", False),
        ("People on my team keep useful knowledge to themselves.", True),  # reverse: hoarding
    ), defined_by=(DUTTON_2003,)),
    # Trusting is about what a person expects of others: integrity, dependability, good
    # intent. Admitting a mistake is taking an interpersonal risk in front of the team, the
    # core of team psychological safety (Edmondson 1999), so the mistake item moved there.
    BankConstruct("trusting", "pathway",
        "Expecting integrity, dependability and good intent from each other.",
        "people on my team", (
        ("I can count on people on my team to do what they say they will do.", False),
        ("People on my team assume good intentions when something goes wrong.", False),
        ("People on my team share information openly with each other.", False),
        ("I feel I have to watch my back with people on my team.", True),  # reverse: distrust
    ), defined_by=(DUTTON_2003,)),
    # "I can be myself" measured authenticity, not play: dropped.
    BankConstruct("play", "pathway",
        "Room for fun, humour and light-hearted moments at work.",
        "my team", (
        ("My team finds moments to laugh together.", False),
        ("Joking around is welcome on my team.", False),
        ("On my team there is no room for fun.", True),  # reverse: all business
    ), defined_by=(DUTTON_2003,)),
    # Adapted from Edmondson (1999): the same construct, not her seven items one to one.
    BankConstruct("psychological_safety", "climate",
        "Whether the team is safe for interpersonal risk taking.",
        "my team", (
        ("I can admit a mistake to my team without fear.", False),
        ("I can raise an awkward problem with my team.", False),
        ("On my team I can question a decision openly.", False),
        ("I would feel foolish asking my team a basic question.", True),  # reverse
        ("Speaking up on my team could hurt my standing.", True),  # reverse
    ), sources=(EDMONDSON_1999,), defined_by=(EDMONDSON_1999,)),
    # Adapted from the UCLA scale's content (feeling alone, cut off, having someone to confide
    # in), set at work. Higher is lonelier, so belonging is the reverse-coded side.
    BankConstruct("loneliness", "climate",
        "Feeling alone or disconnected at work (higher means lonelier: less favourable).",
        "the people I work with", (
        ("I feel cut off from the people I work with.", False),
        ("I feel like an outsider among the people I work with.", False),
        ("Among the people I work with, there is someone I could confide in.", True),  # reverse
        ("I belong with the people I work with.", True),  # reverse: not lonely
    ), sources=(RUSSELL_1996,)),
    # Owens et al. (2016) ask about one named person; a team pulse cannot name one, so the
    # referent is the colleagues a person works with most closely, the same in every item.
    BankConstruct("relational_energy", "climate",
        "The energy for work that a person gets from the colleagues they work with most closely.",
        "the colleagues I work with most closely", (
        ("The colleagues I work with most closely give me a lift for my work.", False),
        ("When I am flagging, the colleagues I work with most closely get me going again.",
         False),
        ("After time with the colleagues I work with most closely, I am keen to get on with my "
         "work.", False),
        ("The colleagues I work with most closely leave me with less drive for my work.", True),
    ), sources=(OWENS_2016,), defined_by=(OWENS_2016,)),
)  # fmt: skip

# Constructs where a higher score is worse; insights show them "favourable" the other way.
LOWER_IS_BETTER = frozenset({"loneliness"})

BY_KEY: dict[str, BankConstruct] = {entry.key: entry for entry in BANK}
