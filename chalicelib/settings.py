"""Settings read once from the Lambda environment (set per stage in .chalice/config.json)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str
    table_name: str
    inbox_queue_url: str
    state_machine_arn: str
    secrets_source: Literal["env", "ssm"] = "env"
    ssm_prefix: str = ""
    # API Gateway accepts 10 MB; Meta batches are far smaller. Anything larger is refused.
    max_webhook_bytes: int = Field(default=1_048_576, gt=0)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        return cls(
            stage=environ.get("STAGE", "local"),
            table_name=environ["TABLE_NAME"],
            inbox_queue_url=environ["INBOX_QUEUE_URL"],
            state_machine_arn=environ["STATE_MACHINE_ARN"],
            secrets_source=environ.get("SECRETS_SOURCE", "env"),  # type: ignore[arg-type]
            ssm_prefix=environ.get("SSM_PREFIX", ""),
            max_webhook_bytes=int(environ.get("MAX_WEBHOOK_BYTES", "1048576")),
        )
