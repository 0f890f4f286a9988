"""The normalised form of anything a platform tells us: one comment, mention or private message.

Platform adapters turn webhook payloads into `Interaction`s; everything downstream (the inbox
queue, the ticket store, the workflow) only ever sees this shape.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"


class Channel(StrEnum):
    PUBLIC_COMMENT = "public_comment"
    MENTION = "mention"
    PRIVATE_MESSAGE = "private_message"

    @property
    def is_public(self) -> bool:
        return self is not Channel.PRIVATE_MESSAGE


class Verb(StrEnum):
    """What happened to the item. Only `created` can open a ticket."""

    CREATED = "created"
    EDITED = "edited"
    REMOVED = "removed"
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"


class Author(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None = None
    handle: str | None = None


class Interaction(BaseModel):
    """One item seen on a platform, with enough context to thread it into a ticket."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Platform
    channel: Channel
    verb: Verb = Verb.CREATED
    account_id: str = Field(
        description="The brand's own account: Page id, IG account id, X user id"
    )
    item_id: str = Field(description="The comment id, message mid or tweet id")
    parent_id: str | None = Field(default=None, description="The item this one answers, if any")
    thread_id: str = Field(description="The conversation this item belongs to (a place)")
    post_id: str | None = Field(default=None, description="The post or media under discussion")
    author: Author
    counterpart_id: str | None = Field(
        default=None,
        description="For the brand's own private messages: the customer they were sent to",
    )
    text: str | None = None
    occurred_at: datetime
    permalink: str | None = None
    from_brand: bool = False

    def key_of(self, item_id: str) -> str:
        """Identifies an item of this platform; the key tickets are found by."""
        return f"{self.platform.value}#{item_id}"

    @property
    def item_key(self) -> str:
        return self.key_of(self.item_id)

    @property
    def dedup_key(self) -> str:
        """Identifies this event on this item, so a redelivery is recognised.

        Meta deliveries carry no delivery id: creation is keyed by the item itself; later events
        on the same item (edits, hides) also by verb and content, as they may repeat.
        """
        if self.verb is Verb.CREATED:
            return self.item_key
        digest = hashlib.sha256((self.text or "").encode()).hexdigest()[:16]
        return f"{self.item_key}#{self.verb.value}#{digest}"

    @property
    def customer_id(self) -> str:
        """The customer on the other side of this interaction."""
        if self.from_brand and self.counterpart_id:
            return self.counterpart_id
        return self.author.id

    @property
    def customer_key(self) -> str:
        """Identifies a customer of one brand account on one platform."""
        return f"{self.platform.value}#{self.account_id}#{self.customer_id}"

    @property
    def conversation_key(self) -> str:
        return f"{self.platform.value}#{self.account_id}#{self.thread_id}"

    @property
    def ordering_key(self) -> str:
        """Messages with the same key are processed in order (the inbox's FIFO group).

        A customer's messages in a conversation are kept in order. What depends on another item
        (the brand's replies, edits, hides) goes in a group of its own beside it: it may arrive
        before that item and be retried, and must not hold the customer's messages back.
        """
        depends = self.from_brand or self.verb is not Verb.CREATED
        return self.conversation_key + ("#dependent" if depends else "")
