"""The troll policy: what the charter says not to engage with is hidden, never deleted.

Abuse (racist, sexist, aggressively insulting toward people) and spam are not answered: a public
comment is hidden on the platform (through the outbox, so once), the ticket ends `moderated`
with the rule that matched and the charter's URL, and the moderators hear about abuse (not about
spam, which would only flood them). Nothing in socialsav ever deletes a customer's comment.
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
from chalicelib.notifier import Notifier
from chalicelib.ticket_workflow import Delivery, WorkflowStore, entry

logger = Logger(child=True)

NOT_ENGAGED = ("abuse", "spam")


class Moderation:
    def __init__(
        self,
        tickets: WorkflowStore,
        outbox: Delivery,
        notifier: Notifier,
        charter_url: str,
        now: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._outbox = outbox
        self._notifier = notifier
        self._charter_url = charter_url
        self._now = now

    def applies_to(self, ticket: Ticket) -> bool:
        return ticket.category in NOT_ENGAGED and ticket.status is not TicketStatus.MODERATED

    def moderate(self, ticket: Ticket) -> Ticket:
        now = self._now()
        rule = next((r for r in ticket.triage_rules if r.startswith(ticket.category)), "")
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
        text = f"{ticket.category} ({rule}): {action}, under the moderation charter {charter}"
        moderated = ticket.model_copy(
            update={"status": TicketStatus.MODERATED, "closed_at": now, "updated_at": now}
        )
        with suppress(DuplicateEventError):
            ticket = self._tickets.update(
                ticket,
                moderated,
                entries=[entry(f"moderated#{ticket.reopen_count}", EntryType.MODERATED, now, text)],
                markers=[f"{ticket.id}#moderated#{ticket.reopen_count}"],
            )
            if ticket.category == "abuse":
                self._notifier.moderated(ticket, rule=rule, charter_url=self._charter_url)
        logger.info(
            "moderated", ticket_id=ticket.id, category=ticket.category, rule=rule, action=action
        )
        return ticket
