"""Demo data of this part; called by minqing.demo.generator after the appeals step."""

from __future__ import annotations


def load(**context) -> None:
    """context: rng, anchor, now, staffing, villages, shared, progress (see minqing/demo/generator.py)."""
