"""The figures a fault test reports: one `FAULT-SUMMARY {json}` line on stdout per test."""

import json
import math
from collections import Counter
from dataclasses import asdict
from typing import Any

from tests.support.fault.load_driver import Answer
from tests.support.fault.reconciliation import Reconciliation


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ranked = sorted(values)
    return ranked[max(0, math.ceil(fraction * len(ranked)) - 1)]


def latency_figures(answers: list[Answer]) -> dict[str, Any]:
    latencies = [a.latency for a in answers]
    return {
        "n": len(latencies),
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "max_ms": _ms(max(latencies, default=None)),
    }


def status_counts(answers: list[Answer]) -> dict[str, int]:
    return dict(Counter(str(a.status) if a.status else "no-answer" for a in answers))


def event_figures(result: Reconciliation) -> dict[str, Any]:
    figures = {k: v if isinstance(v, int) else len(v) for k, v in asdict(result).items()}
    figures["redeliveries"] = result.redeliveries
    return figures


def drain_seconds(
    acknowledged: set[str], first_event_at: dict[str, float], restored_at: float
) -> float | None:
    """From the restore to the first delivery of the last acknowledged address; None if some
    address never got one."""
    if not acknowledged <= first_event_at.keys():
        return None
    last = max((first_event_at[address] for address in acknowledged), default=restored_at)
    return round(max(0.0, last - restored_at), 2)


def print_summary(test: str, figures: dict[str, Any]) -> None:
    print(f"FAULT-SUMMARY {json.dumps({'test': test, **figures}, separators=(',', ':'))}")


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
