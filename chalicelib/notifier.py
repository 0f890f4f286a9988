"""Telling people about escalations. Slack comes with its own issue; until then, the log."""

from __future__ import annotations

from typing import Protocol

from aws_lambda_powertools import Logger

from chalicelib.domain.ticket import Ticket

logger = Logger(child=True)


class Notifier(Protocol):
    def escalated(self, ticket: Ticket, *, level: int, phase: str) -> None: ...
    def moderated(self, ticket: Ticket, *, rule: str, charter_url: str) -> None: ...


class LogNotifier:
    def escalated(self, ticket: Ticket, *, level: int, phase: str) -> None:
        logger.warning(
            "SLA target missed: escalated",
            ticket_id=ticket.id,
            phase=phase,
            level=level,
            first_response_due=ticket.first_response_due,
            resolution_due=ticket.resolution_due,
        )

    def moderated(self, ticket: Ticket, *, rule: str, charter_url: str) -> None:
        logger.warning(
            "comment moderated: for the moderation channel",
            ticket_id=ticket.id,
            category=ticket.category,
            rule=rule,
            charter_url=charter_url,
        )
