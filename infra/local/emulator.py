"""The AWS emulator (moto in server mode) with Step Functions execution switched on."""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from moto.dynamodb.models import DynamoDBBackend
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"


@dataclass
class Emulator:
    server: ThreadedMotoServer
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client_environment(self) -> dict[str, str]:
        """What a boto3 client (in this or a child process) needs to reach the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
        }

    def stop(self) -> None:
        """Stop running executions first: their timers would fire into a closed emulator."""
        env = self.client_environment()
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        for machine in sfn.list_state_machines()["stateMachines"]:
            running = sfn.list_executions(
                stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING"
            )["executions"]
            for execution in running:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="shutdown")
        self.server.stop()


_DYNAMODB = threading.RLock()
# moto checks a transaction's conditions and applies its writes one by one, and undoes a failed
# one by restoring a copy of the whole table taken when it began: with requests served on
# several threads, that copy can erase a write another request made meanwhile. DynamoDB runs
# transactions in isolation; so does the emulator once its reads and writes take turns.
_SERIALISED = (
    "transact_write_items",
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "batch_write_item",
    "batch_get_item",
)


def _one_at_a_time(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serialised(*args: Any, **kwargs: Any) -> Any:
        with _DYNAMODB:
            return method(*args, **kwargs)

    serialised.__dict__["serialised"] = True
    return serialised


def _serialise_dynamodb() -> None:
    for name in _SERIALISED:
        method = getattr(DynamoDBBackend, name, None)
        if method is not None and not getattr(method, "serialised", False):
            setattr(DynamoDBBackend, name, _one_at_a_time(method))


def start_emulator(port: int = 0) -> Emulator:
    # One log line per emulated AWS call drowns the app's own logs, and the Step Functions
    # interpreter logs every task timeout (an escalation, here) as an error with its state dump.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
    _serialise_dynamodb()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound_port = server.get_host_and_port()
    # moto's Step Functions interpreter calls SQS on localhost:$MOTO_PORT from this process.
    os.environ["MOTO_PORT"] = str(bound_port)
    request = urllib.request.Request(
        f"http://127.0.0.1:{bound_port}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        response.read()
    return Emulator(server=server, port=bound_port)
