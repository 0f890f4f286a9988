"""Turning queued interactions into tickets, exactly once.

The decision is the domain's (`route`); this module fetches what the decision needs, saves the
outcome in one conditional transaction and starts the ticket's workflow. Running it twice on the
same message changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.adapters.ticket_store import DuplicateEventError
from chalicelib.domain.interaction import Interaction, Verb
from chalicelib.domain.ticket import Appended, Ignored, Opened, Outcome, Ticket, route
from chalicelib.inbox_message import parse_inbox_message

logger = Logger(child=True)
metrics = Metrics()


class TicketRepository(Protocol):
    def get(self, ticket_id: str) -> Ticket | None: ...
    def ticket_for_event(self, dedup_key: str) -> str | None: ...
    def open_ticket_of(self, customer_key: str) -> Ticket | None: ...
    def save(self, outcome: Opened | Appended) -> None: ...
    def record_workflow_started(self, ticket_id: str, execution_arn: str) -> None: ...


class WorkflowStarter(Protocol):
    def start(self, ticket: Ticket) -> str: ...


class InboxProcessor:
    def __init__(
        self,
        tickets: TicketRepository,
        workflow: WorkflowStarter,
        clock: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._workflow = workflow
        self._clock = clock

    def handle_message(self, body: str) -> Outcome | None:
        """Process one inbox message; `None` when it had already been processed."""
        message = parse_inbox_message(body)
        outcome = self.process(message.interaction)
        metric = {Opened: "TicketsOpened", Appended: "TicketsUpdated", Ignored: "Ignored"}
        metrics.add_metric(
            name=metric[type(outcome)] if outcome else "Duplicates", unit=MetricUnit.Count, value=1
        )
        if isinstance(outcome, Opened | Appended):
            latency = self._clock() - message.received_at
            metrics.add_metric(
                name="WebhookToTicketLatency",
                unit=MetricUnit.Milliseconds,
                value=latency.total_seconds() * 1000,
            )
        return outcome

    def process(self, interaction: Interaction) -> Outcome | None:
        done_for = self._tickets.ticket_for_event(interaction.dedup_key)
        if done_for is not None:
            self._resume(done_for)
            return None
        outcome = route(
            interaction,
            customer_ticket=self._customer_ticket(interaction),
            item_ticket=self._item_ticket(interaction),
            now=self._clock(),
        )
        if isinstance(outcome, Ignored):
            logger.info("interaction ignored", reason=outcome.reason, item=interaction.item_key)
            return outcome
        try:
            self._tickets.save(outcome)
        except DuplicateEventError:
            # Another consumer processed the same event between our read and our write.
            self._resume(outcome.ticket.id)
            return None
        logger.info(
            "ticket opened" if isinstance(outcome, Opened) else "ticket updated",
            ticket_id=outcome.ticket.id,
            entry=outcome.entry.type,
            item=interaction.item_key,
        )
        if isinstance(outcome, Opened):
            self._start_workflow(outcome.ticket)
        return outcome

    def _customer_ticket(self, interaction: Interaction) -> Ticket | None:
        if interaction.verb is not Verb.CREATED:
            return None
        if interaction.from_brand and interaction.channel.is_public:
            return None
        return self._tickets.open_ticket_of(interaction.customer_key)

    def _item_ticket(self, interaction: Interaction) -> Ticket | None:
        if interaction.verb is not Verb.CREATED:
            item_id = interaction.item_id
        elif interaction.from_brand and interaction.parent_id:
            item_id = interaction.parent_id
        else:
            return None
        ticket_id = self._tickets.ticket_for_event(interaction.key_of(item_id))
        return self._tickets.get(ticket_id) if ticket_id else None

    def _resume(self, ticket_id: str) -> None:
        """A repeat may follow a crash between saving a new ticket and starting its workflow."""
        ticket = self._tickets.get(ticket_id)
        if ticket is not None and ticket.workflow_execution_arn is None:
            self._start_workflow(ticket)

    def _start_workflow(self, ticket: Ticket) -> None:
        execution_arn = self._workflow.start(ticket)
        self._tickets.record_workflow_started(ticket.id, execution_arn)
