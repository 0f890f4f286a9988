"""Where secrets come from: the environment (local stage) or SSM Parameter Store (deployed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools.utilities.parameters import SSMProvider

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

# Cached this long in a warm Lambda, so a rotated secret is picked up within minutes.
_MAX_AGE_SECONDS = 300


class Secrets(Protocol):
    def get(self, name: str) -> str: ...


class EnvironmentSecrets:
    """The `local` stage: documented, non-secret values from .chalice/config.json."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def get(self, name: str) -> str:
        return self._environ.get(name, "")


class ParameterStoreSecrets:
    """Deployed stages: SecureString parameters named `<prefix>/<NAME>`, cached by Powertools."""

    def __init__(self, prefix: str, client: SSMClient | None = None) -> None:
        self._prefix = prefix.rstrip("/")
        self._provider = SSMProvider(boto3_client=client)

    def get(self, name: str) -> str:
        value = self._provider.get(f"{self._prefix}/{name}", decrypt=True, max_age=_MAX_AGE_SECONDS)
        return value if isinstance(value, str) else ""
