"""The code side of the ticket workflow: each state that needs code sends a task here.

Waits store their task token on the ticket and end when the ticket's state satisfies them
(`signal_if_ready`, also called after every event that may satisfy a wait). Action steps act and
complete their token with the next wait's timeout, computed by the SLA clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from chalicelib.adapters.ticket_store import DuplicateEventError
from chalicelib.domain.outbound import OutboundPost, OutboxRecord, PostKind
from chalicelib.domain.posting import Skipped, private_message, resolution_posts
from chalicelib.domain.sla_clock import SlaClock
from chalicelib.domain.ticket import (
    EntryType,
    PendingTask,
    Place,
    Ticket,
    TicketStatus,
    TimelineEntry,
)
from chalicelib.domain.workflow import (
    Completion,
    Task,
    WorkflowTask,
    completion,
    rearmed,
    wait,
)
from chalicelib.errors import InvalidMessageError, PostFailedError

logger = Logger(child=True)


class WorkflowStore(Protocol):
    def get(self, ticket_id: str) -> Ticket | None: ...
    def set_pending_task(self, ticket_id: str, task: PendingTask) -> Ticket | None: ...
    def update(
        self,
        before: Ticket,
        after: Ticket,
        *,
        entries: Sequence[TimelineEntry] = (),
        markers: Sequence[str] = (),
    ) -> Ticket: ...


class Signals(Protocol):
    def succeed(self, token: str, output: Mapping[str, Any]) -> bool: ...
    def fail(self, token: str, error: str, cause: str) -> bool: ...


class Delivery(Protocol):
    def deliver(self, ticket_id: str, post: OutboundPost) -> OutboxRecord: ...


def entry(
    key: str,
    kind: EntryType,
    at: datetime,
    text: str | None,
    actor: str = "system",
    place: Place | None = None,
    item_id: str | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        key=key,
        type=kind,
        at=at,
        actor=actor,
        text=text,
        channel=place.channel if place else None,
        thread_id=place.thread_id if place else None,
        item_id=item_id,
    )


class TicketWorkflowService:
    def __init__(
        self,
        tickets: WorkflowStore,
        signals: Signals,
        outbox: Delivery,
        clock: SlaClock,
        now: Callable[[], datetime],
        survey_link: Callable[[Ticket, datetime], str],
    ) -> None:
        self._tickets = tickets
        self._signals = signals
        self._outbox = outbox
        self._clock = clock
        self._now = now
        self._survey_link = survey_link

    def handle_task(self, task: WorkflowTask) -> None:
        ticket = self._tickets.get(task.ticket_id)
        if ticket is None:
            raise InvalidMessageError(f"workflow task for unknown ticket {task.ticket_id}")
        if ticket.status is TicketStatus.MODERATED:
            # Hidden by an agent: the execution was stopped; a task already in flight is moot.
            logger.info("task of a moderated ticket dropped", ticket_id=ticket.id, task=task.task)
            return
        if task.task.is_wait:
            pending = PendingTask(name=task.task, token=task.token, entered_at=task.entered_at)
            stored = self._tickets.set_pending_task(ticket.id, pending)
            if stored is None:
                logger.info("stale workflow task dropped", ticket_id=ticket.id, task=task.task)
                return
            self.signal_if_ready(stored, event=f"{task.task}:{task.entered_at}")
            return
        actions: dict[Task, Callable[[Ticket, WorkflowTask], None]] = {
            Task.ESCALATE: self._escalate,
            Task.SEND_PRIVATE: self._send_private,
            Task.RECORD_FAILURE: self._record_failure,
            Task.RESOLVE: self._resolve,
            Task.CLOSE: self._close,
        }
        actions[task.task](ticket, task)

    def signal_if_ready(self, ticket: Ticket, *, event: str) -> None:
        """End the pending wait if the ticket satisfies it. The claim is a conditional write on
        the ticket, so a duplicate or late event finds the wait taken and does nothing."""
        self._end_wait(ticket, completion(ticket, event=event, now=self._now(), clock=self._clock))

    def rearm_resolution(self, ticket: Ticket, *, event: str) -> None:
        """Restart a running resolution wait on the ticket's (new) resolution target."""
        self._end_wait(ticket, rearmed(ticket, event=event, now=self._now(), clock=self._clock))

    def _end_wait(self, ticket: Ticket, done: Completion | None) -> None:
        if done is None or done.ticket.pending_task is None:
            return
        if done.ticket != ticket:
            self._tickets.update(ticket, done.ticket)
        if self._signals.succeed(done.ticket.pending_task.token, done.output):
            logger.info(
                "wait ended",
                ticket_id=ticket.id,
                task=done.ticket.pending_task.name,
                output=done.output,
            )

    # --- action steps ---------------------------------------------------------------------------

    def _escalate(self, ticket: Ticket, task: WorkflowTask) -> None:
        now = self._now()
        level = task.level + 1
        phase = task.phase or "first_reply"
        breach = "first_response_breached" if phase == "first_reply" else "resolution_breached"
        escalated = ticket.model_copy(update={"escalation_level": level, breach: True})
        text = f"{phase.replace('_', ' ')} target missed: escalation level {level}"
        key = f"escalation#{phase}#{level}#{task.entered_at}"
        try:
            # The Slack desk hears of the entry and mentions the level's on-call group.
            self._tickets.update(
                ticket,
                escalated,
                entries=[entry(key, EntryType.ESCALATED, now, text)],
                markers=[f"{ticket.id}#{key}"],
            )
        except DuplicateEventError:
            logger.info("escalation already recorded", ticket_id=ticket.id, level=level)
        due = self._clock.next_escalation_due(now, level)
        self._signals.succeed(task.token, wait(self._clock.timeout_seconds(due, now), level))

    def _send_private(self, ticket: Ticket, task: WorkflowTask) -> None:
        now = self._now()
        request = ticket.agent_request
        if request is None or request.action != "private":
            # Already sent by an earlier attempt of this step: just move on.
            self._signals.succeed(task.token, self._resolution_step(ticket, now))
            return
        key = f"{ticket.id}:private:{request.request_id}"
        post = private_message(ticket, request.text or "", key, now)
        if isinstance(post, Skipped):
            self._signals.fail(task.token, "PostSkipped", post.reason)
            return
        try:
            record = self._outbox.deliver(ticket.id, post)
        except PostFailedError as e:
            self._note(ticket, f"{key}#failed", EntryType.POST_FAILED, f"send_private: {e}", now)
            self._signals.fail(task.token, "PostFailed" if e.retryable else "PostRejected", str(e))
            return
        # A private reply to a comment does not open the conversation: Meta allows nothing
        # more until the customer answers, and their answer adds the private place.
        place = ticket.private_place or ticket.public_places[0]
        updated = ticket.model_copy(
            update={
                "status": TicketStatus.IN_PRIVATE,
                "agent_request": None,
                "first_private_reply_at": ticket.first_private_reply_at or now,
                "private_reply_sent_at": ticket.private_reply_sent_at
                or (now if post.kind is PostKind.PRIVATE_REPLY else None),
                "updated_at": now,
            }
        )
        echo = [f"{ticket.platform.value}#{record.platform_id}"] if record.platform_id else []
        self._tickets.update(
            ticket,
            updated,
            entries=[
                entry(
                    key,
                    EntryType.BRAND_PRIVATE_REPLY,
                    now,
                    post.text,
                    actor=f"agent:{request.agent or 'unknown'}",
                    place=place,
                    item_id=record.platform_id,
                )
            ],
            # the platform echoes our own message back by webhook: that echo is not news
            markers=echo,
        )
        self._signals.succeed(task.token, self._resolution_step(updated, now))

    def _record_failure(self, ticket: Ticket, task: WorkflowTask) -> None:
        now = self._now()
        error = task.error or {}
        reason = str(error.get("Error") or "unknown error")
        step = task.failed_step or "unknown"
        updated = ticket.model_copy(
            update={"agent_request": None if step == "send_private" else ticket.agent_request}
        )
        key = f"failure#{step}#{task.entered_at}"
        try:
            ticket = self._tickets.update(
                ticket,
                updated,
                entries=[entry(key, EntryType.POST_FAILED, now, f"{step}: gave up ({reason})")],
                markers=[f"{ticket.id}#{key}"],
            )
        except DuplicateEventError:
            ticket = self._tickets.get(ticket.id) or ticket
        next_step = (
            self._survey_step(now) if step == "resolve" else self._resolution_step(ticket, now)
        )
        self._signals.succeed(task.token, next_step)

    def _resolve(self, ticket: Ticket, task: WorkflowTask) -> None:
        """Mark the case resolved, then post the closing message wherever the customer wrote.
        A retried step (after a failed post) finds what was already posted in the outbox."""
        now = self._now()
        if ticket.status is not TicketStatus.RESOLVED:
            request = ticket.agent_request
            resolved = ticket.model_copy(
                update={
                    "status": TicketStatus.RESOLVED,
                    "resolved_at": now,
                    "resolution_note": request.text if request else None,
                    "agent_request": None,
                    "updated_at": now,
                }
            )
            note = request.text if request and request.text else None
            actor = f"agent:{request.agent or 'unknown'}" if request else "system"
            with suppress(DuplicateEventError):
                ticket = self._tickets.update(
                    ticket,
                    resolved,
                    entries=[
                        entry(
                            f"resolved#{task.entered_at}",
                            EntryType.RESOLVED,
                            now,
                            note,
                            actor=actor,
                        )
                    ],
                    markers=[f"{ticket.id}#resolved#{ticket.reopen_count}"],
                )
        closure = self._clock.charter.closure
        posts = resolution_posts(
            ticket,
            public_text=closure.render(closure.public_message, ticket.customer.first_name),
            private_text=closure.render(closure.private_message, ticket.customer.first_name),
            survey_link=self._survey_link(ticket, now),
            now=now,
        )
        failures: list[PostFailedError] = []
        echoes: list[str] = []
        for post in posts:
            if isinstance(post, Skipped):
                self._note(ticket, post.key, EntryType.POST_SKIPPED, post.reason, now)
                continue
            try:
                record = self._outbox.deliver(ticket.id, post)
            except PostFailedError as e:
                # The first failure's reason stays on the timeline; the outbox counts attempts.
                self._note(
                    ticket, f"{post.key}#failed", EntryType.POST_FAILED, f"resolve: {e}", now
                )
                failures.append(e)
                continue
            if record.platform_id:
                echoes.append(f"{ticket.platform.value}#{record.platform_id}")
        if echoes:
            with suppress(DuplicateEventError):
                self._tickets.update(ticket, ticket, markers=echoes)
        if failures:
            retryable = any(f.retryable for f in failures)
            reasons = "; ".join(str(f) for f in failures)
            self._signals.fail(task.token, "PostFailed" if retryable else "PostRejected", reasons)
            return
        self._signals.succeed(task.token, self._survey_step(now))

    def _close(self, ticket: Ticket, task: WorkflowTask) -> None:
        now = self._now()
        if ticket.status is not TicketStatus.CLOSED:
            closed = ticket.model_copy(
                update={
                    "status": TicketStatus.CLOSED,
                    "closed_at": now,
                    "pending_task": None,
                    "updated_at": now,
                }
            )
            with suppress(DuplicateEventError):
                self._tickets.update(
                    ticket,
                    closed,
                    entries=[entry(f"closed#{task.entered_at}", EntryType.CLOSED, now, None)],
                    markers=[f"{ticket.id}#closed#{ticket.reopen_count}"],
                )
        self._signals.succeed(task.token, {"closed_at": now.isoformat()})

    def _note(self, ticket: Ticket, key: str, kind: EntryType, text: str, now: datetime) -> None:
        with suppress(DuplicateEventError):
            self._tickets.update(
                ticket, ticket, entries=[entry(key, kind, now, text)], markers=[key]
            )

    def _survey_step(self, now: datetime) -> dict[str, Any]:
        due = self._clock.survey_due(now)
        return {"next": "await_survey", "wait": wait(self._clock.timeout_seconds(due, now))}

    def _resolution_step(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        due = ticket.resolution_due or self._clock.resolution_due(now, ticket.routing)
        return {"next": "await_resolution", "wait": wait(self._clock.timeout_seconds(due, now))}
