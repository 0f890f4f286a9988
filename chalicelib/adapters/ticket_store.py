"""Tickets in one DynamoDB table.

Items (pk / sk):
- ticket            TICKET#<id>          / #TICKET        gsi1: STATUS#<status> / <created>#<id>
                                                          gsi2: CUSTOMER#<key>  / <created>
- timeline entry    TICKET#<id>          / TL#<at>#<key>
- processed event   EVENT#<dedup key>    / #EVENT         → ticket_id (the item index, too)
- latest ticket     CUSTOMER#<key>       / #LATEST        → ticket_id (one open ticket at a time)
- outbox record     TICKET#<id>          / OUTBOX#<key>
- declared peak     PEAKS                / PEAK#<start>#<id>

Every outcome is written in one transaction whose conditions make it happen once: the event
marker must be new, a new ticket and its customer lock must be new, an updated ticket must still
have the version it was read at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.domain.outbound import OutboxRecord
from chalicelib.domain.sla_clock import Peak
from chalicelib.domain.ticket import (
    Appended,
    Opened,
    PendingTask,
    Reopened,
    SlackCard,
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
_INSTANT = timedelta(microseconds=1)  # a peak ended as it starts still ends after it starts
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
    return {"pk": {"S": f"CUSTOMER#{customer_key}"}, "sk": {"S": "#LATEST"}}


def _to_item(values: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    # DynamoDB numbers are decimals: floats (a peak's factor) go through their JSON text.
    exact = json.loads(json.dumps(values), parse_float=Decimal)
    return {k: _serializer.serialize(v) for k, v in exact.items() if v is not None}


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


ChangeListener = Callable[[Ticket, Sequence[TimelineEntry]], None]


class TicketStore:
    def __init__(
        self, client: DynamoDBClient, table_name: str, *, on_change: ChangeListener | None = None
    ) -> None:
        """`on_change` hears of every committed write that adds timeline entries (the Slack
        card follows the ticket that way, whoever wrote it)."""
        self._client = client
        self._table = table_name
        self._on_change = on_change

    # --- reads -------------------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": _ticket_pk(ticket_id)}, "sk": {"S": _TICKET_SK}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return Ticket.model_validate(_from_item(item)) if item else None

    def get_with_timeline(
        self, ticket_id: str
    ) -> tuple[Ticket, list[TimelineEntry], list[OutboxRecord]] | None:
        """One query: the ticket, its timeline (oldest first) and its outbox."""
        ticket: Ticket | None = None
        timeline: list[TimelineEntry] = []
        outbox: list[OutboxRecord] = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": _ticket_pk(ticket_id)}},
            ConsistentRead=True,
        ):
            if item["sk"] == _TICKET_SK:
                ticket = Ticket.model_validate(item)
            elif item["sk"].startswith("OUTBOX#"):
                outbox.append(OutboxRecord.model_validate(item))
            else:
                timeline.append(TimelineEntry.model_validate(item))
        return (ticket, timeline, outbox) if ticket else None

    def first_customer_message(self, ticket_id: str) -> str | None:
        found = self.get_with_timeline(ticket_id)
        entries = found[1] if found else []
        return next((e.text for e in entries if e.type == "customer_message"), None)

    def ticket_for_event(self, dedup_key: str) -> str | None:
        """The ticket an already processed event went to (for a created item: its ticket)."""
        response = self._client.get_item(
            TableName=self._table, Key=_event_key(dedup_key), ConsistentRead=True
        )
        item = response.get("Item")
        return item["ticket_id"]["S"] if item else None

    def latest_ticket_of(self, customer_key: str) -> Ticket | None:
        """The customer's most recent ticket, open or not."""
        response = self._client.get_item(
            TableName=self._table, Key=_lock_key(customer_key), ConsistentRead=True
        )
        lock = response.get("Item")
        return self.get(lock["ticket_id"]["S"]) if lock else None

    def list_tickets(self, status: TicketStatus | None, limit: int) -> list[Ticket]:
        """Tickets in `status` (default: every open status), oldest first."""
        statuses = [status] if status else [s for s in TicketStatus if s.is_open]
        # A ticket changing status while we read may show under two statuses: keep its newest.
        newest: dict[str, Ticket] = {}
        for ticket in (t for s in statuses for t in self.list_by_status(s, limit)):
            if ticket.id not in newest or ticket.version > newest[ticket.id].version:
                newest[ticket.id] = ticket
        return sorted(newest.values(), key=lambda t: t.created_at)[:limit]

    def tickets_of_customer(self, customer_key: str, limit: int) -> list[Ticket]:
        """Every ticket of one customer (see `Interaction.customer_key`), oldest first."""
        return self._tickets_in(CUSTOMER_INDEX, "gsi2pk", f"CUSTOMER#{customer_key}", limit)

    def list_by_status(self, status: TicketStatus, limit: int) -> list[Ticket]:
        """Tickets in `status`, oldest first."""
        return self._tickets_in(STATUS_INDEX, "gsi1pk", f"STATUS#{status.value}", limit)

    def tickets_created_since(self, since: datetime) -> list[Ticket]:
        """Every ticket created at or after `since`, whatever its status now."""
        tickets: list[Ticket] = []
        for status in TicketStatus:
            tickets.extend(
                Ticket.model_validate(item)
                for item in self._query(
                    IndexName=STATUS_INDEX,
                    KeyConditionExpression="gsi1pk = :v AND gsi1sk >= :since",
                    ExpressionAttributeValues={
                        ":v": {"S": f"STATUS#{status.value}"},
                        ":since": {"S": since.astimezone(UTC).isoformat()},
                    },
                )
            )
        newest: dict[str, Ticket] = {}
        for ticket in tickets:
            if ticket.id not in newest or ticket.version > newest[ticket.id].version:
                newest[ticket.id] = ticket
        return sorted(newest.values(), key=lambda t: t.created_at)

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

    def save(self, outcome: Opened | Appended | Reopened) -> Ticket:
        """Write atomically, or raise `DuplicateEventError` / `ConcurrentUpdateError`."""
        entry = outcome.entry
        ticket = outcome.ticket
        if isinstance(outcome, Appended):
            return self.update(outcome.before, ticket, entries=[entry], markers=[entry.key])
        if isinstance(outcome, Reopened):
            entries = [entry, outcome.note]
            return self.update(outcome.before, ticket, entries=entries, markers=[entry.key])
        # The customer's pointer moves to the new ticket only from the ticket it was read at:
        # two first messages racing open one ticket, the loser retries and joins it.
        lock: Any = {
            "TableName": self._table,
            "Item": {**_lock_key(ticket.customer_key), "ticket_id": {"S": ticket.id}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if ticket.previous_ticket_id:
            lock["ConditionExpression"] = "attribute_not_exists(pk) OR ticket_id = :previous"
            lock["ExpressionAttributeValues"] = {":previous": {"S": ticket.previous_ticket_id}}
        self._transact(
            [
                self._put_marker(entry.key, ticket.id),
                self._put_ticket(ticket, expected_version=None),
                {"Put": lock},
                self._put_entry(ticket.id, entry),
            ],
            markers=1,
        )
        self._changed(ticket, [entry])
        return ticket

    def update(
        self,
        before: Ticket,
        after: Ticket,
        *,
        entries: Sequence[TimelineEntry] = (),
        markers: Sequence[str] = (),
    ) -> Ticket:
        """Replace `before` by `after` if nobody changed it meanwhile, with its timeline entries
        and event markers, atomically. Returns the ticket as stored (next version)."""
        stored = after.model_copy(update={"version": before.version + 1})
        self._transact(
            [
                *(self._put_marker(key, after.id) for key in markers),
                self._put_ticket(stored, expected_version=before.version),
                *(self._put_entry(after.id, entry) for entry in entries),
            ],
            markers=len(markers),
        )
        if entries:
            self._changed(stored, entries)
        return stored

    def set_card(self, ticket_id: str, card: SlackCard) -> bool:
        """Remember the ticket's Slack card, once; False if it already has one."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": _ticket_pk(ticket_id)}, "sk": {"S": _TICKET_SK}},
                UpdateExpression="SET slack_card = :card, version = version + :one",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(slack_card)",
                ExpressionAttributeValues={
                    ":card": _serializer.serialize(card.model_dump(mode="json")),
                    ":one": {"N": "1"},
                },
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _changed(self, ticket: Ticket, entries: Sequence[TimelineEntry]) -> None:
        if self._on_change is not None:
            self._on_change(ticket, entries)

    def set_pending_task(self, ticket_id: str, task: PendingTask) -> Ticket | None:
        """Store the token of the step now waiting; a redelivered older step never wins.
        Returns the ticket, or None if a newer step is already pending."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": _ticket_pk(ticket_id)}, "sk": {"S": _TICKET_SK}},
                UpdateExpression="SET pending_task = :task, version = version + :one",
                ConditionExpression=(
                    "attribute_exists(pk) AND (attribute_not_exists(pending_task)"
                    " OR pending_task.entered_at < :entered)"
                ),
                ExpressionAttributeValues={
                    ":task": _serializer.serialize(task.model_dump(mode="json")),
                    ":entered": {"S": task.entered_at},
                    ":one": {"N": "1"},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            current = self.get(ticket_id)
            same = current and current.pending_task and current.pending_task.token == task.token
            return current if same else None
        return Ticket.model_validate(_from_item(response["Attributes"]))

    # --- outbox --------------------------------------------------------------------------------

    def get_outbox(self, ticket_id: str, key: str) -> OutboxRecord | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": _ticket_pk(ticket_id)}, "sk": {"S": f"OUTBOX#{key}"}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return OutboxRecord.model_validate(_from_item(item)) if item else None

    def claim_outbox(self, record: OutboxRecord, *, stale_before: datetime) -> None:
        """Take the post for this worker: new, failed before, or abandoned by a crashed one."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._outbox_item(record),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR #s = :failed"
                    " OR (#s = :pending AND updated_at < :stale)"
                ),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":failed": {"S": "failed"},
                    ":pending": {"S": "pending"},
                    ":stale": {"S": stale_before.isoformat()},
                },
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdateError(f"post {record.post.key} is in progress") from e
            raise

    def put_outbox(self, record: OutboxRecord) -> None:
        self._client.put_item(TableName=self._table, Item=self._outbox_item(record))

    def _outbox_item(self, record: OutboxRecord) -> dict[str, AttributeValueTypeDef]:
        return _to_item(
            {
                **record.model_dump(mode="json"),
                "pk": _ticket_pk(record.ticket_id),
                "sk": f"OUTBOX#{record.post.key}",
            }
        )

    # --- peaks ---------------------------------------------------------------------------------

    def add_peak(self, peak: Peak, peak_id: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=_to_item(
                {
                    **peak.model_dump(mode="json"),
                    "pk": "PEAKS",
                    "sk": f"PEAK#{peak.start.isoformat()}#{peak_id}",
                    "peak_id": peak_id,
                }
            ),
        )

    def peaks(self) -> list[Peak]:
        return [
            Peak.model_validate(item)
            for item in self._query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": "PEAKS"}},
            )
        ]

    def end_peaks(self, at: datetime) -> int:
        """End every peak running at `at`; returns how many were ended."""
        ended = 0
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "PEAKS"}},
        ):
            peak = Peak.model_validate(item)
            if not peak.covers(at):
                continue
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": "PEAKS"}, "sk": {"S": item["sk"]}},
                UpdateExpression="SET #end = :at",
                ExpressionAttributeNames={"#end": "end"},
                ExpressionAttributeValues={
                    ":at": {"S": max(at, peak.start + _INSTANT).isoformat()}
                },
            )
            ended += 1
        return ended

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

    def _put_marker(self, key: str, ticket_id: str) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {**_event_key(key), "ticket_id": {"S": ticket_id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _put_entry(self, ticket_id: str, entry: TimelineEntry) -> TransactWriteItemTypeDef:
        item = {
            **entry.model_dump(mode="json"),
            "pk": _ticket_pk(ticket_id),
            "sk": f"TL#{entry.at.isoformat()}#{entry.key}",
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": _to_item(item),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _transact(self, writes: list[TransactWriteItemTypeDef], *, markers: int) -> None:
        """Run the transaction; event markers come first, so their failing means a repeat."""
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as e:
            if e.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons[:markers]:
                raise DuplicateEventError("event already processed") from e
            raise ConcurrentUpdateError(f"transaction cancelled: {reasons}") from e

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, **kwargs):
            for item in page.get("Items", []):
                yield _from_item(item)
