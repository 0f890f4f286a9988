"""Triage on the labelled sets (tests/fixtures/triage). `bench/triage_eval.py` prints the full
figures; these tests hold the line on what must never regress.

The rules are tuned on the development sets (`dev`, `dev2`, `dev3`) only; `evaluation.jsonl` is held
out.
"""

from __future__ import annotations

import pytest

from bench.triage_eval import evaluate

# Measured on the held-out set when the rules last changed (see the README). The target
# is 90 %: not reached yet, and this floor only stops it from getting worse.
EVALUATION_ACCURACY_FLOOR = 0.70


@pytest.mark.parametrize("name", ["dev", "dev2", "dev3", "evaluation"])
def test_no_complaint_or_praise_is_ever_classified_abuse_or_spam(name: str) -> None:
    # both are hidden: hiding a legitimate complaint is the worst error, it looks like censorship
    assert evaluate(name).hidden_by_mistake() == []


def test_the_sets_are_real_and_balanced() -> None:
    report = evaluate("evaluation")
    assert len(report.results) >= 300
    assert {m.language for m, _ in report.results} == {"fr", "en"}
    assert {m.category for m, _ in report.results} == {
        "complaint",
        "question",
        "contact_request",
        "praise",
        "abuse",
        "spam",
    }


def test_accuracy_on_the_held_out_set_does_not_regress() -> None:
    assert evaluate("evaluation").accuracy >= EVALUATION_ACCURACY_FLOOR


def test_language_detection() -> None:
    assert evaluate("evaluation").share("language") >= 0.95
