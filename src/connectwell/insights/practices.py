"""What to try next for a weak pathway: suggestions, each with its evidence and its feature.

Every practice is worded as a suggestion ("Try ...", "Consider ..."), links to the part of
connectwell that does it, and says what the research it rests on found, no more. Where a
source describes a pathway rather than testing an intervention, the evidence says
"describes", not "found". Nothing here promises an effect for a particular team.

References
----------
.. [1] Dutton, J. E. (2003). Energize Your Workplace: How to Create and Sustain
   High-Quality Connections at Work. Jossey-Bass.
.. [2] Dutton, J. E. & Heaphy, E. D. (2003). The power of high-quality connections. In
   K. S. Cameron, J. E. Dutton & R. E. Quinn (Eds.), Positive Organizational Scholarship
   (pp. 263-278). Berrett-Koehler.
.. [3] Grant, A. M. & Gino, F. (2010). A little thanks goes a long way: Explaining why
   gratitude expressions motivate prosocial behavior. Journal of Personality and Social
   Psychology, 98(6), 946-955.
.. [4] Carmeli, A., Brueller, D. & Dutton, J. E. (2009). Learning behaviours in the
   workplace: The role of high-quality interpersonal relationships and psychological
   safety. Systems Research and Behavioral Science, 26(1), 81-98.
.. [5] Edmondson, A. (1999). Psychological safety and learning behavior in work teams.
   Administrative Science Quarterly, 44(2), 350-383.
.. [6] Nembhard, I. M. & Edmondson, A. C. (2006). Making it safe: The effects of leader
   inclusiveness and professional status on psychological safety and improvement efforts in
   health care teams. Journal of Organizational Behavior, 27(7), 941-966.
.. [7] Mollick, E. & Rothbard, N. (2014). Mandatory fun: Consent, gamification and the
   impact of games at work. The Wharton School Research Paper Series (working paper).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    """What a published work found (or, for a conceptual work, describes)."""

    authors: str
    year: int
    finding: str

    @property
    def cite(self) -> str:
        """``Grant & Gino (2010)``."""
        return f"{self.authors} ({self.year})"

    @property
    def text(self) -> str:
        """One sentence for the page and the API: ``Grant & Gino (2010) found that ...``."""
        return f"{self.cite} {self.finding}"


@dataclass(frozen=True)
class Practice:
    """A suggestion for a weak pathway, the feature that does it, and why."""

    title: str  # a suggestion: "Try ...", "Consider ..."
    why: str
    link: str  # a page of connectwell
    feature: str  # the link's words
    evidence: Evidence


SUGGESTION_VERBS = ("Try", "Consider")

# What research suggests for a weak pathway (Dutton's four, [1]), each tied to a feature.
PRACTICES: dict[str, tuple[Practice, ...]] = {
    "respectful_engagement": (
        Practice(
            "Try thanking people for everyday help with a shout-out",
            "Specific, public thanks tells people their help was seen.",
            "/shoutouts",
            "Shout-outs",
            Evidence(
                "Grant & Gino",
                2010,
                "found in four experiments that helpers who were thanked were more likely to help "
                "again, because the thanks made them feel socially valued.",
            ),
        ),
        Practice(
            "Consider short one-to-one conversations between colleagues",
            "A pairing programme sets up the conversation; being present in it is up to people.",
            "/programs",
            "Connection programmes (pairing)",
            Evidence(
                "Dutton & Heaphy",
                2003,
                "describe high-quality connections as able to form in a single short "
                "interaction, when both people are engaged with each other.",
            ),
        ),
    ),
    "task_enabling": (
        Practice(
            "Consider a shared team goal about helping each other",
            "For example a number of help sessions across teams this quarter, counted together.",
            "/teams",
            "Team goals (on your team's page)",
            Evidence(
                "Dutton",
                2003,
                "describes task enabling, helping others do their work through teaching, "
                "sharing resources and support, as one of four pathways to high-quality "
                "connections.",
            ),
        ),
        Practice(
            "Try pairing people across teams to swap know-how",
            "Short conversations with colleagues outside the team widen who people can ask.",
            "/programs",
            "Connection programmes (pairing)",
            Evidence(
                "Carmeli, Brueller & Dutton",
                2009,
                "found in a survey of employees that high-quality relationships at work went "
                "with more learning behaviour, partly through greater psychological safety.",
            ),
        ),
    ),
    "trusting": (
        Practice(
            "Consider going over the latest pulse results with the team",
            "Leads who ask for views on the results, then thank people for raising concerns, "
            "invite others to speak up.",
            "/pulses",
            "Pulses",
            Evidence(
                "Nembhard & Edmondson",
                2006,
                "found that leader inclusiveness, words and deeds that invite and appreciate "
                "others' contributions, was associated with psychological safety in health care "
                "teams.",
            ),
        ),
        Practice(
            "Try recognising someone who kept their word or shared what they knew",
            "A trust shout-out names the dependable, open behaviour the team wants more of.",
            "/shoutouts",
            "Shout-outs (trust)",
            Evidence(
                "Edmondson",
                1999,
                "found in 51 teams of a manufacturing company that a climate of interpersonal "
                "trust and respect (team psychological safety) went with more team learning "
                "behaviour, which in turn went with better team performance.",
            ),
        ),
    ),
    "play": (
        Practice(
            "Consider optional, member-led fun, such as a celebration the team plans itself",
            "Let members suggest and run it, and let anyone sit it out: fun that is imposed "
            "can backfire.",
            "/teams",
            "Team goals and celebrations (on your team's page)",
            Evidence(
                "Mollick & Rothbard",
                2014,
                "found that a game introduced at work raised positive feelings among employees "
                "who consented to it, and lowered them among those who did not.",
            ),
        ),
        Practice(
            "Try a shout-out for someone who brought lightness to a hard week",
            "Noticing humour and play shows they are welcome at work.",
            "/shoutouts",
            "Shout-outs (play)",
            Evidence(
                "Dutton",
                2003,
                "describes play, doing things together for fun and with room for spontaneity, "
                "as one of four pathways to high-quality connections.",
            ),
        ),
    ),
}
