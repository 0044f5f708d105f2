"""Answers for operators: readiness, health detail, Prometheus metrics, the contract documents."""

from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from registration import contracts
from registration.bootstrap import Application
from registration.entrypoints.expiry import measure_overdue
from registration.entrypoints.http.responses import json_response
from registration.infrastructure import metrics

Checks = dict[str, dict[str, object]]
OK: dict[str, object] = {"status": "ok"}


def readiness(app: Application, draining: bool) -> Response:
    """200 while this instance can accept and store registrations: its database answers and it
    is not shutting down.

    The broker and the outbox backlog are left out on purpose: the outbox keeps the events while
    RabbitMQ is away, and every replica sees the same broker and shares one backlog, so either
    would take every replica out of rotation at once. /health and /metrics report them.
    """
    checks = _readiness_checks(app, draining)
    ready = _all_ok(checks)
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def health(app: Application, draining: bool) -> Response:
    """Readiness, plus what needs an operator but not a balancer: broker, relay, backlog."""
    checks = _readiness_checks(app, draining)
    ready = _all_ok(checks)
    checks["broker"] = _broker_check(app)
    checks["relay"] = app.relay.state.as_check() if app.relay is not None else OK
    checks["outbox"] = _outbox_check(app, database_ok=checks["database"] == OK)
    status = "unavailable" if not ready else "ok" if _all_ok(checks) else "degraded"
    return json_response({"status": status, "checks": checks}, status=200 if ready else 503)


def prometheus_metrics(app: Application) -> Response:
    # One read of the outbox also says whether the database answers; while it does not, the
    # outbox gauges keep their last value.
    outbox = _outbox_check(app, database_ok=True)
    metrics.DATABASE_UP.set(1 if outbox["status"] == "ok" else 0)
    if outbox["status"] == "ok":
        measure_overdue(app)
    _broker_check(app)
    return Response(
        generate_latest(metrics.registry()), status=200, content_type=CONTENT_TYPE_LATEST
    )


def contract(name: str) -> Response:
    document = getattr(contracts, f"{name}_document")()
    return json_response(document)


def _readiness_checks(app: Application, draining: bool) -> Checks:
    serving = {"status": "failing", "detail": "shutting down"} if draining else OK
    return {"serving": serving, "database": _database_check(app)}


def _database_check(app: Application) -> dict[str, object]:
    try:
        app.database.ping()
    except Exception as error:
        return {"status": "failing", "detail": _summary(error)}
    return OK


def _broker_check(app: Application) -> dict[str, object]:
    problem = app.broker.problem()
    metrics.BROKER_UP.set(1 if problem is None else 0)
    return OK if problem is None else {"status": "failing", "detail": problem}


def _outbox_check(app: Application, database_ok: bool) -> dict[str, object]:
    if not database_ok:
        return {"status": "failing", "detail": "unknown while the database is down"}
    try:
        status = app.outbox.status()
    except Exception as error:
        return {"status": "failing", "detail": _summary(error)}
    age = status.oldest_pending_age_seconds(datetime.now(UTC))
    metrics.OUTBOX_PENDING.set(status.pending)
    metrics.OUTBOX_OLDEST_PENDING_AGE.set(age)
    return {"status": "ok", "pending": status.pending, "oldest_pending_age_seconds": round(age, 3)}


def _all_ok(checks: Checks) -> bool:
    return all(check["status"] == "ok" for check in checks.values())


def _summary(error: Exception) -> str:
    return str(error) or type(error).__name__
