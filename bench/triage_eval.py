"""Triage against a labelled set: per-category precision and recall, accuracy, throughput.

    .venv/bin/python -m bench.triage_eval [evaluation|dev|dev2|…|dev16] [--errors]

Prints figures; the targets are checked by tests/unit/test_triage_evaluation.py.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from chalicelib.charter import load_charter
from chalicelib.domain.charter import CATEGORIES
from chalicelib.domain.triage import HIDDEN, Triage, TriageResult

DATA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "triage"
# Development sets the rules are tuned on; fresh sets, scored but never read, that tell whether
# the rules generalise; then the held-out set (never read, only scored).
DEVELOPMENT = (
    "dev",
    "dev2",
    "dev3",
    "dev4",
    "dev5",
    "dev6",
    "dev7",
    "dev10",
    "dev11",
    "dev14",
    "dev15",
)
VALIDATION = ("dev8", "dev9", "dev12", "dev13", "dev16")
SETS = (*DEVELOPMENT, *VALIDATION, "evaluation")


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    language: str
    channel: str
    category: str
    priority: str


@dataclass(frozen=True)
class Report:
    results: list[tuple[Labelled, TriageResult]]
    seconds: float

    @property
    def accuracy(self) -> float:
        return sum(r.category == m.category for m, r in self.results) / len(self.results)

    def share(self, field: str) -> float:
        same = sum(bool(getattr(r, field) == getattr(m, field)) for m, r in self.results)
        return same / len(self.results)

    def hidden_by_mistake(self) -> list[tuple[Labelled, TriageResult]]:
        """Complaints or praise classified abuse or spam, so hidden: the worst error (it looks
        like censorship)."""
        return [
            (m, r)
            for m, r in self.results
            if m.category in ("complaint", "praise") and r.category in HIDDEN
        ]

    def per_category(self) -> dict[str, tuple[float, float, int]]:
        figures: dict[str, tuple[float, float, int]] = {}
        for category in CATEGORIES:
            predicted = [m for m, r in self.results if r.category == category]
            actual = [m for m, r in self.results if m.category == category]
            hits = sum(m.category == category for m in predicted)
            precision = hits / len(predicted) if predicted else 1.0
            recall = hits / len(actual) if actual else 1.0
            figures[category] = (precision, recall, len(actual))
        return figures


def load(name: str) -> list[Labelled]:
    lines = (DATA / f"{name}.jsonl").read_text().splitlines()
    fields = Labelled.__dataclass_fields__
    return [
        Labelled(**{k: v for k, v in json.loads(line).items() if k in fields})
        for line in lines
        if line.strip()
    ]


def look_alikes() -> list[str]:
    """Genuine messages written to look like abuse or spam (never_hidden.jsonl)."""
    lines = (DATA / "never_hidden.jsonl").read_text().splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def evaluate(name: str) -> Report:
    charter = load_charter()
    triage = Triage(charter.triage, charter.brand.languages)
    messages = load(name)
    results = [(m, triage.classify(m.text)) for m in messages]
    return Report(results, min(_timed(triage, messages) for _ in range(PASSES)))


PASSES = 5  # the fastest of a few passes: one pass is short enough for a busy machine to skew


def _timed(triage: Triage, messages: list[Labelled]) -> float:
    started = time.perf_counter()
    for message in messages:
        triage.classify(message.text)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    name = next((a for a in argv[1:] if not a.startswith("--")), "evaluation")
    report = evaluate(name)
    print(f"{name}: {len(report.results)} messages")
    print(f"{'category':16} {'precision':>9} {'recall':>7} {'n':>4}")
    for category, (precision, recall, n) in report.per_category().items():
        print(f"{category:16} {precision:9.0%} {recall:7.0%} {n:4}")
    print(
        f"category accuracy {report.accuracy:.1%}; priority {report.share('priority'):.1%}; "
        f"language {report.share('language'):.1%}"
    )
    print(f"complaint or praise classified abuse or spam: {len(report.hidden_by_mistake())}")
    rate = len(report.results) / report.seconds
    print(f"throughput: {rate:,.0f} messages/s on one core")
    confusion = Counter(
        (m.category, r.category) for m, r in report.results if m.category != r.category
    )
    if confusion:
        print(
            "confusions (labelled → classified):",
            ", ".join(f"{a}→{b} x{n}" for (a, b), n in confusion.most_common()),
        )
    if "--errors" in argv and name not in DEVELOPMENT:
        print(f"--errors: not for {name}; its misses are never read, so it stays a fair test")
    elif "--errors" in argv:
        for m, r in report.results:
            if m.category != r.category or m.priority != r.priority:
                print(
                    f"  {m.id} [{m.category}/{m.priority} → {r.category}/{r.priority}] "
                    f"{r.rules} {m.text!r}"
                )


if __name__ == "__main__":
    main(sys.argv)
