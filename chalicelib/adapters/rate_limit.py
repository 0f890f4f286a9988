"""A fixed-window request counter per client in the tickets table (items expire by TTL)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class RateLimiter:
    def __init__(
        self, client: DynamoDBClient, table_name: str, *, scope: str, per_minute: int
    ) -> None:
        self._client = client
        self._table = table_name
        self._scope = scope
        self._limit = per_minute

    def allow(self, client_id: str, now: datetime) -> bool:
        """Count one request of `client_id` (an IP address: stored only as a digest) in the
        current minute; False once the minute's allowance is spent."""
        digest = hashlib.sha256(client_id.encode()).hexdigest()[:24]
        minute = int(now.timestamp()) // 60
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"RATE#{self._scope}#{digest}"}, "sk": {"S": f"#{minute}"}},
                UpdateExpression="ADD hits :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self._limit)},
                    ":expires": {"N": str((minute + 2) * 60)},
                },
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
