"""Starting a ticket's Step Functions execution."""

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

    def start(self, ticket: Ticket) -> str:
        """Start the ticket's execution, named after the ticket; starting twice is harmless.

        The input is derived from the ticket alone so a retried start carries the same input,
        which Step Functions accepts as the same execution.
        """
        payload = {"ticket_id": ticket.id, "platform": ticket.platform, "origin": ticket.origin}
        try:
            response = self._client.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=ticket.id,
                input=json.dumps(payload, sort_keys=True),
            )
        except self._client.exceptions.ExecutionAlreadyExists:
            return self.execution_arn(ticket.id)
        return response["executionArn"]

    def execution_arn(self, ticket_id: str) -> str:
        return self._state_machine_arn.replace(":stateMachine:", ":execution:") + f":{ticket_id}"
