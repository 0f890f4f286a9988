"""CSAT figures from the customers' survey answers (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain.ticket import Ticket


@dataclass(frozen=True)
class Csat:
    surveyed: int  # resolved tickets, each sent a survey link
    answers: int
    satisfied: int  # rated 4 or 5
    average: float | None

    @property
    def score(self) -> float | None:
        """CSAT: the share of answers rating 4 or 5."""
        return self.satisfied / self.answers if self.answers else None

    @property
    def response_rate(self) -> float | None:
        return self.answers / self.surveyed if self.surveyed else None

    def as_json(self) -> dict[str, int | float | None]:
        return {
            "surveyed": self.surveyed,
            "answers": self.answers,
            "csat": self.score,
            "average": self.average,
            "response_rate": self.response_rate,
        }


def csat(tickets: Iterable[Ticket]) -> Csat:
    surveyed = [t for t in tickets if t.resolved_at is not None or t.survey is not None]
    ratings = [t.survey.rating for t in surveyed if t.survey is not None]
    return Csat(
        surveyed=len(surveyed),
        answers=len(ratings),
        satisfied=sum(1 for r in ratings if r >= 4),
        average=sum(ratings) / len(ratings) if ratings else None,
    )
