"""Every post socialsav makes goes through the outbox: recorded first, made once.

A step that is retried (by SQS or by the state machine) finds its post already `sent` or
`dry_run` and does not post again. Two workers racing on the same post: one claims it, the other
gets `ConcurrentUpdateError` and retries later, when it finds the record done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from aws_lambda_powertools import Logger

from chalicelib.domain.outbound import OutboundPost, OutboxRecord, OutboxStatus
from chalicelib.errors import PostFailedError

logger = Logger(child=True)


class OutboxStore(Protocol):
    def get_outbox(self, ticket_id: str, key: str) -> OutboxRecord | None: ...
    def claim_outbox(self, record: OutboxRecord, *, stale_before: datetime) -> None: ...
    def put_outbox(self, record: OutboxRecord) -> None: ...


class Poster(Protocol):
    def can_post_as(self, account_id: str) -> bool: ...
    def perform(self, post: OutboundPost) -> str: ...


# A pending claim older than this was abandoned by a crashed worker and may be taken over.
_CLAIM_SECONDS = 120


class Outbox:
    def __init__(self, store: OutboxStore, poster: Poster, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._poster = poster
        self._clock = clock

    def deliver(self, ticket_id: str, post: OutboundPost) -> OutboxRecord:
        """Post once, or raise `PostFailedError` (recorded as `failed` with the reason)."""
        existing = self._store.get_outbox(ticket_id, post.key)
        if existing is not None and existing.done:
            return existing
        now = self._clock()
        record = OutboxRecord(
            ticket_id=ticket_id,
            post=post,
            status=OutboxStatus.PENDING,
            attempts=(existing.attempts if existing else 0) + 1,
            updated_at=now,
        )
        if not self._poster.can_post_as(post.account_id):
            dry = record.model_copy(update={"status": OutboxStatus.DRY_RUN})
            self._store.put_outbox(dry)
            logger.info("dry run: no token for this account, not posted", post=post.model_dump())
            return dry
        self._store.claim_outbox(record, stale_before=now - timedelta(seconds=_CLAIM_SECONDS))
        try:
            platform_id = self._poster.perform(post)
        except PostFailedError as e:
            failed = record.model_copy(
                update={
                    "status": OutboxStatus.FAILED,
                    "reason": str(e),
                    "updated_at": self._clock(),
                }
            )
            self._store.put_outbox(failed)
            logger.warning("post failed", key=post.key, reason=str(e), retryable=e.retryable)
            raise
        sent = record.model_copy(
            update={
                "status": OutboxStatus.SENT,
                "platform_id": platform_id,
                "updated_at": self._clock(),
            }
        )
        self._store.put_outbox(sent)
        logger.info("posted", key=post.key, kind=post.kind, platform_id=platform_id)
        return sent
