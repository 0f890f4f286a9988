"""Meta deliveries → normalised `Interaction`s. Parsing only: no I/O."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from pydantic import ValidationError

from chalicelib.domain.interaction import Author, Channel, Interaction, Platform, Verb
from chalicelib.errors import InvalidRequestError
from chalicelib.platforms.meta.models import (
    Delivery,
    Entry,
    FeedChange,
    IgCommentsChange,
    IgMentionsChange,
    MessagingEvent,
)

_FEED_VERBS = {
    "add": Verb.CREATED,
    "edited": Verb.EDITED,
    "edit": Verb.EDITED,
    "remove": Verb.REMOVED,
    "delete": Verb.REMOVED,
    "hide": Verb.HIDDEN,
    "unhide": Verb.UNHIDDEN,
}


def parse_delivery(raw_body: bytes) -> Delivery:
    """Validate a delivery; any problem becomes an `InvalidRequestError` naming the field."""
    try:
        payload = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidRequestError(f"body is not valid JSON: {e}") from e
    try:
        return Delivery.model_validate(payload)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidRequestError(f"{where}: {first['msg']}") from e


def interactions_from(delivery: Delivery, *, received_at: datetime) -> list[Interaction]:
    """Every comment, mention and message in the delivery, in delivery order."""
    platform = Platform.FACEBOOK if delivery.object == "page" else Platform.INSTAGRAM
    found: list[Interaction] = []
    for entry in delivery.entry:
        found.extend(_from_changes(platform, entry, received_at))
        for event in (*entry.messaging, *entry.standby):
            interaction = _from_messaging(platform, entry, event)
            if interaction is not None:
                found.append(interaction)
    return found


def _from_changes(platform: Platform, entry: Entry, received_at: datetime) -> Iterator[Interaction]:
    for change in entry.changes:
        if isinstance(change, FeedChange):
            interaction = _from_feed(entry, change, received_at)
        elif isinstance(change, IgCommentsChange):
            interaction = _from_ig_comment(entry, change, received_at)
        elif isinstance(change, IgMentionsChange):
            interaction = _from_ig_mention(entry, change, received_at)
        else:
            interaction = None
        if interaction is not None:
            yield interaction


def _from_feed(entry: Entry, change: FeedChange, received_at: datetime) -> Interaction | None:
    value = change.value
    verb = _FEED_VERBS.get(value.verb)
    # Posts, reactions and likes are not conversations; unknown verbs are skipped, not errors.
    if value.item != "comment" or verb is None or value.comment_id is None or value.sender is None:
        return None
    is_reply = value.parent_id is not None and value.parent_id != value.post_id
    return Interaction(
        platform=Platform.FACEBOOK,
        channel=Channel.PUBLIC_COMMENT,
        verb=verb,
        account_id=entry.id,
        item_id=value.comment_id,
        parent_id=value.parent_id if is_reply else None,
        thread_id=value.parent_id if is_reply and value.parent_id else value.comment_id,
        post_id=value.post_id,
        author=Author(id=value.sender.id, name=value.sender.name),
        text=value.message,
        occurred_at=value.created_time or entry.time or received_at,
        permalink=f"https://www.facebook.com/{value.comment_id}",
        from_brand=value.sender.id == entry.id,
    )


def _from_ig_comment(entry: Entry, change: IgCommentsChange, received_at: datetime) -> Interaction:
    value = change.value
    return Interaction(
        platform=Platform.INSTAGRAM,
        channel=Channel.PUBLIC_COMMENT,
        account_id=entry.id,
        item_id=value.id,
        parent_id=value.parent_id,
        thread_id=value.parent_id or value.id,
        post_id=value.media.id if value.media else None,
        author=Author(id=value.sender.id, handle=value.sender.username),
        text=value.text,
        occurred_at=entry.time or received_at,
        from_brand=value.sender.id == entry.id,
    )


def _from_ig_mention(entry: Entry, change: IgMentionsChange, received_at: datetime) -> Interaction:
    # A mention carries ids only; who wrote it and what it says must be fetched from the Graph
    # API. Until then the mention stands alone, keyed by its own id.
    value = change.value
    item_id = value.comment_id or value.media_id
    return Interaction(
        platform=Platform.INSTAGRAM,
        channel=Channel.MENTION,
        account_id=entry.id,
        item_id=item_id,
        thread_id=item_id,
        post_id=value.media_id,
        author=Author(id=f"unresolved-mention-{item_id}"),
        occurred_at=entry.time or received_at,
    )


def _from_messaging(platform: Platform, entry: Entry, event: MessagingEvent) -> Interaction | None:
    message = event.message
    if message is None:
        return None
    from_brand = message.is_echo
    customer_id = event.recipient.id if from_brand else event.sender.id
    return Interaction(
        platform=platform,
        channel=Channel.PRIVATE_MESSAGE,
        verb=Verb.REMOVED if message.is_deleted else Verb.CREATED,
        account_id=entry.id,
        item_id=message.mid,
        thread_id=customer_id,
        author=Author(id=event.sender.id),
        counterpart_id=customer_id if from_brand else None,
        text=message.text if message.text is not None else _describe(message.attachments),
        occurred_at=event.timestamp,
        from_brand=from_brand,
    )


def _describe(attachments: list[dict[str, object]]) -> str | None:
    kinds = [str(a.get("type", "file")) for a in attachments]
    return " ".join(f"[{kind}]" for kind in kinds) or None
