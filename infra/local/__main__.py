"""`make run`: the whole local stack in one process.

1. the AWS emulator (moto) on EMULATOR_PORT (default 4566), Step Functions execution on;
2. the table, queues and state machine provisioned from infra/ (the production template);
3. the app on 127.0.0.1:$PORT (default 8000) with its queue handlers fed by a local runner.
Ctrl-C stops everything.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger

from infra.local.app_server import AppServer, stage_environment, wait_for_signal
from infra.local.emulator import start_emulator
from infra.local.provision import provision

logger = Logger(service="local-stack")


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    emulator = start_emulator(int(os.environ.get("EMULATOR_PORT", "4566")))
    os.environ.update(emulator.client_environment())
    outputs = provision()
    os.environ.update(outputs.environment())
    server = AppServer("127.0.0.1", port)
    try:
        server.start()
        token = stage_environment()["ADMIN_API_TOKEN"]
        print(
            f"\nsocialsav local stack ready\n"
            f"  app        http://127.0.0.1:{port}  (GET /health)\n"
            f"  emulator   {emulator.endpoint}  (AWS_ENDPOINT_URL for the aws CLI / boto3)\n"
            f"  admin API  curl -H 'Authorization: Bearer {token}' "
            f"http://127.0.0.1:{port}/admin/tickets\n"
            f"Ctrl-C to stop.\n",
            flush=True,
        )
        wait_for_signal()
    finally:
        server.stop()
        emulator.stop()
        print("stopped", flush=True)


if __name__ == "__main__":
    main()
