"""Distributions of answers on 1..5 that the simulations draw from: from near-degenerate to
uniform, skewed and split. Shared by the tests and ``benchmarks/intervals_coverage.py``."""

from __future__ import annotations

import numpy as np

ANSWERS = np.arange(1, 6, dtype=np.float64)

#: name -> probabilities of the answers 1..5
DISTRIBUTIONS: dict[str, tuple[float, ...]] = {
    "95% fours, 5% fives": (0.0, 0.0, 0.0, 0.95, 0.05),
    "95% ones, 5% twos": (0.95, 0.05, 0.0, 0.0, 0.0),
    "90% fives, 10% ones": (0.10, 0.0, 0.0, 0.0, 0.90),
    "95% fives, 5% ones": (0.05, 0.0, 0.0, 0.0, 0.95),
    "70% fives, 30% ones": (0.30, 0.0, 0.0, 0.0, 0.70),
    "uniform": (0.2, 0.2, 0.2, 0.2, 0.2),
    "skewed high": (0.02, 0.03, 0.10, 0.35, 0.50),
    "skewed low": (0.50, 0.30, 0.10, 0.05, 0.05),
    "split": (0.40, 0.05, 0.10, 0.05, 0.40),
    "typical": (0.05, 0.10, 0.25, 0.40, 0.20),
}
SIZES = (5, 8, 12, 30)


def true_mean(probabilities: tuple[float, ...]) -> float:
    return float(np.dot(ANSWERS, probabilities))


def draw_answers(
    rng: np.random.Generator, probabilities: tuple[float, ...], size: tuple[int, ...]
) -> np.ndarray:
    """Answers on 1..5 drawn with ``probabilities``, in an array of shape ``size``."""
    return rng.choice(ANSWERS, size=size, p=np.asarray(probabilities))
