"""Serve the Chalice app over HTTP and run its queue handlers against the emulator.

`python -m infra.local.app_server` runs just this part, for an emulator that is already
provisioned (the tests start it this way); `python -m infra.local` runs the whole stack.
Variables already in the environment win over the `local` stage's values in .chalice/config.json.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType, ModuleType

import boto3
from chalice.app import SQSEventConfig
from chalice.cli.factory import CLIFactory
from chalice.local import LocalDevServer, create_local_server

from infra.local.event_sources import SqsPoller

PROJECT_DIR = Path(__file__).resolve().parents[2]
_CHALICE_DEFAULT_TIMEOUT = 60  # seconds, when .chalice/config.json sets no lambda_timeout


def stage_environment(stage: str = "local") -> dict[str, str]:
    config = CLIFactory(str(PROJECT_DIR)).create_config_obj(chalice_stage_name=stage)
    return dict(config.environment_variables)


class AppServer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        stage: str = "local",
        event_sources: bool = True,
        concurrency: int = 2,
    ) -> None:
        self.host = host
        self.port = port
        self._stage = stage
        self._event_sources = event_sources
        self._concurrency = concurrency
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: LocalDevServer | None = None

    def start(self) -> None:
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://{self.host}:{self.port}")
        for name, value in stage_environment(self._stage).items():
            os.environ.setdefault(name, value)
        if str(PROJECT_DIR) not in sys.path:
            sys.path.insert(0, str(PROJECT_DIR))
        app_module = importlib.import_module("app")
        config = CLIFactory(str(PROJECT_DIR)).create_config_obj(chalice_stage_name=self._stage)
        if self._event_sources:
            self._start_pollers(app_module, config.lambda_timeout or _CHALICE_DEFAULT_TIMEOUT)
        self._server = create_local_server(app_module.app, config, self.host, self.port)
        http_thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)
        http_thread.start()
        self._threads.append(http_thread)

    def _start_pollers(self, app_module: ModuleType, function_timeout: int) -> None:
        """Like Lambda's event source mapping, several invocations run at once per queue (a FIFO
        queue still hands out one message per group at a time, so conversations stay ordered)."""
        sqs = boto3.client("sqs")
        for source in app_module.app.event_sources:
            if not isinstance(source, SQSEventConfig) or source.queue is None:
                continue
            queue_url = sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
            for _ in range(self._concurrency):
                poller = SqsPoller(
                    client=sqs,
                    queue_url=queue_url,
                    handler=getattr(app_module, source.handler_string.rsplit(".", 1)[1]),
                    function_name=source.name,
                    batch_size=source.batch_size,
                    function_timeout=function_timeout,
                    stop=self._stop,
                )
                poller.start()
                self._threads.append(poller)

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)


def wait_for_signal() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stopped = threading.Event()

    def _handle(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)
    stopped.wait()


def main() -> None:
    server = AppServer(
        "127.0.0.1",
        int(os.environ.get("PORT", "8000")),
        event_sources=os.environ.get("LOCAL_EVENT_SOURCES", "on") != "off",
    )
    server.start()
    try:
        wait_for_signal()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
