"""One local stack for the integration tests: the emulator and provisioning run in the test
process (so tests can inspect DynamoDB, SQS and Step Functions directly), the app runs as a child
process serving real HTTP, exactly as `make run` serves it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_sqs import SQSClient
from mypy_boto3_stepfunctions import SFNClient

from infra.local.emulator import Emulator, start_emulator
from infra.local.provision import StackOutputs, provision
from tests.fakes.graph_server import FakeGraph
from tests.fakes.slack_server import BOT_TOKEN, FakeSlack
from tests.integration.stack import AppProcess
from tests.meta_payloads import new_run

# Speed-ups: "fast" makes the sample complaint's first-response target (60 minutes: triage
# finds a high-priority complaint) 6 s; "fastest" makes the 7-day resolution and survey waits 5 s.
FAST = 600.0
FASTEST = 120000.0

# The brand accounts the apps under test hold tokens for (posts go to the fake Graph API).
PAGE_ID = "1234567890"
IG_ACCOUNT_ID = "17841400000000000"


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
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


# Where the apps under test send cards and notices, and the on-call group of each level.
AGENTS_CHANNEL = "C0AGENTS"
ESCALATIONS_CHANNEL = "C0ESCALATE"
MODERATION_CHANNEL = "C0MODERATE"
ONCALL_GROUPS = ("S0LEVEL1", "S0LEVEL2")


def fakes_environment(graph: FakeGraph, slack: FakeSlack) -> dict[str, str]:
    return {
        "META_GRAPH_URL": graph.url,
        "META_PAGE_TOKENS": json.dumps({PAGE_ID: "page-token", IG_ACCOUNT_ID: "ig-token"}),
        "META_GRAPH_RETRIES": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "SLACK_AGENTS_CHANNEL": AGENTS_CHANNEL,
        "SLACK_ESCALATIONS_CHANNEL": ESCALATIONS_CHANNEL,
        "SLACK_MODERATION_CHANNEL": MODERATION_CHANNEL,
        "SLACK_ONCALL_GROUPS": ",".join(ONCALL_GROUPS),
        # every test talks from 127.0.0.1: the survey's per-IP limit is tested on its own stack
        "SURVEY_REQUESTS_PER_MINUTE": "100000",
    }


@pytest.fixture(scope="session")
def app_env(
    emulator: Emulator, stack: StackOutputs, graph: FakeGraph, slack: FakeSlack
) -> dict[str, str]:
    return {
        **emulator.client_environment(),
        **stack.environment(),
        **fakes_environment(graph, slack),
    }


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


Launch = Callable[..., tuple[AppProcess, StackOutputs]]


@pytest.fixture(scope="session")
def launch(
    emulator: Emulator, graph: FakeGraph, slack: FakeSlack, logs_dir: Path
) -> Iterator[Launch]:
    """Another stack on the emulator (its own table, queues and state machine) with its app
    running the SLA clock `speedup` times faster, and any `settings` of its own. Stacks are
    isolated so that one app's clock never times another's tickets."""
    started: dict[str, tuple[AppProcess, StackOutputs]] = {}

    def start(
        stage: str, speedup: float, settings: dict[str, str] | None = None
    ) -> tuple[AppProcess, StackOutputs]:
        if stage not in started:
            outputs = provision(stage)
            env = {
                **emulator.client_environment(),
                **outputs.environment(),
                **fakes_environment(graph, slack),
                "SLA_SPEEDUP": str(speedup),
                **(settings or {}),
            }
            process = AppProcess(env, logs_dir / f"{stage}.log")
            started[stage] = (process, outputs)
            process.wait_ready()
        return started[stage]

    yield start
    for process, _ in started.values():
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
