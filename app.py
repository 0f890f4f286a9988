"""socialsav's Lambda entry points. Each handler parses its input and delegates to chalicelib.

This is also the one place that reads configuration and builds AWS clients.
"""

from __future__ import annotations

import functools
import hmac
import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import urlparse

import boto3
from aws_lambda_powertools import Logger
from botocore.config import Config
from chalice.app import Chalice, Request, Response, SQSEvent
from pydantic import ValidationError

from chalicelib.adapters.inbox_queue import InboxQueue
from chalicelib.adapters.rate_limit import RateLimiter
from chalicelib.adapters.secrets import EnvironmentSecrets, ParameterStoreSecrets, Secrets
from chalicelib.adapters.task_signals import TaskSignals
from chalicelib.adapters.ticket_store import TicketStore
from chalicelib.adapters.workflow import TicketWorkflow
from chalicelib.agent_actions import AgentActions
from chalicelib.charter import load_charter
from chalicelib.domain import survey_token
from chalicelib.domain.pii_guard import PiiGuard
from chalicelib.domain.replies import ReplyDrafter
from chalicelib.domain.sla_clock import BusinessCalendar, Peak, SlaClock
from chalicelib.domain.survey import csat
from chalicelib.domain.ticket import Ticket, TicketStatus
from chalicelib.domain.triage import Triage
from chalicelib.domain.workflow import WorkflowTask
from chalicelib.errors import (
    AuthenticationError,
    ConfirmationNeededError,
    EnqueueError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    RefusedError,
    SocialsavError,
)
from chalicelib.inbox_message import AgentAction
from chalicelib.inbox_processor import InboxProcessor, metrics
from chalicelib.moderation import Moderation
from chalicelib.outbox import Outbox
from chalicelib.platforms.meta.graph import GraphApi
from chalicelib.platforms.meta.verification import SIGNATURE_HEADER, answer_handshake
from chalicelib.platforms.slack.payloads import parse_command, parse_interaction
from chalicelib.platforms.slack.verification import verify_slack_request
from chalicelib.platforms.slack.web_api import SlackApi, SlackCallError, SlackLog, SlackWeb
from chalicelib.settings import Settings
from chalicelib.slack_commands import SlashCommands
from chalicelib.slack_desk import DeskChannels, SlackDesk
from chalicelib.slack_interactions import SlackInteractions
from chalicelib.survey_page import Page
from chalicelib.surveys import Surveys
from chalicelib.ticket_workflow import TicketWorkflowService
from chalicelib.webhook_intake import accept_meta_delivery

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

P = ParamSpec("P")
R = TypeVar("R")

app = Chalice(app_name="socialsav")
logger = Logger()

# Read at import: `chalice package` / `deploy` load the app with the stage's variables set.
INBOX_QUEUE_NAME = os.environ.get("INBOX_QUEUE_NAME", "socialsav-local-inbox.fifo")
WORKFLOW_QUEUE_NAME = os.environ.get("WORKFLOW_QUEUE_NAME", "socialsav-local-workflow")

_HTTP_STATUS: dict[type[SocialsavError], int] = {
    InvalidRequestError: 400,
    AuthenticationError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    RefusedError: 409,
    ConfirmationNeededError: 409,
    PayloadTooLargeError: 413,
    SlackCallError: 502,
    EnqueueError: 503,
}
_FORM = ["application/x-www-form-urlencoded"]
# The survey page: no caching, never framed, nothing loaded from elsewhere, and the token in its
# URL never leaks to another site through a Referer.
_HTML_HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
# Short, bounded retries: a webhook must be answered fast, and a failed enqueue answers 503.
_BOTO_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"})


# --- wiring ---------------------------------------------------------------------------------


@functools.cache
def settings() -> Settings:
    return Settings.from_environ(os.environ)


@functools.cache
def secrets() -> Secrets:
    if settings().secrets_source == "ssm":
        return ParameterStoreSecrets(
            settings().ssm_prefix, client=boto3.client("ssm", config=_BOTO_CONFIG)
        )
    return EnvironmentSecrets(os.environ)


@functools.cache
def inbox_queue() -> InboxQueue:
    return InboxQueue(boto3.client("sqs", config=_BOTO_CONFIG), settings().inbox_queue_url)


@functools.cache
def ticket_store() -> TicketStore:
    # Every committed change with timeline entries redraws the ticket's Slack card.
    return TicketStore(
        boto3.client("dynamodb", config=_BOTO_CONFIG),
        settings().table_name,
        on_change=lambda ticket, entries: slack_desk().changed(ticket, entries),
    )


def now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def sla_clock() -> SlaClock:
    charter = load_charter()  # an invalid charter stops the app here, naming the field
    calendar = BusinessCalendar.from_charter(charter, always_open=settings().sla_always_open)
    return SlaClock(charter, calendar, speedup=settings().sla_speedup)


@functools.cache
def stepfunctions() -> SFNClient:
    return boto3.client("stepfunctions", config=_BOTO_CONFIG)


@functools.cache
def outbox() -> Outbox:
    tokens = json.loads(secrets().get("META_PAGE_TOKENS") or "{}")
    graph = GraphApi(settings().meta_graph_url, tokens, retries=settings().meta_graph_retries)
    return Outbox(ticket_store(), graph, clock=now)


def survey_link(ticket: Ticket, at: datetime) -> str:
    days = sla_clock().charter.closure.survey_link_days
    key = secrets().get("SURVEY_SIGNING_KEY").encode()
    token = survey_token.issue(ticket.id, at + timedelta(days=days), key)
    return f"{settings().public_base_url.rstrip('/')}/survey/{token}"


@functools.cache
def slack() -> SlackApi:
    token = secrets().get("SLACK_BOT_TOKEN")
    return SlackWeb(token, settings().slack_api_url) if token else SlackLog()


@functools.cache
def slack_desk() -> SlackDesk:
    config = settings()
    channels = DeskChannels(
        agents=config.slack_agents_channel,
        escalations=config.slack_escalations_channel,
        moderation=config.slack_moderation_channel,
        oncall_groups=config.slack_oncall_groups,
    )
    return SlackDesk(slack(), ticket_store(), channels, sla_clock().charter.teams, now)


@functools.cache
def moderation() -> Moderation:
    return Moderation(ticket_store(), outbox(), sla_clock().charter.brand.charter_url, now)


@functools.cache
def workflow_starter() -> TicketWorkflow:
    return TicketWorkflow(stepfunctions(), settings().state_machine_arn)


@functools.cache
def workflow() -> TicketWorkflowService:
    return TicketWorkflowService(
        ticket_store(),
        TaskSignals(stepfunctions()),
        outbox(),
        sla_clock(),
        now,
        survey_link,
    )


@functools.cache
def agent_actions() -> AgentActions:
    charter = sla_clock().charter
    return AgentActions(
        ticket_store(),
        inbox_queue(),
        workflow(),
        outbox(),
        PiiGuard(charter.sensitive_data),
        ReplyDrafter(charter.replies),
        ticket_store(),
        moderation(),
        workflow_starter(),
        sla_clock(),
        now,
    )


@functools.cache
def slack_interactions() -> SlackInteractions:
    return SlackInteractions(agent_actions(), slack(), now)


@functools.cache
def slash_commands() -> SlashCommands:
    zone = sla_clock().charter.brand.time_zone
    return SlashCommands(ticket_store(), zone, now, lambda: str(uuid.uuid4()))


@functools.cache
def surveys() -> Surveys:
    limiter = RateLimiter(
        boto3.client("dynamodb", config=_BOTO_CONFIG),
        settings().table_name,
        scope="survey",
        per_minute=settings().survey_requests_per_minute,
    )
    return Surveys(
        ticket_store(),
        workflow(),
        limiter,
        lambda: secrets().get("SURVEY_SIGNING_KEY").encode(),
        sla_clock().charter.brand.name,
        now,
    )


@functools.cache
def inbox_processor() -> InboxProcessor:
    charter = sla_clock().charter
    return InboxProcessor(
        ticket_store(),
        workflow_starter(),
        workflow(),
        agent_actions(),
        Triage(charter.triage, charter.brand.languages),
        moderation(),
        slack_desk(),
        sla_clock(),
        now,
    )


# --- the HTTP edge --------------------------------------------------------------------------


def request() -> Request:
    current = app.current_request
    if current is None:  # only reachable outside a route
        raise RuntimeError("no current request")
    return current


def query() -> dict[str, str]:
    return dict(request().query_params or {})


def raw_body() -> bytes:
    body = request().raw_body
    return body if isinstance(body, bytes) else str(body).encode()


def json_object() -> dict[str, Any]:
    try:
        body = json.loads(raw_body() or b"null")
    except ValueError as e:
        raise InvalidRequestError(f"body is not valid JSON: {e}") from e
    if not isinstance(body, dict):
        raise InvalidRequestError("body must be a JSON object")
    return body


def validation_error(e: ValidationError) -> InvalidRequestError:
    first = e.errors()[0]
    return InvalidRequestError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")


def error_response(error: SocialsavError) -> Response:
    status = _HTTP_STATUS.get(type(error), 500)
    headers: dict[str, str | list[str]] = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return Response(
        body={"error": error.code, "reason": str(error)}, status_code=status, headers=headers
    )


def json_errors(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Our errors become a status code and a JSON reason (Chalice would turn them into 500s)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        try:
            return view(*args, **kwargs)
        except SocialsavError as e:
            logger.warning("request refused", error=e.code, reason=str(e), path=request().path)
            return error_response(e)

    return wrapper


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    # A task token completes a workflow step: it is a capability, not something to display.
    return ticket.model_dump(mode="json", exclude={"pending_task": {"token"}})


def require_admin() -> None:
    header = request().headers.get("authorization", "")
    token = secrets().get("ADMIN_API_TOKEN")
    scheme, _, given = header.partition(" ")
    if (
        not token
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(given.encode(), token.encode())
    ):
        raise AuthenticationError("a valid admin bearer token is required")


@app.route("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "stage": settings().stage}


@app.route("/webhooks/meta", methods=["GET"])
@json_errors
def meta_subscription() -> Response:
    challenge = answer_handshake(query(), secrets().get("META_VERIFY_TOKEN"))
    return Response(body=challenge, headers={"Content-Type": "text/plain"})


@app.route("/webhooks/meta", methods=["POST"])
@json_errors
def meta_webhook() -> dict[str, int]:
    accepted = accept_meta_delivery(
        raw_body=raw_body(),
        signature=request().headers.get(SIGNATURE_HEADER),
        app_secret=secrets().get("META_APP_SECRET"),
        max_bytes=settings().max_webhook_bytes,
        queue=inbox_queue(),
        received_at=datetime.now(UTC),
    )
    return {"accepted": len(accepted)}


@app.route("/admin/tickets")
@json_errors
def list_tickets() -> dict[str, Any]:
    require_admin()
    params = query()
    try:
        status = TicketStatus(params["status"]) if "status" in params else None
        limit = min(int(params.get("limit", "100")), 500)
    except ValueError as e:
        raise InvalidRequestError(f"bad query parameter: {e}") from e
    if "customer" in params:
        tickets = ticket_store().tickets_of_customer(params["customer"], limit)
    else:
        tickets = ticket_store().list_tickets(status, limit)
    return {"tickets": [ticket_json(t) for t in tickets]}


@app.route("/admin/tickets/{ticket_id}")
@json_errors
def get_ticket(ticket_id: str) -> dict[str, Any]:
    require_admin()
    found = ticket_store().get_with_timeline(ticket_id)
    if found is None:
        raise NotFoundError(f"no ticket {ticket_id}")
    ticket, timeline, outbox = found
    return {
        **ticket_json(ticket),
        "timeline": [entry.model_dump(mode="json") for entry in timeline],
        "outbox": [record.model_dump(mode="json") for record in outbox],
    }


@app.route("/admin/tickets/{ticket_id}/actions", methods=["POST"])
@json_errors
def request_action(ticket_id: str) -> Response:
    require_admin()
    body = json_object()
    try:
        action = AgentAction(
            request_id=str(body.pop("request_id", None) or uuid.uuid4()),
            ticket_id=ticket_id,
            requested_at=now(),
            **body,
        )
    except (ValidationError, TypeError) as e:
        raise (
            validation_error(e) if isinstance(e, ValidationError) else InvalidRequestError(str(e))
        ) from e
    agent_actions().request(action)
    return Response(body={"request_id": action.request_id}, status_code=202)


@app.route("/admin/tickets/{ticket_id}/draft")
@json_errors
def draft_reply(ticket_id: str) -> dict[str, Any]:
    require_admin()
    agent = query().get("agent", "").strip()
    if not agent:
        raise InvalidRequestError("agent: the agent's name signs the reply")
    text, flags = agent_actions().draft(ticket_id, agent)
    return {"text": text, "human_touch": flags}


@app.route("/admin/peaks", methods=["POST"])
@json_errors
def declare_peak() -> Response:
    require_admin()
    try:
        peak = Peak.model_validate(json_object())
    except ValidationError as e:
        raise validation_error(e) from e
    peak_id = str(uuid.uuid4())
    ticket_store().add_peak(peak, peak_id)
    return Response(body={"id": peak_id, **peak.model_dump(mode="json")}, status_code=201)


@app.route("/admin/peaks")
@json_errors
def list_peaks() -> dict[str, Any]:
    require_admin()
    return {"peaks": [p.model_dump(mode="json") for p in ticket_store().peaks()]}


@app.route("/slack/actions", methods=["POST"], content_types=_FORM)
@json_errors
def slack_action() -> Response:
    verify_slack_request(raw_body(), request().headers, secrets().get("SLACK_SIGNING_SECRET"))
    answer = slack_interactions().handle(parse_interaction(raw_body()))
    return Response(body=answer or "", status_code=200)


@app.route("/slack/commands", methods=["POST"], content_types=_FORM)
@json_errors
def slack_command() -> dict[str, Any]:
    verify_slack_request(raw_body(), request().headers, secrets().get("SLACK_SIGNING_SECRET"))
    return slash_commands().handle(parse_command(raw_body()))


@app.route("/admin/csat")
@json_errors
def csat_figures() -> dict[str, Any]:
    require_admin()
    try:
        days = min(max(int(query().get("days", "30")), 1), 366)
    except ValueError as e:
        raise InvalidRequestError(f"days: {e}") from e
    figures = csat(ticket_store().tickets_created_since(now() - timedelta(days=days)))
    return {"days": days, **figures.as_json()}


def client_ip() -> str:
    identity = request().context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def preferred_language() -> str:
    accepted = request().headers.get("accept-language", "")
    return "fr" if accepted.lower().startswith("fr") else "en"


def same_origin() -> bool:
    """A browser's cross-site post carries another site's Origin; no Origin is not a browser
    form post from elsewhere (and the link's token is needed anyway)."""
    origin = request().headers.get("origin")
    return origin is None or urlparse(origin).netloc == request().headers.get("host", "")


def html(page: Page) -> Response:
    return Response(body=page.html, status_code=page.status, headers=_HTML_HEADERS)


@app.route("/survey/{token}")
def survey_form(token: str) -> Response:
    return html(surveys().show(token, client=client_ip(), language=preferred_language()))


@app.route("/survey/{token}", methods=["POST"], content_types=_FORM)
def survey_answer(token: str) -> Response:
    page = surveys().answer(
        token,
        raw_body(),
        client=client_ip(),
        language=preferred_language(),
        same_origin=same_origin(),
    )
    return html(page)


# --- queue consumers ------------------------------------------------------------------------


# One message per invocation: Chalice cannot enable ReportBatchItemFailures, and with a batch of
# one a failure retries only that message, so a poison message never drags others to the DLQ.
@app.on_sqs_message(queue=INBOX_QUEUE_NAME, batch_size=1)
def handle_inbox(event: SQSEvent) -> None:
    try:
        for record in event:
            inbox_processor().handle_message(record.body)
    finally:
        metrics.flush_metrics()


@app.on_sqs_message(queue=WORKFLOW_QUEUE_NAME, batch_size=1)
def handle_workflow(event: SQSEvent) -> None:
    for record in event:
        workflow().handle_task(WorkflowTask.model_validate_json(record.body))
