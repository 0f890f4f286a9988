"""Pydantic models of Meta webhook deliveries (Pages feed, Messenger, Instagram).

Only what socialsav reads is modelled; unknown fields are ignored, and changes of fields we do not
handle are kept as `OtherChange` so they can be skipped rather than rejected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)


def _to_datetime(value: Any) -> Any:
    """Meta sends epoch seconds (feed), epoch milliseconds (messaging) or ISO strings (some IG)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 100_000_000_000 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    return value


MetaTime = Annotated[datetime, BeforeValidator(_to_datetime)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Sender(_Model):
    id: str
    name: str | None = None
    username: str | None = None


class FeedValue(_Model):
    item: str
    verb: str
    comment_id: str | None = None
    post_id: str | None = None
    parent_id: str | None = None
    sender: Sender | None = Field(default=None, alias="from")
    message: str | None = None
    created_time: MetaTime | None = None

    @model_validator(mode="after")
    def _comment_has_ids(self) -> FeedValue:
        if self.item == "comment" and (self.comment_id is None or self.sender is None):
            raise ValueError("a comment change needs comment_id and from")
        return self


class IgMedia(_Model):
    id: str
    media_product_type: str | None = None


class IgCommentValue(_Model):
    id: str
    text: str | None = None
    sender: Sender = Field(alias="from")
    media: IgMedia | None = None
    parent_id: str | None = None


class IgMentionValue(_Model):
    media_id: str
    comment_id: str | None = None


class FeedChange(_Model):
    field: Literal["feed"]
    value: FeedValue


class IgCommentsChange(_Model):
    field: Literal["comments", "live_comments"]
    value: IgCommentValue


class IgMentionsChange(_Model):
    field: Literal["mentions"]
    value: IgMentionValue


class OtherChange(_Model):
    """A change of a field socialsav does not subscribe to or handle: skipped."""

    field: str
    value: Any = None


def _change_kind(raw: Any) -> str:
    field = raw.get("field") if isinstance(raw, dict) else getattr(raw, "field", None)
    if field == "feed":
        return "feed"
    if field in ("comments", "live_comments"):
        return "comments"
    if field == "mentions":
        return "mentions"
    return "other"


Change = Annotated[
    Annotated[FeedChange, Tag("feed")]
    | Annotated[IgCommentsChange, Tag("comments")]
    | Annotated[IgMentionsChange, Tag("mentions")]
    | Annotated[OtherChange, Tag("other")],
    Discriminator(_change_kind),
]


class Participant(_Model):
    id: str


class Message(_Model):
    mid: str
    text: str | None = None
    is_echo: bool = False
    is_deleted: bool = False
    app_id: int | str | None = None
    metadata: str | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)


class MessagingEvent(_Model):
    sender: Participant
    recipient: Participant
    timestamp: MetaTime
    # Reads, deliveries, reactions and postbacks have no `message`: they are skipped.
    message: Message | None = None


class Entry(_Model):
    id: str
    time: MetaTime | None = None
    changes: list[Change] = Field(default_factory=list)
    messaging: list[MessagingEvent] = Field(default_factory=list)
    standby: list[MessagingEvent] = Field(default_factory=list)


class Delivery(_Model):
    object: Literal["page", "instagram"]
    entry: list[Entry] = Field(min_length=1)
