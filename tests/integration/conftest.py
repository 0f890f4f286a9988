"""One local stack for the integration tests: the emulator and provisioning run in the test
process (so tests can inspect DynamoDB, SQS and Step Functions directly), the app runs as a child
process serving real HTTP, exactly as `make run` serves it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_sqs import SQSClient
from mypy_boto3_stepfunctions import SFNClient

from infra.local.emulator import Emulator, start_emulator
from infra.local.provision import StackOutputs, provision
from tests.integration.stack import AppProcess
from tests.meta_payloads import new_run


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    emulator = start_emulator(port=0)
    previous = {k: os.environ.get(k) for k in emulator.client_environment()}
    os.environ.update(emulator.client_environment())
    yield emulator
    emulator.stop()
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def stack(emulator: Emulator) -> StackOutputs:
    return provision()


@pytest.fixture(scope="session")
def app_env(emulator: Emulator, stack: StackOutputs) -> dict[str, str]:
    return {**emulator.client_environment(), **stack.environment()}


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def app(app_env: dict[str, str], logs_dir: Path) -> Iterator[AppProcess]:
    process = AppProcess(app_env, logs_dir / "app.log")
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


@pytest.fixture
def run() -> str:
    """A suffix for every id in this test's payloads."""
    return new_run()


@pytest.fixture(scope="session")
def dynamodb(emulator: Emulator) -> DynamoDBClient:
    return boto3.client("dynamodb")


@pytest.fixture(scope="session")
def sqs(emulator: Emulator) -> SQSClient:
    return boto3.client("sqs")


@pytest.fixture(scope="session")
def sfn(emulator: Emulator) -> SFNClient:
    return boto3.client("stepfunctions")
