"""Tickets and the threading rules that decide what an interaction does to them.

Pure domain code: given an interaction and the tickets it could belong to, `route` says whether it
opens a ticket, adds to one, or is ignored (with the reason). The storage adapter persists the
outcome atomically; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.interaction import Channel, Interaction, Platform, Verb


class TicketStatus(StrEnum):
    AWAITING_PUBLIC_REPLY = "awaiting_public_reply"
    REPLIED_PUBLICLY = "replied_publicly"
    IN_PRIVATE = "in_private"
    AWAITING_RESOLUTION = "awaiting_resolution"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MODERATED = "moderated"

    @property
    def is_open(self) -> bool:
        return self not in (TicketStatus.CLOSED, TicketStatus.MODERATED)


class EntryType(StrEnum):
    CUSTOMER_MESSAGE = "customer_message"
    CUSTOMER_EDITED = "customer_edited"
    CUSTOMER_REMOVED = "customer_removed"
    COMMENT_HIDDEN = "comment_hidden"
    COMMENT_UNHIDDEN = "comment_unhidden"
    BRAND_PUBLIC_REPLY = "brand_public_reply"
    BRAND_PRIVATE_REPLY = "brand_private_reply"
    # written by the workflow
    ESCALATED = "escalated"
    AGENT_REQUEST = "agent_request"
    AGENT_REQUEST_REFUSED = "agent_request_refused"
    POST_FAILED = "post_failed"
    POST_SKIPPED = "post_skipped"
    RESOLVED = "resolved"
    SURVEY_ANSWERED = "survey_answered"
    ASSIGNED = "assigned"
    ROUTED = "routed"
    CLOSED = "closed"
    REOPENED = "reopened"
    MODERATED = "moderated"


_VERB_ENTRY = {
    Verb.EDITED: EntryType.CUSTOMER_EDITED,
    Verb.REMOVED: EntryType.CUSTOMER_REMOVED,
    Verb.HIDDEN: EntryType.COMMENT_HIDDEN,
    Verb.UNHIDDEN: EntryType.COMMENT_UNHIDDEN,
}


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None = None
    first_name: str | None = None
    handle: str | None = None


class Place(BaseModel):
    """A conversation the customer used: a comment thread, a mention, or the private channel."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    thread_id: str
    post_id: str | None = None
    permalink: str | None = None


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    type: EntryType
    at: datetime
    actor: str
    text: str | None = None
    channel: Channel | None = None
    item_id: str | None = None
    thread_id: str | None = None


class PendingTask(BaseModel):
    """The workflow step waiting on this ticket, with the token that completes it."""

    model_config = ConfigDict(frozen=True)

    name: str
    token: str
    entered_at: str  # the state's entry time, ISO: a redelivered older task never wins
    claimed_by: str | None = None


class AgentRequest(BaseModel):
    """What an agent asked the workflow to do next, kept until the workflow takes it."""

    model_config = ConfigDict(frozen=True)

    action: str  # "private" or "resolve"
    text: str | None = None
    agent: str | None = None
    request_id: str


class Assignee(BaseModel):
    """The agent who took the case (their Slack user id and display name)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str


class SlackCard(BaseModel):
    """The ticket's card in the agents' channel, and the excerpt it shows."""

    model_config = ConfigDict(frozen=True)

    channel: str
    ts: str
    excerpt: str = ""


SURVEY_COMMENT_CHARS = 500


class SurveyAnswer(BaseModel):
    """The customer's satisfaction answer: one per ticket, the first one counts."""

    model_config = ConfigDict(frozen=True)

    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=SURVEY_COMMENT_CHARS)
    answered_at: datetime

    @field_validator("comment", mode="before")
    @classmethod
    def _tidy(cls, value: object) -> object:
        if isinstance(value, str):
            return " ".join(value.split()) or None
        return value

    @property
    def summary(self) -> str:
        stars = "★" * self.rating + "☆" * (5 - self.rating)
        return f"{stars} {self.rating}/5" + (f": {self.comment}" if self.comment else "")


class Ticket(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    platform: Platform
    account_id: str
    customer: Customer
    customer_key: str
    origin: Channel
    places: tuple[Place, ...]
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    category: str = "unclassified"
    priority: str = "normal"
    language: str | None = None
    triage_rules: tuple[str, ...] = ()
    origin_item_id: str | None = None  # the customer's first message: what moderation hides
    routing: str | None = None  # the team the case was escalated to
    assignee: Assignee | None = None
    slack_card: SlackCard | None = None
    first_public_reply_at: datetime | None = None
    first_private_reply_at: datetime | None = None
    private_reply_sent_at: datetime | None = None
    last_customer_private_at: datetime | None = None
    first_response_due: datetime | None = None
    first_response_breached: bool = False
    resolution_due: datetime | None = None
    resolution_breached: bool = False
    escalation_level: int = 0
    pending_task: PendingTask | None = None
    agent_request: AgentRequest | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    survey: SurveyAnswer | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    previous_ticket_id: str | None = None
    workflow_execution_arn: str | None = None
    version: int = 0

    @property
    def execution_name(self) -> str:
        """Step Functions keeps a closed execution's name for 90 days: a reopened ticket's new
        life runs under a new name."""
        return self.id if self.reopen_count == 0 else f"{self.id}-r{self.reopen_count}"

    @property
    def first_reply_made(self) -> bool:
        """A public case needs a public reply; a private one, any private reply."""
        if self.origin.is_public:
            return self.first_public_reply_at is not None
        return self.first_private_reply_at is not None

    @property
    def private_place(self) -> Place | None:
        return next((p for p in self.places if p.channel is Channel.PRIVATE_MESSAGE), None)

    @property
    def public_places(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.channel.is_public)

    @property
    def next_deadline(self) -> datetime | None:
        """What the agent must beat next: the first reply, then the resolution."""
        if not self.status.is_open or self.status is TicketStatus.RESOLVED:
            return None
        return self.resolution_due if self.first_reply_made else self.first_response_due

    def has_place(self, place: Place) -> bool:
        return any(
            p.channel == place.channel and p.thread_id == place.thread_id for p in self.places
        )


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    entry: TimelineEntry


@dataclass(frozen=True)
class Appended:
    before: Ticket
    ticket: Ticket
    entry: TimelineEntry


@dataclass(frozen=True)
class Reopened:
    """A customer wrote again soon after closure: the same ticket starts a new life."""

    before: Ticket
    ticket: Ticket
    entry: TimelineEntry
    note: TimelineEntry


@dataclass(frozen=True)
class Ignored:
    reason: str
    # The item it refers to may simply not have been processed yet: platforms do not order
    # separate deliveries, so a page's reply can arrive before the comment it answers.
    may_arrive_later: bool = False


Outcome = Opened | Appended | Reopened | Ignored
DEFAULT_REOPEN_WINDOW = timedelta(days=7)


def ticket_id_for(interaction: Interaction) -> str:
    """Derived from the first item, so a retried creation names the same ticket (and workflow)."""
    return "tk-" + hashlib.sha256(interaction.dedup_key.encode()).hexdigest()[:20]


def first_name_of(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    return name.strip().split()[0]


def place_of(interaction: Interaction) -> Place:
    return Place(
        channel=interaction.channel,
        thread_id=interaction.thread_id,
        post_id=interaction.post_id,
        permalink=interaction.permalink,
    )


def entry_for(interaction: Interaction) -> TimelineEntry:
    if interaction.verb is not Verb.CREATED:
        entry_type = _VERB_ENTRY[interaction.verb]
    elif interaction.from_brand:
        entry_type = (
            EntryType.BRAND_PUBLIC_REPLY
            if interaction.channel.is_public
            else EntryType.BRAND_PRIVATE_REPLY
        )
    else:
        entry_type = EntryType.CUSTOMER_MESSAGE
    return TimelineEntry(
        key=interaction.dedup_key,
        type=entry_type,
        at=interaction.occurred_at,
        actor="brand" if interaction.from_brand else "customer",
        text=interaction.text,
        channel=interaction.channel,
        item_id=interaction.item_id,
        thread_id=interaction.thread_id,
    )


def route(
    interaction: Interaction,
    *,
    customer_ticket: Ticket | None,
    item_ticket: Ticket | None,
    now: datetime,
    reopen_window: timedelta = DEFAULT_REOPEN_WINDOW,
) -> Outcome:
    """Decide what `interaction` does.

    `customer_ticket` is the customer's latest ticket, if any, open or not. `item_ticket` is the
    ticket that owns the item this interaction acts on: its parent for a brand reply, itself for
    an edit or hide.
    """
    if customer_ticket is not None and not customer_ticket.status.is_open:
        latest: Ticket | None = customer_ticket
        customer_ticket = None
    else:
        latest = None
    entry = entry_for(interaction)
    if interaction.verb is not Verb.CREATED:
        if item_ticket is None:
            return Ignored(
                f"{interaction.verb.value} of an item no ticket holds", may_arrive_later=True
            )
        return _append(item_ticket, entry, now=now)

    if interaction.from_brand:
        target = item_ticket if interaction.channel.is_public else customer_ticket
        if target is None or not target.status.is_open:
            unseen_parent = target is None and interaction.parent_id is not None
            return Ignored("brand message outside any open ticket", may_arrive_later=unseen_parent)
        replied = record_brand_reply(target, interaction.channel, interaction.occurred_at)
        return _append(replied, entry, now=now, before=target)

    if customer_ticket is not None:
        place = place_of(interaction)
        ticket = customer_ticket
        if not ticket.has_place(place):
            ticket = ticket.model_copy(update={"places": (*ticket.places, place)})
        ticket = _note_customer_private(ticket, interaction)
        return _append(ticket, entry, now=now, before=customer_ticket)

    if (
        latest is not None
        and latest.status is TicketStatus.CLOSED
        and latest.closed_at is not None
        and now - latest.closed_at <= reopen_window
    ):
        note = TimelineEntry(
            key=f"{interaction.dedup_key}#reopened",
            type=EntryType.REOPENED,
            at=now,
            actor="customer",
            text="the customer wrote again within the reopen window",
        )
        return Reopened(
            before=latest, ticket=_reopen(latest, interaction, now), entry=entry, note=note
        )

    ticket = _new_ticket(interaction, now=now)
    if latest is not None:
        ticket = ticket.model_copy(update={"previous_ticket_id": latest.id})
    return Opened(ticket=_note_customer_private(ticket, interaction), entry=entry)


def _reopen(ticket: Ticket, interaction: Interaction, now: datetime) -> Ticket:
    place = place_of(interaction)
    places = ticket.places if ticket.has_place(place) else (*ticket.places, place)
    # The new life needs its own first reply, resolution and closure.
    reopened = ticket.model_copy(
        update={
            "origin": interaction.channel,
            "origin_item_id": interaction.item_id,
            "places": places,
            "status": _initial_status(interaction.channel),
            "updated_at": now,
            "reopen_count": ticket.reopen_count + 1,
            "first_public_reply_at": None,
            "first_private_reply_at": None,
            "first_response_due": None,
            "first_response_breached": False,
            "resolution_due": None,
            "resolution_breached": False,
            "escalation_level": 0,
            "pending_task": None,
            "agent_request": None,
            "resolved_at": None,
            "resolution_note": None,
            "closed_at": None,
            "workflow_execution_arn": None,
        }
    )
    return _note_customer_private(reopened, interaction)


def _initial_status(channel: Channel) -> TicketStatus:
    # A case that starts in private has no public step: it begins in the private channel.
    return TicketStatus.AWAITING_PUBLIC_REPLY if channel.is_public else TicketStatus.IN_PRIVATE


def record_brand_reply(ticket: Ticket, channel: Channel, at: datetime) -> Ticket:
    """The brand answered (natively, or through socialsav): the first reply of each kind counts."""
    if channel.is_public:
        if ticket.first_public_reply_at is not None:
            return ticket
        status = (
            TicketStatus.REPLIED_PUBLICLY
            if ticket.status is TicketStatus.AWAITING_PUBLIC_REPLY
            else ticket.status
        )
        return ticket.model_copy(update={"first_public_reply_at": at, "status": status})
    if ticket.first_private_reply_at is not None:
        return ticket
    return ticket.model_copy(update={"first_private_reply_at": at})


def _note_customer_private(ticket: Ticket, interaction: Interaction) -> Ticket:
    # Messenger's 24 h window runs from the customer's last private message.
    if interaction.channel.is_public:
        return ticket
    return ticket.model_copy(update={"last_customer_private_at": interaction.occurred_at})


def _append(
    ticket: Ticket, entry: TimelineEntry, *, now: datetime, before: Ticket | None = None
) -> Appended:
    return Appended(
        before=before or ticket,
        ticket=ticket.model_copy(update={"updated_at": now}),
        entry=entry,
    )


def _new_ticket(interaction: Interaction, *, now: datetime) -> Ticket:
    author = interaction.author
    status = _initial_status(interaction.channel)
    return Ticket(
        id=ticket_id_for(interaction),
        origin_item_id=interaction.item_id,
        platform=interaction.platform,
        account_id=interaction.account_id,
        customer=Customer(
            id=author.id,
            name=author.name,
            first_name=first_name_of(author.name),
            handle=author.handle,
        ),
        customer_key=interaction.customer_key,
        origin=interaction.channel,
        places=(place_of(interaction),),
        status=status,
        created_at=now,
        updated_at=now,
    )
