"""Answers for operators: readiness, Prometheus metrics, the contract documents."""

from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from registration import contracts
from registration.bootstrap import Application
from registration.entrypoints.http.responses import json_response
from registration.infrastructure import metrics


def readiness(app: Application) -> Response:
    checks: dict[str, dict[str, object]] = {}
    try:
        status = app.outbox.status()
    except Exception as error:
        checks["database"] = {"status": "failing", "detail": _summary(error)}
        checks["outbox"] = {"status": "failing", "detail": "unknown while the database is down"}
    else:
        age = status.oldest_pending_age_seconds(datetime.now(UTC))
        checks["database"] = {"status": "ok"}
        checks["outbox"] = {
            "status": "ok" if age <= app.settings.ready_max_outbox_age_seconds else "failing",
            "pending": status.pending,
            "oldest_pending_age_seconds": round(age, 3),
        }
    broker_problem = app.broker.problem()
    checks["broker"] = (
        {"status": "ok"}
        if broker_problem is None
        else {"status": "failing", "detail": broker_problem}
    )
    ready = all(check["status"] == "ok" for check in checks.values())
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def prometheus_metrics(app: Application) -> Response:
    try:
        status = app.outbox.status()
    except Exception:  # the gauges keep their last value while the database is down
        pass
    else:
        metrics.OUTBOX_PENDING.set(status.pending)
        metrics.OUTBOX_OLDEST_PENDING_AGE.set(status.oldest_pending_age_seconds(datetime.now(UTC)))
    return Response(
        generate_latest(metrics.registry()), status=200, content_type=CONTENT_TYPE_LATEST
    )


def contract(name: str) -> Response:
    document = getattr(contracts, f"{name}_document")()
    return json_response(document)


def _summary(error: Exception) -> str:
    return str(error) or type(error).__name__
