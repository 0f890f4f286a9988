"""Durable hand-off of interactions to the inbox queue (SQS FIFO)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import EnqueueError
from chalicelib.inbox_message import AgentAction, InteractionReceived

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

    from chalicelib.domain.interaction import Interaction

_BATCH_LIMIT = 10  # SQS SendMessageBatch maximum


def _sqs_id(key: str) -> str:
    """Group and deduplication ids are limited to 128 characters: use a digest."""
    return hashlib.sha256(key.encode()).hexdigest()


class InboxQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def publish(self, interactions: Sequence[Interaction], *, received_at: datetime) -> None:
        """Enqueue every interaction or raise `EnqueueError`.

        Messages of one conversation share a FIFO group, so they are processed in order. A partial
        failure raises: the platform retries the whole delivery, and the copies already enqueued
        are dropped by the FIFO deduplication id and by the consumer's idempotency.
        """
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {
                "Id": str(index),
                "MessageBody": InteractionReceived(
                    interaction=item, received_at=received_at
                ).model_dump_json(),
                "MessageGroupId": _sqs_id(item.ordering_key),
                "MessageDeduplicationId": _sqs_id(item.dedup_key),
            }
            for index, item in enumerate(interactions)
        ]
        for start in range(0, len(entries), _BATCH_LIMIT):
            chunk = entries[start : start + _BATCH_LIMIT]
            try:
                response = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=chunk)
            except (ClientError, BotoCoreError) as e:
                raise EnqueueError(f"inbox queue unavailable: {type(e).__name__}") from e
            if response.get("Failed"):
                codes = sorted({f["Code"] for f in response["Failed"]})
                raise EnqueueError(f"inbox queue refused messages: {', '.join(codes)}")

    def publish_action(self, action: AgentAction) -> None:
        """Queue an agent's request in the ticket's group, after what came before it."""
        try:
            self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=action.model_dump_json(),
                MessageGroupId=_sqs_id(f"ticket#{action.ticket_id}"),
                MessageDeduplicationId=_sqs_id(f"action#{action.request_id}"),
            )
        except (ClientError, BotoCoreError) as e:
            raise EnqueueError(f"inbox queue unavailable: {type(e).__name__}") from e
