"""Tickets in one DynamoDB table.

Items (pk / sk):
- ticket            TICKET#<id>          / #TICKET        gsi1: STATUS#<status> / <created>#<id>
                                                          gsi2: CUSTOMER#<key>  / <created>
- timeline entry    TICKET#<id>          / TL#<at>#<key>
- processed event   EVENT#<dedup key>    / #EVENT         → ticket_id (the item index, too)
- open ticket lock  CUSTOMER#<key>       / #OPEN          → ticket_id

Every outcome is written in one transaction whose conditions make it happen once: the event
marker must be new, a new ticket and its customer lock must be new, an updated ticket must still
have the version it was read at.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.domain.ticket import (
    Appended,
    Opened,
    Ticket,
    TicketStatus,
    TimelineEntry,
)
from chalicelib.errors import ConcurrentUpdateError, SocialsavError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        TransactWriteItemTypeDef,
    )

STATUS_INDEX = "gsi1"
CUSTOMER_INDEX = "gsi2"
_TICKET_SK = "#TICKET"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DuplicateEventError(SocialsavError):
    """The event was already processed: nothing was written."""

    code = "duplicate_event"


def _ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def _event_key(dedup_key: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"EVENT#{dedup_key}"}, "sk": {"S": "#EVENT"}}


def _lock_key(customer_key: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"CUSTOMER#{customer_key}"}, "sk": {"S": "#OPEN"}}


def _to_item(values: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _ticket_item(ticket: Ticket) -> dict[str, AttributeValueTypeDef]:
    created = ticket.created_at.isoformat()
    return _to_item(
        {
            **ticket.model_dump(mode="json"),
            "pk": _ticket_pk(ticket.id),
            "sk": _TICKET_SK,
            "gsi1pk": f"STATUS#{ticket.status.value}",
            "gsi1sk": f"{created}#{ticket.id}",
            "gsi2pk": f"CUSTOMER#{ticket.customer_key}",
            "gsi2sk": created,
        }
    )


class TicketStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # --- reads -------------------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": _ticket_pk(ticket_id)}, "sk": {"S": _TICKET_SK}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return Ticket.model_validate(_from_item(item)) if item else None

    def get_with_timeline(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]] | None:
        ticket: Ticket | None = None
        timeline: list[TimelineEntry] = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": _ticket_pk(ticket_id)}},
            ConsistentRead=True,
        ):
            if item["sk"] == _TICKET_SK:
                ticket = Ticket.model_validate(item)
            else:
                timeline.append(TimelineEntry.model_validate(item))
        return (ticket, timeline) if ticket else None

    def ticket_for_event(self, dedup_key: str) -> str | None:
        """The ticket an already processed event went to (for a created item: its ticket)."""
        response = self._client.get_item(
            TableName=self._table, Key=_event_key(dedup_key), ConsistentRead=True
        )
        item = response.get("Item")
        return item["ticket_id"]["S"] if item else None

    def open_ticket_of(self, customer_key: str) -> Ticket | None:
        response = self._client.get_item(
            TableName=self._table, Key=_lock_key(customer_key), ConsistentRead=True
        )
        lock = response.get("Item")
        ticket = self.get(lock["ticket_id"]["S"]) if lock else None
        return ticket if ticket is not None and ticket.status.is_open else None

    def list_tickets(self, status: TicketStatus | None, limit: int) -> list[Ticket]:
        """Tickets in `status` (default: every open status), oldest first."""
        statuses = [status] if status else [s for s in TicketStatus if s.is_open]
        tickets = [t for s in statuses for t in self.list_by_status(s, limit)]
        return sorted(tickets, key=lambda t: t.created_at)[:limit]

    def tickets_of_customer(self, customer_key: str, limit: int) -> list[Ticket]:
        """Every ticket of one customer (see `Interaction.customer_key`), oldest first."""
        return self._tickets_in(CUSTOMER_INDEX, "gsi2pk", f"CUSTOMER#{customer_key}", limit)

    def list_by_status(self, status: TicketStatus, limit: int) -> list[Ticket]:
        """Tickets in `status`, oldest first."""
        return self._tickets_in(STATUS_INDEX, "gsi1pk", f"STATUS#{status.value}", limit)

    def _tickets_in(self, index: str, key: str, value: str, limit: int) -> list[Ticket]:
        tickets: list[Ticket] = []
        for item in self._query(
            IndexName=index,
            KeyConditionExpression=f"{key} = :v",
            ExpressionAttributeValues={":v": {"S": value}},
        ):
            tickets.append(Ticket.model_validate(item))
            if len(tickets) >= limit:
                break
        return tickets

    # --- writes ------------------------------------------------------------------------------

    def save(self, outcome: Opened | Appended) -> None:
        """Write atomically, or raise `DuplicateEventError` / `ConcurrentUpdateError`."""
        entry = outcome.entry
        ticket = outcome.ticket
        marker: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": {**_event_key(entry.key), "ticket_id": {"S": ticket.id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        timeline: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": _to_item(
                    {
                        **entry.model_dump(mode="json"),
                        "pk": _ticket_pk(ticket.id),
                        "sk": f"TL#{entry.at.isoformat()}#{entry.key}",
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        writes: list[TransactWriteItemTypeDef]
        if isinstance(outcome, Opened):
            writes = [
                marker,
                self._put_ticket(ticket, expected_version=None),
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {**_lock_key(ticket.customer_key), "ticket_id": {"S": ticket.id}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                timeline,
            ]
        else:
            writes = [
                marker,
                self._put_ticket(
                    ticket.model_copy(update={"version": outcome.before.version + 1}),
                    expected_version=outcome.before.version,
                ),
                timeline,
            ]
        self._transact(writes)

    def record_workflow_started(self, ticket_id: str, execution_arn: str) -> None:
        # Bumping the version makes any write based on an earlier read retry instead of
        # overwriting the ARN.
        self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": _ticket_pk(ticket_id)}, "sk": {"S": _TICKET_SK}},
            UpdateExpression="SET workflow_execution_arn = :arn, version = version + :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":arn": {"S": execution_arn}, ":one": {"N": "1"}},
        )

    # --- helpers -----------------------------------------------------------------------------

    def _put_ticket(
        self, ticket: Ticket, *, expected_version: int | None
    ) -> TransactWriteItemTypeDef:
        put: Any = {"TableName": self._table, "Item": _ticket_item(ticket)}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        return {"Put": put}

    def _transact(self, writes: list[TransactWriteItemTypeDef]) -> None:
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as e:
            if e.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
            # The first write is always the event marker: its condition failing means a repeat.
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise DuplicateEventError("event already processed") from e
            raise ConcurrentUpdateError(f"transaction cancelled: {reasons}") from e

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, **kwargs):
            for item in page.get("Items", []):
                yield _from_item(item)
