"""What agents ask for on a ticket: reply publicly, move to private, resolve, hide, assign,
route to a team.

A request is checked against the case's rules when it is made (so the agent hears "no" at
once), queued, and carried out by the inbox consumer, which checks again: the ticket may have
moved on meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger

from chalicelib.adapters.ticket_store import DuplicateEventError
from chalicelib.domain.charter import Team
from chalicelib.domain.interaction import Channel
from chalicelib.domain.pii_guard import PiiGuard
from chalicelib.domain.posting import Skipped, public_reply
from chalicelib.domain.replies import ReplyDrafter
from chalicelib.domain.sla_clock import SlaClock
from chalicelib.domain.ticket import (
    AgentRequest,
    Assignee,
    EntryType,
    Ticket,
    TimelineEntry,
    record_brand_reply,
)
from chalicelib.domain.workflow import (
    check_hide_allowed,
    check_open,
    check_private_allowed,
    check_public_reply_allowed,
    check_resolve_allowed,
)
from chalicelib.errors import (
    ConfirmationNeededError,
    NotFoundError,
    PostFailedError,
    RefusedError,
)
from chalicelib.inbox_message import AgentAction
from chalicelib.moderation import Moderation
from chalicelib.ticket_workflow import Delivery, TicketWorkflowService, WorkflowStore, entry

logger = Logger(child=True)

_CHECKS = {
    "reply_publicly": check_public_reply_allowed,
    "send_private": check_private_allowed,
    "resolve": check_resolve_allowed,
    "hide": check_hide_allowed,
    "assign": check_open,
    "route": check_open,
}
_NEEDS_TEXT = ("reply_publicly", "send_private")


class ActionQueue(Protocol):
    def publish_action(self, action: AgentAction) -> None: ...


class CustomerMessages(Protocol):
    def first_customer_message(self, ticket_id: str) -> str | None: ...


class WorkflowStopper(Protocol):
    def stop(self, execution_arn: str, cause: str) -> None: ...


class AgentActions:
    def __init__(
        self,
        tickets: WorkflowStore,
        queue: ActionQueue,
        workflow: TicketWorkflowService,
        outbox: Delivery,
        guard: PiiGuard,
        drafter: ReplyDrafter,
        messages: CustomerMessages,
        moderation: Moderation,
        stopper: WorkflowStopper,
        clock: SlaClock,
        now: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._queue = queue
        self._workflow = workflow
        self._outbox = outbox
        self._guard = guard
        self._drafter = drafter
        self._messages = messages
        self._moderation = moderation
        self._stopper = stopper
        self._clock = clock
        self._now = now

    @property
    def teams(self) -> Mapping[str, Team]:
        return self._clock.charter.teams

    def check(self, ticket_id: str, action: str) -> Ticket:
        """The ticket, if the case's rules allow `action` on it now; else `RefusedError`."""
        ticket = self._tickets.get(ticket_id)
        if ticket is None:
            raise NotFoundError(f"no ticket {ticket_id}")
        _CHECKS[action](ticket)
        return ticket

    def request(self, action: AgentAction) -> None:
        """Refuse now what the rules forbid; queue the rest."""
        ticket = self.check(action.ticket_id, action.action)
        if action.action in _NEEDS_TEXT and not (action.text or "").strip():
            raise RefusedError("a reply needs text")
        if action.action == "route" and action.team not in self.teams:
            raise RefusedError(f"unknown team {action.team!r}: one of {', '.join(self.teams)}")
        if action.action == "assign" and not action.agent_id:
            raise RefusedError("assign needs the agent's id")
        if action.action == "reply_publicly":
            self._guard.check_public(action.text or "")
            if not action.confirm:
                message = self._messages.first_customer_message(ticket.id)
                flags = self._drafter.human_touch(action.text or "", ticket, action.agent, message)
                if flags:
                    raise ConfirmationNeededError(
                        f'{"; ".join(flags)}. Send again with "confirm": true to post it anyway'
                    )
        self._queue.publish_action(action)

    def draft(self, ticket_id: str, agent: str) -> tuple[str, list[str]]:
        """The personalised saved reply for this case, and what the check would say of it."""
        ticket = self._tickets.get(ticket_id)
        if ticket is None:
            raise NotFoundError(f"no ticket {ticket_id}")
        message = self._messages.first_customer_message(ticket_id)
        text = self._drafter.draft(ticket, message, agent)
        return text, self._drafter.human_touch(text, ticket, agent, message)

    def execute(self, action: AgentAction) -> None:
        ticket = self._tickets.get(action.ticket_id)
        if ticket is None:
            logger.warning("action on an unknown ticket dropped", ticket_id=action.ticket_id)
            return
        try:
            _CHECKS[action.action](ticket)
            if action.action == "reply_publicly":
                self._guard.check_public(action.text or "")
        except RefusedError as e:
            # Accepted earlier, but the ticket moved on meanwhile: the agent must see why
            # nothing happened, so the refusal goes on the timeline.
            logger.warning(
                "action refused", ticket_id=ticket.id, action=action.action, reason=str(e)
            )
            key = f"{ticket.id}:refused:{action.request_id}"
            self._note(ticket, key, EntryType.AGENT_REQUEST_REFUSED, f"{action.action}: {e}")
            return
        if action.action == "hide":
            self._hide(ticket, action)
            return
        if action.action == "assign":
            self._assign(ticket, action)
            return
        if action.action == "route":
            self._route(ticket, action)
            return
        if action.action == "reply_publicly":
            ticket = self._reply_publicly(ticket, action)
        else:
            ticket = self._record_request(ticket, action)
        self._workflow.signal_if_ready(ticket, event=f"action:{action.request_id}")

    def _hide(self, ticket: Ticket, action: AgentAction) -> None:
        """The agent's call on a troll: hidden (never deleted), the case ends moderated and its
        workflow stops (no escalations for a case nobody will answer)."""
        self._moderation.moderate(ticket, agent=action.agent or "unknown")
        if ticket.workflow_execution_arn:
            self._stopper.stop(ticket.workflow_execution_arn, f"hidden by {action.agent}")

    def _assign(self, ticket: Ticket, action: AgentAction) -> None:
        agent = Assignee(id=action.agent_id or "", name=action.agent or action.agent_id or "")
        if ticket.assignee == agent:
            return  # a second click changes nothing
        now = self._now()
        key = f"{ticket.id}:assign:{action.request_id}"
        updated = ticket.model_copy(update={"assignee": agent, "updated_at": now})
        note = entry(key, EntryType.ASSIGNED, now, f"to {agent.name}", actor=f"agent:{agent.name}")
        self._save(ticket, updated, note, markers=[key])

    def _route(self, ticket: Ticket, action: AgentAction) -> None:
        """Escalate to a team: its resolution target applies from now (if the first reply is
        made; else from the first reply), and a resolution wait already running restarts on it."""
        team = action.team or ""
        event = f"action:{action.request_id}"
        if ticket.routing == team:
            if ticket.pending_task and ticket.pending_task.claimed_by == event:
                self._workflow.rearm_resolution(ticket, event=event)  # this request, retried
            return
        now = self._now()
        due = self._clock.resolution_due(now, team) if ticket.first_reply_made else None
        updated = ticket.model_copy(
            update={"routing": team, "resolution_due": due, "updated_at": now}
        )
        days = self.teams[team].resolution_business_days
        key = f"{ticket.id}:route:{action.request_id}"
        text = f"to {team} (resolution target {days} business days)"
        note = entry(key, EntryType.ROUTED, now, text, actor=f"agent:{action.agent or 'unknown'}")
        self._workflow.rearm_resolution(
            self._save(ticket, updated, note, markers=[key]), event=event
        )

    def _reply_publicly(self, ticket: Ticket, action: AgentAction) -> Ticket:
        now = self._now()
        place = ticket.public_places[0]
        key = f"{ticket.id}:public:{action.request_id}"
        post = public_reply(ticket, place, action.text or "", key)
        actor = f"agent:{action.agent or 'unknown'}"
        if isinstance(post, Skipped):
            return self._note(ticket, key, EntryType.POST_SKIPPED, post.reason)
        try:
            record = self._outbox.deliver(ticket.id, post)
        except PostFailedError as e:
            if e.retryable:
                raise  # SQS retries the request; the outbox keeps it from posting twice
            return self._note(ticket, key, EntryType.POST_FAILED, str(e))
        updated = record_brand_reply(ticket, Channel.PUBLIC_COMMENT, now).model_copy(
            update={"updated_at": now}
        )
        echo = [f"{ticket.platform.value}#{record.platform_id}"] if record.platform_id else []
        reply = entry(
            key,
            EntryType.BRAND_PUBLIC_REPLY,
            now,
            post.text,
            actor=actor,
            place=place,
            item_id=record.platform_id,
        )
        return self._save(ticket, updated, reply, markers=[key, *echo])

    def _record_request(self, ticket: Ticket, action: AgentAction) -> Ticket:
        now = self._now()
        request = AgentRequest(
            action="private" if action.action == "send_private" else "resolve",
            text=action.text,
            agent=action.agent,
            request_id=action.request_id,
        )
        updated = ticket.model_copy(update={"agent_request": request, "updated_at": now})
        key = f"{ticket.id}:request:{action.request_id}"
        text = f"{action.action}: {action.text or ''}".strip()
        note = entry(
            key, EntryType.AGENT_REQUEST, now, text, actor=f"agent:{action.agent or 'unknown'}"
        )
        return self._save(ticket, updated, note, markers=[key])

    def _note(self, ticket: Ticket, key: str, kind: EntryType, reason: str) -> Ticket:
        return self._save(ticket, ticket, entry(key, kind, self._now(), reason), markers=[key])

    def _save(
        self, before: Ticket, after: Ticket, note: TimelineEntry, markers: list[str]
    ) -> Ticket:
        """Record once: a repeated request finds its marker and changes nothing."""
        try:
            return self._tickets.update(before, after, entries=[note], markers=markers)
        except DuplicateEventError:
            return self._tickets.get(before.id) or before
