"""Telling people about escalations. Slack comes with its own issue; until then, the log."""

from __future__ import annotations

from typing import Protocol

from aws_lambda_powertools import Logger

from chalicelib.domain.ticket import Ticket

logger = Logger(child=True)


class Notifier(Protocol):
    def escalated(self, ticket: Ticket, *, level: int, phase: str) -> None: ...


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
