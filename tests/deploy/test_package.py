"""The production path: `chalice package --merge-template` yields a valid, complete stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from infra.template import render_package_overlay

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("package")
    overlay = work / "overlay.json"
    overlay.write_text(json.dumps(render_package_overlay()))
    out = work / "out"
    subprocess.run(
        [BIN / "chalice", "package", "--stage", "prod", "--merge-template", overlay, out],
        cwd=PROJECT_DIR,
        env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"},
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


@pytest.fixture(scope="module")
def template(package: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((package / "sam.json").read_text())
    return loaded


def test_the_merged_template_passes_cfn_lint(package: Path) -> None:
    result = subprocess.run(
        [BIN / "cfn-lint", package / "sam.json"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stack_holds_the_app_and_its_infrastructure(template: dict[str, Any]) -> None:
    types = {name: r["Type"] for name, r in template["Resources"].items()}
    assert types["APIHandler"] == "AWS::Serverless::Function"
    assert types["HandleInbox"] == "AWS::Serverless::Function"
    assert types["HandleWorkflow"] == "AWS::Serverless::Function"
    assert types["WorkflowQueue"] == "AWS::SQS::Queue"
    assert types["Table"] == "AWS::DynamoDB::Table"
    assert types["InboxQueue"] == "AWS::SQS::Queue"
    assert types["TicketWorkflow"] == "AWS::StepFunctions::StateMachine"


def test_functions_are_wired_to_the_stack_resources(template: dict[str, Any]) -> None:
    for name in ("APIHandler", "HandleInbox", "HandleWorkflow"):
        variables = template["Resources"][name]["Properties"]["Environment"]["Variables"]
        assert variables["TABLE_NAME"] == {"Ref": "Table"}
        assert variables["INBOX_QUEUE_URL"] == {"Ref": "InboxQueue"}
        assert variables["STATE_MACHINE_ARN"] == {"Ref": "TicketWorkflow"}
        assert variables["SECRETS_SOURCE"] == "ssm"


def test_the_inbox_consumer_reads_the_inbox_one_message_at_a_time(
    template: dict[str, Any],
) -> None:
    [event] = template["Resources"]["HandleInbox"]["Properties"]["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["BatchSize"] == 1
    queue_name = template["Resources"]["InboxQueue"]["Properties"]["QueueName"]
    assert queue_name == {"Fn::Sub": "socialsav-${Stage}-inbox.fifo"}
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(":socialsav-prod-inbox.fifo")


def test_the_state_machine_is_the_asl_file_sending_tasks_to_the_workflow_queue(
    template: dict[str, Any],
) -> None:
    machine = template["Resources"]["TicketWorkflow"]["Properties"]
    asl = json.loads((PROJECT_DIR / "infra" / "statemachine" / "ticket.asl.json").read_text())
    assert json.loads(machine["DefinitionString"]) == asl
    assert machine["DefinitionSubstitutions"] == {"WorkflowQueueUrl": {"Ref": "WorkflowQueue"}}
    [event] = template["Resources"]["HandleWorkflow"]["Properties"]["Events"].values()
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(":socialsav-prod-workflow")


def test_the_zip_holds_the_app_with_lambda_compatible_wheels_and_no_dev_files(
    package: Path,
) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    assert "app.py" in names
    assert "chalicelib/domain/ticket.py" in names
    assert any(n.startswith("pydantic_core/_pydantic_core.cpython-311-x86_64-linux") for n in names)
    assert any(n.startswith("aws_lambda_powertools/") for n in names)
    assert not any(n.startswith(("tests/", "infra/", "moto/", "chalice/cli/")) for n in names)


def test_least_privilege_policy_is_used(template: dict[str, Any]) -> None:
    policy = json.loads((PROJECT_DIR / ".chalice" / "policy-prod.json").read_text())
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert not any(a.endswith("*") for a in actions)
    role = template["Resources"]["HandleInboxRole"]["Properties"]["Policies"][0]
    assert role["PolicyDocument"] == policy
