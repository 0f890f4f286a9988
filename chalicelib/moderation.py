"""The troll policy: what the charter says not to engage with is hidden, never deleted.

Abuse (racist, sexist, aggressively insulting toward people) and spam are not answered: a public
comment is hidden on the platform (through the outbox, so once), the ticket ends `moderated`
with the rule that matched and the charter's URL, and the moderators hear about abuse (not about
spam, which would only flood them: the Slack desk reads the ticket's timeline). An agent can
also hide a troll the charter's rules missed. Nothing in socialsav ever deletes a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from aws_lambda_powertools import Logger

from chalicelib.adapters.ticket_store import DuplicateEventError
from chalicelib.domain.outbound import OutboundPost, PostKind
from chalicelib.domain.ticket import EntryType, Ticket, TicketStatus
from chalicelib.errors import PostFailedError
from chalicelib.ticket_workflow import Delivery, WorkflowStore, entry

logger = Logger(child=True)

NOT_ENGAGED = ("abuse", "spam")


class Moderation:
    def __init__(
        self,
        tickets: WorkflowStore,
        outbox: Delivery,
        charter_url: str,
        now: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._outbox = outbox
        self._charter_url = charter_url
        self._now = now

    def applies_to(self, ticket: Ticket) -> bool:
        return ticket.category in NOT_ENGAGED and ticket.status is not TicketStatus.MODERATED

    def moderate(self, ticket: Ticket, *, agent: str | None = None) -> Ticket:
        """Hide the comment and end the case. `agent` is who decided, when not the charter's
        rules alone."""
        now = self._now()
        rule = next((r for r in ticket.triage_rules if r.startswith(NOT_ENGAGED)), "")
        rule = rule or "agent's judgement"
        action = "not answered"
        if ticket.origin.is_public and ticket.origin_item_id:
            hide = OutboundPost(
                key=f"{ticket.id}:hide:{ticket.origin_item_id}",
                kind=PostKind.HIDE,
                platform=ticket.platform,
                account_id=ticket.account_id,
                target_id=ticket.origin_item_id,
            )
            try:
                record = self._outbox.deliver(ticket.id, hide)
                action = "hidden (dry run)" if record.status == "dry_run" else "hidden"
            except PostFailedError as e:
                if e.retryable:
                    raise  # SQS retries; the outbox keeps the hide to one
                action = f"could not be hidden: {e}"
        charter = self._charter_url
        what = ticket.category if ticket.category in NOT_ENGAGED else "troll"
        text = f"{what} ({rule}): {action}, under the moderation charter {charter}"
        moderated = ticket.model_copy(
            update={"status": TicketStatus.MODERATED, "closed_at": now, "updated_at": now}
        )
        with suppress(DuplicateEventError):
            ticket = self._tickets.update(
                ticket,
                moderated,
                entries=[
                    entry(
                        f"moderated#{ticket.reopen_count}",
                        EntryType.MODERATED,
                        now,
                        text,
                        actor=f"agent:{agent}" if agent else "system",
                    )
                ],
                markers=[f"{ticket.id}#moderated#{ticket.reopen_count}"],
            )
        logger.info(
            "moderated", ticket_id=ticket.id, category=ticket.category, rule=rule, action=action
        )
        return ticket
