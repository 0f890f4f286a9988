"""First-response figures over a set of tickets (pure)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.ticket import Ticket, TicketStatus


@dataclass(frozen=True)
class FirstResponseStats:
    opened: int  # tickets to answer (moderated ones are not answered by design)
    answered: int
    within_target: int
    waiting: int
    overdue: int  # still waiting, past the target
    moderated: int
    median_minutes: float | None
    slowest_minutes: float | None

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.answered if self.answered else None


def first_reply_at(ticket: Ticket) -> datetime | None:
    return (
        ticket.first_public_reply_at if ticket.origin.is_public else ticket.first_private_reply_at
    )


def first_response_stats(tickets: Iterable[Ticket], now: datetime) -> FirstResponseStats:
    every = list(tickets)
    answerable = [t for t in every if t.status is not TicketStatus.MODERATED]
    moderated = len(every) - len(answerable)
    minutes: list[float] = []
    within = waiting = overdue = 0
    for ticket in answerable:
        replied = first_reply_at(ticket)
        due = ticket.first_response_due
        if replied is None:
            waiting += 1
            overdue += bool(due and now > due)
            continue
        minutes.append((replied - ticket.created_at).total_seconds() / 60)
        within += bool(due is None or replied <= due)
    return FirstResponseStats(
        opened=len(answerable),
        answered=len(minutes),
        within_target=within,
        waiting=waiting,
        overdue=overdue,
        moderated=moderated,
        median_minutes=statistics.median(minutes) if minutes else None,
        slowest_minutes=max(minutes) if minutes else None,
    )
