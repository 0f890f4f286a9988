"""Deployed stages read secrets from SSM Parameter Store (SecureString), through Powertools."""

from __future__ import annotations

import uuid

import boto3

from chalicelib.adapters.secrets import EnvironmentSecrets, ParameterStoreSecrets
from infra.local.emulator import Emulator


def test_secrets_come_from_secure_string_parameters_under_the_stage_prefix(
    emulator: Emulator,
) -> None:
    ssm = boto3.client("ssm")
    prefix = f"/socialsav/test-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{prefix}/META_APP_SECRET", Value="s3cret", Type="SecureString")
    secrets = ParameterStoreSecrets(prefix + "/", client=ssm)
    assert secrets.get("META_APP_SECRET") == "s3cret"


def test_local_secrets_come_from_the_environment() -> None:
    secrets = EnvironmentSecrets({"ADMIN_API_TOKEN": "t"})
    assert secrets.get("ADMIN_API_TOKEN") == "t"
    assert secrets.get("META_APP_SECRET") == ""  # unset: every check using it refuses
