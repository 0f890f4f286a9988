"""Provision the emulator from the production template (infra/template.yaml + the ASL file)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from infra.template import load_asl, render

# Short visibility and few receives, so a failing message reaches the DLQ in seconds locally.
LOCAL_PARAMETERS = {"InboxVisibilityTimeout": "2", "InboxMaxReceiveCount": "3"}


@dataclass(frozen=True)
class StackOutputs:
    table_name: str
    inbox_queue_name: str
    inbox_queue_url: str
    inbox_dlq_url: str
    workflow_queue_name: str
    workflow_queue_url: str
    workflow_dlq_url: str
    state_machine_arn: str

    def environment(self) -> dict[str, str]:
        """The settings the app reads (the deploy path takes the same values from the stack)."""
        return {
            "TABLE_NAME": self.table_name,
            "INBOX_QUEUE_NAME": self.inbox_queue_name,
            "INBOX_QUEUE_URL": self.inbox_queue_url,
            "INBOX_DLQ_URL": self.inbox_dlq_url,
            "WORKFLOW_QUEUE_NAME": self.workflow_queue_name,
            "WORKFLOW_QUEUE_URL": self.workflow_queue_url,
            "WORKFLOW_DLQ_URL": self.workflow_dlq_url,
            "STATE_MACHINE_ARN": self.state_machine_arn,
        }


def provision(stage: str = "local") -> StackOutputs:
    """Create the stack on the emulator (boto3 must already point at it)."""
    cfn = boto3.client("cloudformation")
    stack_name = f"socialsav-{stage}"
    parameters = {"Stage": stage, **LOCAL_PARAMETERS}
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(render()),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name} is {stack['StackStatus']}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    role = cfn.describe_stack_resource(
        StackName=stack_name, LogicalResourceId="TicketWorkflowRole"
    )["StackResourceDetail"]["PhysicalResourceId"]

    sqs = boto3.client("sqs")

    def emulator_url(queue_url: str) -> str:
        # The stack reports AWS-style URLs; ask for the emulator's own (its host and port).
        return sqs.get_queue_url(QueueName=queue_url.rsplit("/", 1)[1])["QueueUrl"]

    # moto cannot execute a state machine that CloudFormation created: create the same
    # definition through the Step Functions API (with the same substitutions CloudFormation
    # makes), and point the app at that one.
    definition = json.dumps(load_asl()).replace(
        "${WorkflowQueueUrl}", emulator_url(outputs["WorkflowQueueUrl"])
    )
    machine = boto3.client("stepfunctions").create_state_machine(
        name=f"socialsav-{stage}-ticket-emulated",
        definition=definition,
        roleArn=f"arn:aws:iam::123456789012:role/{role}",
        type="STANDARD",
    )

    return StackOutputs(
        table_name=outputs["TableName"],
        inbox_queue_name=outputs["InboxQueueName"],
        inbox_queue_url=emulator_url(outputs["InboxQueueUrl"]),
        inbox_dlq_url=emulator_url(outputs["InboxDeadLetterQueueUrl"]),
        workflow_queue_name=outputs["WorkflowQueueName"],
        workflow_queue_url=emulator_url(outputs["WorkflowQueueUrl"]),
        workflow_dlq_url=emulator_url(outputs["WorkflowDeadLetterQueueUrl"]),
        state_machine_arn=machine["stateMachineArn"],
    )
