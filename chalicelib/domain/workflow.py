"""The ticket workflow's rules, as pure functions.

The state machine (infra/statemachine/ticket.asl.json) owns the order of the steps and the
timers; these functions own the decisions: what may happen now, what completes a wait, and what
the next wait is. Every wait's timeout comes from the SLA clock, never from the ASL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.sla_clock import SlaClock
from chalicelib.domain.ticket import AgentRequest, Ticket, TicketStatus
from chalicelib.errors import RefusedError


class Task(StrEnum):
    AWAIT_FIRST_REPLY = "await_first_reply"
    ESCALATE = "escalate"
    SEND_PRIVATE = "send_private"
    AWAIT_RESOLUTION = "await_resolution"
    RESOLVE = "resolve"
    RECORD_FAILURE = "record_failure"
    AWAIT_SURVEY = "await_survey"
    CLOSE = "close"

    @property
    def is_wait(self) -> bool:
        return self in (Task.AWAIT_FIRST_REPLY, Task.AWAIT_RESOLUTION, Task.AWAIT_SURVEY)


class WorkflowTask(BaseModel):
    """A message the state machine sends to the workflow queue, carrying its task token."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["workflow_task"] = "workflow_task"
    task: Task
    ticket_id: str
    token: str
    entered_at: str
    level: int = 0
    phase: str | None = None
    failed_step: str | None = None
    error: dict[str, Any] | None = None


def wait(timeout: int, level: int = 0) -> dict[str, int]:
    return {"timeout": timeout, "level": level}


def check_private_allowed(ticket: Ticket) -> None:
    """Public reply first, then private: the rule the whole practice rests on."""
    if not ticket.status.is_open:
        raise RefusedError(f"ticket is {ticket.status.value}")
    if ticket.origin.is_public and ticket.first_public_reply_at is None:
        raise RefusedError(
            "this case started in public: reply publicly before sending a private message"
        )


def check_public_reply_allowed(ticket: Ticket) -> None:
    if not ticket.status.is_open:
        raise RefusedError(f"ticket is {ticket.status.value}")
    if not ticket.public_places:
        raise RefusedError("this case has no public place to reply in")


def check_open(ticket: Ticket) -> None:
    if not ticket.status.is_open:
        raise RefusedError(f"ticket is {ticket.status.value}")


def check_hide_allowed(ticket: Ticket) -> None:
    """Only a public comment can be hidden, and hiding ends the case: not once it is solved."""
    if not ticket.status.is_open or ticket.status is TicketStatus.RESOLVED:
        raise RefusedError(f"ticket is {ticket.status.value}")
    if not ticket.origin.is_public or not ticket.origin_item_id:
        raise RefusedError("only a public comment can be hidden; this case started in private")


def check_resolve_allowed(ticket: Ticket) -> None:
    if not ticket.status.is_open or ticket.status is TicketStatus.RESOLVED:
        raise RefusedError(f"ticket is {ticket.status.value}")
    if not ticket.first_reply_made and not _private_requested(ticket):
        raise RefusedError("answer the customer before resolving the case")


def _private_requested(ticket: Ticket) -> bool:
    return ticket.agent_request is not None and ticket.agent_request.action == "private"


@dataclass(frozen=True)
class Completion:
    """A wait that can end now: the ticket as it becomes, and the task's output."""

    ticket: Ticket
    output: dict[str, Any]


def completion(ticket: Ticket, *, event: str, now: datetime, clock: SlaClock) -> Completion | None:
    """Whether the ticket's pending wait is satisfied, and if so how it ends.

    `event` identifies what triggered the check; it claims the task so that a duplicate or
    late signal finds it taken and does nothing.
    """
    task = ticket.pending_task
    if task is None or (task.claimed_by is not None and task.claimed_by != event):
        return None
    claimed = task.model_copy(update={"claimed_by": event})
    name = Task(task.name)
    request = ticket.agent_request

    if name is Task.AWAIT_FIRST_REPLY:
        if not ticket.first_reply_made and not _private_requested(ticket):
            return None
        resolution_due = ticket.resolution_due or clock.resolution_due(now, ticket.routing)
        status = (
            TicketStatus.AWAITING_RESOLUTION
            if ticket.status is TicketStatus.REPLIED_PUBLICLY
            else ticket.status
        )
        updated = ticket.model_copy(
            update={"pending_task": claimed, "resolution_due": resolution_due, "status": status}
        )
        return Completion(updated, _next(request, clock.timeout_seconds(resolution_due, now)))

    if name is Task.AWAIT_RESOLUTION:
        if request is None:
            return None
        due = ticket.resolution_due or now
        updated = ticket.model_copy(update={"pending_task": claimed})
        return Completion(updated, _next(request, clock.timeout_seconds(due, now)))

    if name is Task.AWAIT_SURVEY:
        if ticket.survey is None:
            return None  # the timeout ends it otherwise
        updated = ticket.model_copy(update={"pending_task": claimed})
        return Completion(updated, {"survey": ticket.survey.rating})

    return None


def rearmed(ticket: Ticket, *, event: str, now: datetime, clock: SlaClock) -> Completion | None:
    """A resolution wait already running when the case was routed keeps the deadline it was
    armed with; ending it with `await_resolution` starts it again on the team's target.
    `event` claims it as `completion` does, so a retried route re-arms once."""
    task = ticket.pending_task
    if (
        task is None
        or Task(task.name) is not Task.AWAIT_RESOLUTION
        or task.claimed_by not in (None, event)
        or ticket.resolution_due is None
    ):
        return None
    claimed = task.model_copy(update={"claimed_by": event})
    timeout = clock.timeout_seconds(ticket.resolution_due, now)
    return Completion(
        ticket.model_copy(update={"pending_task": claimed}),
        {"next": Task.AWAIT_RESOLUTION.value, "wait": wait(timeout)},
    )


def _next(request: AgentRequest | None, resolution_timeout: int) -> dict[str, Any]:
    action = request.action if request else "await_resolution"
    return {"next": action, "wait": wait(resolution_timeout)}
