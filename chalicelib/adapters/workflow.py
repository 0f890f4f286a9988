"""Starting (and, for a case ended by moderation, stopping) a ticket's Step Functions execution."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from chalicelib.domain.ticket import Ticket

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class TicketWorkflow:
    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def start(self, ticket: Ticket, first_timeout: int) -> str:
        """Start the ticket's execution, named after the ticket; starting twice is harmless
        (the name is taken: the existing execution is the ticket's).

        `first_timeout` is the wait for the first reply, in seconds, from the SLA clock.
        """
        payload = {
            "ticket_id": ticket.id,
            "origin": ticket.origin,
            "step": {"wait": {"timeout": first_timeout, "level": 0}},
        }
        try:
            response = self._client.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=ticket.execution_name,
                input=json.dumps(payload, sort_keys=True),
            )
        except self._client.exceptions.ExecutionAlreadyExists:
            return self.execution_arn(ticket.execution_name)
        return response["executionArn"]

    def execution_arn(self, name: str) -> str:
        return self._state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"

    def stop(self, execution_arn: str, cause: str) -> None:
        """Stop a ticket's execution (its case ended outside the workflow); stopping one that
        already ended is harmless."""
        try:
            self._client.stop_execution(executionArn=execution_arn, cause=cause[:32768])
        except self._client.exceptions.ExecutionDoesNotExist:
            return
