"""Tickets and the threading rules that decide what an interaction does to them.

Pure domain code: given an interaction and the tickets it could belong to, `route` says whether it
opens a ticket, adds to one, or is ignored (with the reason). The storage adapter persists the
outcome atomically; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

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
    channel: Channel
    item_id: str
    thread_id: str


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
    first_public_reply_at: datetime | None = None
    workflow_execution_arn: str | None = None
    version: int = 0

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
class Ignored:
    reason: str


Outcome = Opened | Appended | Ignored


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
) -> Outcome:
    """Decide what `interaction` does.

    `customer_ticket` is the customer's open ticket, if any. `item_ticket` is the ticket that owns
    the item this interaction acts on: its parent for a brand reply, itself for an edit or hide.
    """
    entry = entry_for(interaction)
    if interaction.verb is not Verb.CREATED:
        if item_ticket is None:
            return Ignored(f"{interaction.verb.value} of an item no ticket holds")
        return _append(item_ticket, entry, now=now)

    if interaction.from_brand:
        target = item_ticket if interaction.channel.is_public else customer_ticket
        if target is None:
            return Ignored("brand message outside any open ticket")
        ticket = target
        if interaction.channel.is_public and target.first_public_reply_at is None:
            status = (
                TicketStatus.REPLIED_PUBLICLY
                if target.status is TicketStatus.AWAITING_PUBLIC_REPLY
                else target.status
            )
            ticket = target.model_copy(
                update={"first_public_reply_at": interaction.occurred_at, "status": status}
            )
        return _append(ticket, entry, now=now, before=target)

    if customer_ticket is not None:
        place = place_of(interaction)
        ticket = customer_ticket
        if not ticket.has_place(place):
            ticket = ticket.model_copy(update={"places": (*ticket.places, place)})
        return _append(ticket, entry, now=now, before=customer_ticket)

    return Opened(ticket=_new_ticket(interaction, now=now), entry=entry)


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
    # A case that starts in private has no public step: it begins in the private channel.
    status = (
        TicketStatus.AWAITING_PUBLIC_REPLY
        if interaction.channel.is_public
        else TicketStatus.IN_PRIVATE
    )
    return Ticket(
        id=ticket_id_for(interaction),
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
