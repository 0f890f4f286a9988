"""What socialsav posts on platforms, and the outbox record that makes each post happen once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.interaction import Platform


class PostKind(StrEnum):
    PUBLIC_REPLY = "public_reply"  # a reply in the comment's thread
    PRIVATE_REPLY = "private_reply"  # Meta's one private reply to a comment
    MESSAGE = "message"  # a message in the private conversation
    HIDE = "hide"  # hide a comment (never delete)
    UNHIDE = "unhide"


class OutboundPost(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str  # idempotency key: the same step on the same place always has the same key
    kind: PostKind
    platform: Platform
    account_id: str
    target_id: str  # the comment replied to or hidden, or the recipient of a message
    text: str | None = None
    tag: str | None = None  # Messenger message tag (HUMAN_AGENT outside the 24 h window)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DRY_RUN = "dry_run"  # no token for this account: recorded and logged, not sent
    FAILED = "failed"


class OutboxRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    ticket_id: str
    post: OutboundPost
    status: OutboxStatus
    attempts: int
    updated_at: datetime
    platform_id: str | None = None
    reason: str | None = None

    @property
    def done(self) -> bool:
        return self.status in (OutboxStatus.SENT, OutboxStatus.DRY_RUN)
