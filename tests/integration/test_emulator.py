"""The local AWS emulator keeps DynamoDB's promises that the ticket store relies on."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from mypy_boto3_dynamodb import DynamoDBClient

WRITERS = 16
INCREMENTS = 10


def _table(dynamodb: DynamoDBClient) -> str:
    name = f"emulator-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _increment(table: str, writer: int) -> int:
    """Add one to the counter, as the ticket store updates a ticket: read its version, write the
    next one with a log item in one transaction on condition the version did not move; retry
    when it did. Returns the conflicts met."""
    client = boto3.client("dynamodb", config=Config(retries={"max_attempts": 10}))
    conflicts = 0
    for step in range(INCREMENTS):
        while True:
            item = client.get_item(
                TableName=table, Key={"pk": {"S": "counter"}}, ConsistentRead=True
            )
            version = int(item["Item"]["version"]["N"])
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {
                                    "pk": {"S": "counter"},
                                    "version": {"N": str(version + 1)},
                                },
                                "ConditionExpression": "version = :seen",
                                "ExpressionAttributeValues": {":seen": {"N": str(version)}},
                            }
                        },
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {"pk": {"S": f"log-{writer}-{step}"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
                break
            except ClientError as e:
                if e.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                conflicts += 1
    return conflicts


def test_concurrent_conditional_transactions_lose_no_write(dynamodb: DynamoDBClient) -> None:
    table = _table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "counter"}, "version": {"N": "0"}})
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        conflicts = sum(pool.map(lambda writer: _increment(table, writer), range(WRITERS)))
    counter = dynamodb.get_item(TableName=table, Key={"pk": {"S": "counter"}}, ConsistentRead=True)
    logs = dynamodb.scan(TableName=table, Select="COUNT")["Count"] - 1
    assert (int(counter["Item"]["version"]["N"]), logs) == (
        WRITERS * INCREMENTS,
        WRITERS * INCREMENTS,
    )
    assert conflicts > 0  # the writers did race: the conditions were put to the test
