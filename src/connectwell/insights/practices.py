"""What to try next for a weak pathway: practices, each tied to a feature of the app."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Practice:
    title: str
    why: str
    link: str
    feature: str


# What research and the seed story suggest for a weak pathway, each tied to a feature.
PRACTICES: dict[str, tuple[Practice, ...]] = {
    "respectful_engagement": (
        Practice(
            "Open meetings without phones and laptops",
            "Full attention is the first sign that people are valued.",
            "/shoutouts",
            "Shout-outs",
        ),
        Practice(
            "A weekly shout-out round",
            "Saying thank you for everyday help, out loud, every week.",
            "/shoutouts",
            "Shout-outs and the weekly digest",
        ),
    ),
    "task_enabling": (
        Practice(
            "A shared team goal about helping",
            "Reward support, not individual stars: "
            "for example 20 help sessions across teams this quarter.",
            "/goals",
            "Team goals",
        ),
        Practice(
            "Pair people across teams",
            "Short conversations spread know-how and open doors for help.",
            "/programs",
            "Connection programmes",
        ),
    ),
    "trusting": (
        Practice(
            "Share a mistake and its lesson",
            "Leads go first: it makes room for others to speak up.",
            "/shoutouts",
            "Shout-outs (trust)",
        ),
        Practice(
            "Keep pulse results anonymous and act on them",
            "People answer honestly when nobody can be singled out.",
            "/pulses",
            "Pulses",
        ),
    ),
    "play": (
        Practice(
            "Start meetings with an ice-breaker",
            "A minute of fun lowers the guard for the rest of the meeting.",
            "/programs",
            "Connection programmes",
        ),
        Practice(
            "A team event",
            "Something light together: a walk, a quiz, a lunch.",
            "/goals",
            "Team goals and celebrations",
        ),
    ),
}
