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
    meta_graph_url: str = "https://graph.facebook.com/v21.0"
    meta_graph_retries: int = Field(default=3, ge=0)
    # The local stage runs the SLA clock faster (1200: a 60-minute target takes 3 s) and
    # ignores opening hours, so a demo behaves the same on any day.
    sla_speedup: float = Field(default=1.0, gt=0)
    sla_always_open: bool = False
    # Where customers reach socialsav (survey links): the API's public URL.
    public_base_url: str = "http://127.0.0.1:8000"
    # Slack: the Web API's base URL (a local fake in tests), where cards and notices go, and
    # the on-call user group mentioned at each escalation level (the last one repeats).
    # Survey page requests per client IP and minute (GET and POST together).
    survey_requests_per_minute: int = Field(default=30, gt=0)
    slack_api_url: str = "https://slack.com/api/"
    slack_agents_channel: str = ""
    slack_escalations_channel: str = ""
    slack_moderation_channel: str = ""
    slack_oncall_groups: tuple[str, ...] = ()

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
            meta_graph_url=environ.get("META_GRAPH_URL", "https://graph.facebook.com/v21.0"),
            meta_graph_retries=int(environ.get("META_GRAPH_RETRIES", "3")),
            sla_speedup=float(environ.get("SLA_SPEEDUP", "1")),
            sla_always_open=environ.get("SLA_ALWAYS_OPEN", "false").lower() == "true",
            public_base_url=environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
            survey_requests_per_minute=int(environ.get("SURVEY_REQUESTS_PER_MINUTE", "30")),
            slack_api_url=environ.get("SLACK_API_URL", "https://slack.com/api/"),
            slack_agents_channel=environ.get("SLACK_AGENTS_CHANNEL", ""),
            slack_escalations_channel=environ.get("SLACK_ESCALATIONS_CHANNEL", ""),
            slack_moderation_channel=environ.get("SLACK_MODERATION_CHANNEL", ""),
            slack_oncall_groups=tuple(
                g.strip() for g in environ.get("SLACK_ONCALL_GROUPS", "").split(",") if g.strip()
            ),
        )
