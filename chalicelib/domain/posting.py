"""Which post reaches the customer, under each platform's rules. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.interaction import Platform
from chalicelib.domain.outbound import OutboundPost, PostKind
from chalicelib.domain.ticket import Place, Ticket

MESSAGING_WINDOW = timedelta(hours=24)  # Messenger / IG: standard window after the customer's
HUMAN_AGENT_WINDOW = timedelta(days=7)  # ... extended for a human agent (HUMAN_AGENT tag)
PRIVATE_REPLY_WINDOW = timedelta(days=7)  # one private reply per comment, within 7 days


@dataclass(frozen=True)
class Skipped:
    """A post that cannot be made, and why: recorded, never silently dropped."""

    key: str
    reason: str


def public_reply(ticket: Ticket, place: Place, text: str, key: str) -> OutboundPost | Skipped:
    if ticket.platform is Platform.X:
        return Skipped(key, "X is not connected yet")
    return OutboundPost(
        key=key,
        kind=PostKind.PUBLIC_REPLY,
        platform=ticket.platform,
        account_id=ticket.account_id,
        target_id=place.thread_id,  # the thread's top-level comment: the reply shows beneath it
        text=text,
    )


def private_message(ticket: Ticket, text: str, key: str, now: datetime) -> OutboundPost | Skipped:
    """A message in the private conversation if there is one, else Meta's private reply to
    the customer's comment."""
    if ticket.platform is Platform.X:
        return Skipped(key, "X is not connected yet")
    place = ticket.private_place
    if place is not None:
        last = ticket.last_customer_private_at
        if last is None or now - last > HUMAN_AGENT_WINDOW:
            return Skipped(
                key, "outside Messenger's window: the customer last wrote over 7 days ago"
            )
        return OutboundPost(
            key=key,
            kind=PostKind.MESSAGE,
            platform=ticket.platform,
            account_id=ticket.account_id,
            target_id=place.thread_id,  # the customer's page-scoped id
            text=text,
            tag=None if now - last <= MESSAGING_WINDOW else "HUMAN_AGENT",
        )
    comment = ticket.public_places[0] if ticket.public_places else None
    if comment is None:
        return Skipped(key, "no comment to reply to in private")
    if ticket.private_reply_sent_at is not None:
        return Skipped(key, "Meta allows one private reply per comment: wait for the customer")
    if now - ticket.created_at > PRIVATE_REPLY_WINDOW:
        return Skipped(key, "a private reply must be sent within 7 days of the comment")
    return OutboundPost(
        key=key,
        kind=PostKind.PRIVATE_REPLY,
        platform=ticket.platform,
        account_id=ticket.account_id,
        target_id=comment.thread_id,
        text=text,
    )


def resolution_posts(
    ticket: Ticket, *, public_text: str, private_text: str, survey_link: str, now: datetime
) -> list[OutboundPost | Skipped]:
    """The closing message in every public place the customer used, and in the private channel
    when one is open; each carries the survey link, except a public X reply when a DM is open
    (the link goes in the DM instead)."""
    dm_open = ticket.private_place is not None
    posts: list[OutboundPost | Skipped] = []
    for place in ticket.public_places:
        link_in_public = not (ticket.platform is Platform.X and dm_open)
        text = f"{public_text} {survey_link}" if link_in_public else public_text
        key = f"{ticket.id}:resolution:{place.channel.value}:{place.thread_id}"
        posts.append(public_reply(ticket, place, text, key))
    if dm_open:
        key = f"{ticket.id}:resolution:private"
        posts.append(private_message(ticket, f"{private_text} {survey_link}", key, now))
    return posts
