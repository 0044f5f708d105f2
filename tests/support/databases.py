import uuid
from datetime import UTC, datetime

from registration.adapters.sql.database import Database
from registration.adapters.sql.engine import make_green_engine
from registration.adapters.sql.migrate import upgrade_to_head


def migrated_database(url: str, timeout_seconds: float = 3.0) -> Database:
    upgrade_to_head(url)
    return Database(
        make_green_engine(url, pool_size=12, timeout_seconds=timeout_seconds), timeout_seconds
    )


def unique_address(prefix: str = "someone") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def now() -> datetime:
    return datetime.now(UTC)
