"""What to try next: suggestions, each with its evidence and a link to a feature that exists."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from connectwell.insights import service
from connectwell.insights.practices import PRACTICES, SUGGESTION_VERBS, Practice

ALL = [(pathway, p) for pathway, practices in PRACTICES.items() for p in practices]


def test_every_pathway_has_something_to_try() -> None:
    assert set(PRACTICES) == set(service.PATHWAYS)
    assert all(len(practices) >= 2 for practices in PRACTICES.values())


@pytest.mark.parametrize(("pathway", "practice"), ALL, ids=[p.title for _k, p in ALL])
def test_each_practice_is_a_suggestion_with_dated_evidence_and_a_feature_that_exists(
    pathway: str, practice: Practice
) -> None:
    assert practice.title.split()[0] in SUGGESTION_VERBS
    evidence = practice.evidence
    assert evidence.authors and 1950 <= evidence.year <= 2026
    assert len(evidence.finding.split()) >= 8 and evidence.finding.endswith(".")
    assert re.match(r"^[A-Z][\w ,&.'-]+ \(\d{4}\) (found|describes?) ", evidence.text)
    assert practice.link.startswith("/") and practice.feature


def test_every_practice_links_to_a_page_connectwell_has(client: TestClient) -> None:
    for link in {practice.link for _pathway, practice in ALL}:
        answer = client.get(link, follow_redirects=False)  # signed out: sent to sign in
        assert answer.status_code in (200, 303), link
    assert client.get("/no-such-page", follow_redirects=False).status_code == 404


def test_no_practice_makes_the_claims_the_research_does_not_support() -> None:
    words = " ".join(f"{p.title} {p.why} {p.evidence.finding}" for _k, p in ALL).lower()
    assert "lowers the guard" not in words and "singled out" not in words
    assert "ice-breaker" not in words  # imposed fun can lower positive affect
    play = PRACTICES["play"]
    assert all(p.link != "/programs" for p in play)
    assert any("optional" in p.title.lower() for p in play)
    assert any(p.evidence.cite == "Mollick & Rothbard (2014)" for p in play)
