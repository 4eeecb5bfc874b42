"""Conversation starters for intros, in connectwell's own words.

Each nudges one of the pathways: respectful engagement (listen, appreciate), task enabling
(help each other), trusting (a small, safe openness) and play.
"""

from __future__ import annotations

import hashlib

STARTERS: tuple[str, ...] = (
    "What is something small that made your week better?",
    "What are you working on that you would love a second pair of eyes on?",
    "Which colleague helped you recently, and how?",
    "What is a skill you picked up outside work that you use at work?",
    "What did you believe when you started here that you no longer do?",
    "If your team had a theme song, what would it be?",
    "What is a tool, shortcut or habit that saves you time every day?",
    "What does a really good day at work look like for you?",
    "What is something you are learning right now?",
    "Which part of your job would surprise people outside your team?",
    "What is a mistake that taught you something useful?",
    "What are you looking forward to this month?",
    "What is the best piece of advice you have been given at work?",
    "Where would you go for a week if work came with you?",
    "What is a question you wish people asked you more often?",
    "What could your two teams do together that neither can do alone?",
    "What is one thing that would make onboarding better for the next new person?",
    "What is the last thing that made you laugh at work?",
    "Who outside your team would you like to know better, and why?",
    "What is a small win from last week worth celebrating?",
    "What is something you are proud of that nobody sees?",
    "If you could swap jobs with anyone here for a day, whose would it be?",
    "What gives you energy at work, and what drains it?",
    "What is one thing you could help the other person with this month?",
)


def starter_for(key: str) -> str:
    """A starter chosen by a stable hash of ``key`` (the group's UID): the same every time."""
    digest = hashlib.sha256(key.encode()).digest()
    return STARTERS[int.from_bytes(digest[:4], "big") % len(STARTERS)]
