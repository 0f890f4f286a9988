"""What Slack posts to us, in its own shapes (only the fields socialsav reads).

Interactions arrive form-encoded as `payload=<json>`; slash commands as plain form fields.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chalicelib.errors import InvalidRequestError
from chalicelib.forms import parse_form


class _Slack(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SlackUser(_Slack):
    id: str
    username: str | None = None
    name: str | None = None

    @property
    def handle(self) -> str:
        return self.username or self.name or self.id


class SelectedOption(_Slack):
    value: str


class Action(_Slack):
    action_id: str
    block_id: str = ""
    value: str | None = None
    selected_option: SelectedOption | None = None
    action_ts: str | None = None

    @property
    def ticket_id(self) -> str:
        """Card buttons carry the ticket id; the team menu carries it in its block id."""
        if self.value and self.action_id != "route":
            return self.value
        return self.block_id.removeprefix("ticket:")


class BlockActions(_Slack):
    type: Literal["block_actions"]
    user: SlackUser
    trigger_id: str
    actions: list[Action] = Field(min_length=1)
    response_url: str | None = None


class InputValue(_Slack):
    value: str | None = None
    selected_options: list[SelectedOption] | None = None


class ViewState(_Slack):
    values: dict[str, dict[str, InputValue]] = {}


class View(_Slack):
    id: str
    callback_id: str
    private_metadata: str = ""
    state: ViewState = ViewState()

    def text(self, block_id: str) -> str:
        """The text typed in the input block `block_id` (its one element)."""
        element = next(iter(self.state.values.get(block_id, {}).values()), None)
        return (element.value or "") if element else ""

    def ticked(self, block_id: str) -> bool:
        element = next(iter(self.state.values.get(block_id, {}).values()), None)
        return bool(element and element.selected_options)


class ViewSubmission(_Slack):
    type: Literal["view_submission"]
    user: SlackUser
    view: View


Interaction = Annotated[BlockActions | ViewSubmission, Field(discriminator="type")]
_INTERACTION = TypeAdapter[BlockActions | ViewSubmission](Interaction)


class SlashCommand(_Slack):
    command: str
    text: str = ""
    user_id: str
    user_name: str = ""
    channel_id: str = ""
    response_url: str | None = None
    trigger_id: str | None = None


def _reason(e: ValidationError) -> str:
    first = e.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def parse_interaction(raw_body: bytes) -> BlockActions | ViewSubmission:
    payload = parse_form(raw_body).get("payload")
    if payload is None:
        raise InvalidRequestError("payload: missing")
    try:
        data: Any = json.loads(payload)
        return _INTERACTION.validate_python(data)
    except ValueError as e:
        if isinstance(e, ValidationError):
            raise InvalidRequestError(f"payload.{_reason(e)}") from e
        raise InvalidRequestError(f"payload: not JSON ({e})") from e


def parse_command(raw_body: bytes) -> SlashCommand:
    try:
        return SlashCommand.model_validate(parse_form(raw_body))
    except ValidationError as e:
        raise InvalidRequestError(_reason(e)) from e
