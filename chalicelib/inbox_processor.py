"""The inbox consumer: interactions become tickets exactly once; agents' requests are carried out.

For an interaction, the decision is the domain's (`route`); this module fetches what the decision
needs, saves the outcome in one conditional transaction, starts a new ticket's workflow and ends
any wait the interaction satisfies (the page's own reply ends the wait for a public reply).
Running it twice on the same message changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.adapters.ticket_store import DuplicateEventError
from chalicelib.agent_actions import AgentActions
from chalicelib.domain.interaction import Interaction, Verb
from chalicelib.domain.sla_clock import Peak, SlaClock
from chalicelib.domain.ticket import Appended, Ignored, Opened, Outcome, Reopened, Ticket, route
from chalicelib.domain.triage import Triage
from chalicelib.errors import NotYetKnownError
from chalicelib.inbox_message import AgentAction, parse_inbox_message
from chalicelib.moderation import Moderation
from chalicelib.ticket_workflow import TicketWorkflowService

logger = Logger(child=True)
metrics = Metrics()

# A reply or edit to an unknown item this recent may be ahead of the item itself: retried.
# Older ones (replies to comments from before socialsav, say) are ignored, with the reason.
DEFER_WINDOW = timedelta(minutes=15)


class TicketRepository(Protocol):
    def get(self, ticket_id: str) -> Ticket | None: ...
    def ticket_for_event(self, dedup_key: str) -> str | None: ...
    def latest_ticket_of(self, customer_key: str) -> Ticket | None: ...
    def save(self, outcome: Opened | Appended | Reopened) -> Ticket: ...
    def record_workflow_started(self, ticket_id: str, execution_arn: str) -> None: ...
    def peaks(self) -> list[Peak]: ...
    def first_customer_message(self, ticket_id: str) -> str | None: ...


class WorkflowStarter(Protocol):
    def start(self, ticket: Ticket, first_timeout: int) -> str: ...


class CardPoster(Protocol):
    def open_card(self, ticket: Ticket, message: str | None) -> None: ...


class InboxProcessor:
    def __init__(
        self,
        tickets: TicketRepository,
        starter: WorkflowStarter,
        workflow: TicketWorkflowService,
        actions: AgentActions,
        triage: Triage,
        moderation: Moderation,
        cards: CardPoster,
        sla: SlaClock,
        clock: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._starter = starter
        self._workflow = workflow
        self._actions = actions
        self._triage = triage
        self._moderation = moderation
        self._cards = cards
        self._sla = sla
        self._clock = clock

    def handle_message(self, body: str) -> Outcome | None:
        """Process one inbox message; `None` when there is no ticket outcome to report (a
        repeat, or an agent's request)."""
        message = parse_inbox_message(body)
        if isinstance(message, AgentAction):
            self._actions.execute(message)
            metrics.add_metric(name="AgentActions", unit=MetricUnit.Count, value=1)
            return None
        outcome = self.process(message.interaction)
        metric = {
            Opened: "TicketsOpened",
            Appended: "TicketsUpdated",
            Reopened: "TicketsReopened",
            Ignored: "Ignored",
        }
        metrics.add_metric(
            name=metric[type(outcome)] if outcome else "Duplicates", unit=MetricUnit.Count, value=1
        )
        if isinstance(outcome, Opened | Appended | Reopened):
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
            self._resume(done_for, event=interaction.dedup_key)
            return None
        now = self._clock()
        outcome = route(
            interaction,
            customer_ticket=self._customer_ticket(interaction),
            item_ticket=self._item_ticket(interaction),
            now=now,
            reopen_window=timedelta(days=self._sla.charter.sla.reopen_window_days)
            / self._sla.speedup,
        )
        if isinstance(outcome, Ignored):
            if outcome.may_arrive_later and now - interaction.occurred_at < DEFER_WINDOW:
                # Back to the queue: retried after the visibility timeout, then the DLQ.
                raise NotYetKnownError(f"{outcome.reason}: {interaction.item_key}, retry later")
            logger.info("interaction ignored", reason=outcome.reason, item=interaction.item_key)
            return outcome
        if isinstance(outcome, Opened):
            ticket = self._triaged(outcome.ticket, interaction, now)
            outcome = Opened(ticket=ticket, entry=outcome.entry)
        elif isinstance(outcome, Reopened):
            ticket = self._triaged(outcome.ticket, interaction, now)
            outcome = Reopened(
                before=outcome.before, ticket=ticket, entry=outcome.entry, note=outcome.note
            )
        try:
            stored = self._tickets.save(outcome)
        except DuplicateEventError:
            # Another consumer processed the same event between our read and our write.
            self._resume(outcome.ticket.id, event=interaction.dedup_key)
            return None
        logger.info(
            type(outcome).__name__.lower(),
            ticket_id=stored.id,
            entry=outcome.entry.type,
            item=interaction.item_key,
        )
        if isinstance(outcome, Opened | Reopened):
            self._begin(stored, interaction.text)
        else:
            self._workflow.signal_if_ready(stored, event=interaction.dedup_key)
        return outcome

    def _triaged(self, ticket: Ticket, interaction: Interaction, now: datetime) -> Ticket:
        """Category, priority and language by the charter, and the first-response target they
        set (tightened by any declared peak)."""
        result = self._triage.classify(interaction.text)
        due = self._sla.first_response_due(
            now, result.category, result.priority, self._tickets.peaks()
        )
        return ticket.model_copy(
            update={
                "category": result.category,
                "priority": result.priority,
                "language": result.language,
                "triage_rules": result.rules,
                "first_response_due": due,
            }
        )

    def _customer_ticket(self, interaction: Interaction) -> Ticket | None:
        if interaction.verb is not Verb.CREATED:
            return None
        if interaction.from_brand and interaction.channel.is_public:
            return None
        return self._tickets.latest_ticket_of(interaction.customer_key)

    def _item_ticket(self, interaction: Interaction) -> Ticket | None:
        if interaction.verb is not Verb.CREATED:
            item_id = interaction.item_id
        elif interaction.from_brand and interaction.parent_id:
            item_id = interaction.parent_id
        else:
            return None
        ticket_id = self._tickets.ticket_for_event(interaction.key_of(item_id))
        return self._tickets.get(ticket_id) if ticket_id else None

    def _resume(self, ticket_id: str, *, event: str) -> None:
        """A repeat may follow a crash after saving: before the new ticket's workflow started,
        or before the wait it satisfies was signalled."""
        ticket = self._tickets.get(ticket_id)
        if ticket is None:
            return
        if ticket.workflow_execution_arn is None:
            self._begin(ticket, self._tickets.first_customer_message(ticket.id))
        else:
            self._workflow.signal_if_ready(ticket, event=event)

    def _begin(self, ticket: Ticket, message: str | None) -> None:
        """A new (or reopened) case: moderated when the charter says not to engage, else its
        card goes to the agents and its workflow starts."""
        if self._moderation.applies_to(ticket):
            self._moderation.moderate(ticket)
        else:
            self._cards.open_card(ticket, message)
            self._start_workflow(ticket)

    def _start_workflow(self, ticket: Ticket) -> None:
        now = self._clock()
        due = ticket.first_response_due or now
        execution_arn = self._starter.start(ticket, self._sla.timeout_seconds(due, now))
        self._tickets.record_workflow_started(ticket.id, execution_arn)
