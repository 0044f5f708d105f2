"""A lived-in database: the service's own schema (its migrations), filled by set-based SQL with
the entries and outbox rows of a service that has run for a long time.

The rows are shaped as the service writes them: entries pending or confirmed as the domain leaves
them, and outbox rows whose payload is the wire form of `RegisteredEntryEvent` or
`ConfirmationRequested` (the relay, a replay and an erasure treat them as their own). Ids and
addresses are derived from the row's number (`entry_id_of`, `address_of`), so the bench can look
up and erase entries it never read.

The secondary indexes and the unique constraints are dropped while the rows go in and made again
afterwards from the definitions the migrations gave them; the build checks that the catalogue
(pg_indexes, pg_constraint) ends as the migrations left it.
"""

import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue

import psycopg2
from sqlalchemy.engine import make_url

from bench.database import _execute

# Row numbers become ids and addresses through this; another seed makes other rows.
SEED = "lived-in"
BASE_URL = "http://localhost:8000"
HOUR_S = 3600.0
YEAR_S = 365 * 24 * HOUR_S
# An address confirmed this long after its registration.
CONFIRMED_AFTER_S = 300.0
# The entries past their TTL expired within this window before the build (a service that was
# down for that long, or a sweep that fell behind).
OVERDUE_WINDOW_S = HOUR_S
# The relay published each row this long after it was stored.
PUBLISHED_AFTER_S = 0.05
CHUNK_ROWS = 500_000
TABLES = ("entries", "outbox")


@dataclass(frozen=True)
class LivedInShape:
    """How many rows of each kind; fractions as the issue gives them."""

    entries: int = 10_000_000
    outbox_rows: int = 10_000_000
    past_retention: float = 0.6  # of the outbox rows, created before the retention
    pending: float = 0.05  # of the entries, not confirmed yet
    pending_past_ttl: float = 0.1  # of the pending entries, past their confirmation TTL
    retention_hours: float = 168.0  # OUTBOX_RETENTION_HOURS' default
    ttl_hours: float = 48.0  # CONFIRMATION_TTL_HOURS' default

    def __post_init__(self) -> None:
        if self.entries < 1 or self.outbox_rows < 0:
            raise ValueError("a lived-in database has at least one entry")
        for name in ("past_retention", "pending", "pending_past_ttl"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be within [0, 1)")

    @property
    def pending_entries(self) -> int:
        return round(self.entries * self.pending)

    @property
    def confirmed_entries(self) -> int:
        return self.entries - self.pending_entries

    @property
    def overdue_entries(self) -> int:
        """Pending entries whose TTL has passed: the expiry sweep's work at start."""
        return round(self.pending_entries * self.pending_past_ttl)

    @property
    def waiting_entries(self) -> int:
        """Pending entries still within their TTL."""
        return self.pending_entries - self.overdue_entries

    @property
    def outbox_past_retention(self) -> int:
        return round(self.outbox_rows * self.past_retention)

    @property
    def outbox_span_s(self) -> float:
        """How far back the outbox reaches: the newest (1 - past_retention) lie within it."""
        return self.retention_hours * HOUR_S / (1 - self.past_retention)

    def to_dict(self) -> dict[str, object]:
        return {
            "entries": self.entries,
            "confirmed_entries": self.confirmed_entries,
            "pending_entries": self.pending_entries,
            "overdue_entries": self.overdue_entries,
            "outbox_rows": self.outbox_rows,
            "outbox_past_retention": self.outbox_past_retention,
            "retention_hours": self.retention_hours,
            "ttl_hours": self.ttl_hours,
        }


# --- ids and addresses: the same in SQL and in Python ---------------------------------------


def entry_id_of(number: int, seed: str = SEED) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"{seed}:e{number}".encode()).hexdigest())


def address_of(number: int) -> str:
    return f"person{number}@mail{number % 97}.example.org"


def _sql_entry_id(number: str, seed: str) -> str:
    return f"md5('{seed}:e' || {number})::uuid"


def _sql_address(number: str) -> str:
    return f"('person' || {number} || '@mail' || mod({number}, 97) || '.example.org')"


def _sql_iso(timestamp: str) -> str:
    """Python's datetime.isoformat() of a UTC time, as the events carry it."""
    return f"(to_char({timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00')"


def _sql_link(purpose: str, digest: str) -> str:
    """A mailed link of the length the service signs (104 characters of token), made of a digest
    already computed for the row (md5 costs microseconds: one per id is enough)."""
    return (
        f"('{BASE_URL}/{purpose}/' || {digest} || {digest} || '.' || "
        f"{digest} || left({digest}, 11))"
    )


# --- the statements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    table: str
    rows: int
    statement: str


def _ranges(start: int, stop: int, size: int) -> Iterator[tuple[int, int]]:
    for low in range(start, stop, size):
        yield low, min(stop, low + size)


def entry_chunks(shape: LivedInShape, seed: str = SEED, size: int = CHUNK_ROWS) -> list[Chunk]:
    """Entries 0 .. confirmed-1 confirmed over the past year; then the pending ones within their
    TTL (registered over the last ttl_hours); then those past it (expired within the last hour).
    Every statement reads the build's clock from %(now)s (epoch seconds)."""
    now = "to_timestamp(%(now)s)"
    ttl_s = shape.ttl_hours * HOUR_S
    columns = "id, email, email_key, registered_at, expires_at, confirmed_at, mailed_at, version"
    address = _sql_address("i")
    chunks = []
    confirmed = shape.confirmed_entries
    for low, high in _ranges(0, confirmed, size):
        registered = (
            f"({now} - make_interval(secs => {YEAR_S}::float8 * ({confirmed} - i) / {confirmed}))"
        )
        chunks.append(
            Chunk(
                "entries",
                high - low,
                f"INSERT INTO entries ({columns}) SELECT {_sql_entry_id('i', seed)}, {address}, "
                f"{address}, {registered}, NULL, {registered} + interval '{CONFIRMED_AFTER_S} "
                f"seconds', NULL, 2 FROM generate_series({low}, {high - 1}) AS i",
            )
        )
    waiting, overdue = shape.waiting_entries, shape.overdue_entries
    start = confirmed
    for low, high in _ranges(start, start + waiting, size):
        # registered within the last TTL: expires within the next one
        registered = (
            f"({now} - make_interval(secs => {ttl_s}::float8 * (i - {start} + 1) / {waiting + 1}))"
        )
        chunks.append(_pending_chunk(columns, seed, low, high, registered, ttl_s))
    start += waiting
    for low, high in _ranges(start, start + overdue, size):
        expired = f"({now} - make_interval(secs => {OVERDUE_WINDOW_S}::float8 * (i - {start} + 1) / {overdue + 1}))"
        registered = f"({expired} - make_interval(secs => {ttl_s}))"
        chunks.append(_pending_chunk(columns, seed, low, high, registered, ttl_s))
    return chunks


def _pending_chunk(
    columns: str, seed: str, low: int, high: int, registered: str, ttl_s: float
) -> Chunk:
    address = _sql_address("i")
    return Chunk(
        "entries",
        high - low,
        f"INSERT INTO entries ({columns}) SELECT {_sql_entry_id('i', seed)}, {address}, "
        f"{address}, r, r + make_interval(secs => {ttl_s}), NULL, {_sql_iso('r')}, 1 "
        f"FROM generate_series({low}, {high - 1}) AS i, LATERAL (SELECT {registered} AS r) AS t",
    )


def outbox_chunks(shape: LivedInShape, seed: str = SEED, size: int = CHUNK_ROWS) -> list[Chunk]:
    """Outbox row j (seq j + 1) was created span * (rows - j) / rows ago and published at once:
    the oldest past_retention of them before the retention. It is the event of entry j mod
    entries: `RegisteredEntryEvent` for a confirmed entry, `ConfirmationRequested` for a pending
    one (its payload the wire form, its entry_id the entry's)."""
    rows, entries, confirmed = shape.outbox_rows, shape.entries, shape.confirmed_entries
    ttl_s = shape.ttl_hours * HOUR_S
    span = f"{shape.outbox_span_s}::float8"
    columns = "seq, event_id, event_type, payload, request_id, created_at, published_at, entry_id"
    head = (
        '\'{"event_id":"\' || e.event_id || \'","name":"\' || e.kind || '
        '\'","entry_id":"\' || e.entry_id || \'","email":"\' || e.address || \'",\''
    )
    erase = f"'\"erase_url\":\"' || {_sql_link('erase', 'e.digest')} || '\",'"
    confirm = f"'\"confirm_url\":\"' || {_sql_link('confirm', 'e.digest')} || '\",'"
    expires = (
        f'\'"expires_at":"\' || {_sql_iso(f"(e.created + make_interval(secs => {ttl_s}))")} '
        "|| '\",'"
    )
    stamp = f"'\"timestamp\":\"' || {_sql_iso('e.created')} || '\"}}'"
    payload = (
        f"{head} || CASE WHEN e.k < {confirmed} THEN {erase} "
        f"ELSE {confirm} || {erase} || {expires} END || {stamp}"
    )
    chunks = []
    for low, high in _ranges(0, rows, size):
        # OFFSET 0 keeps the subquery whole: each of its values is computed once per row
        statement = (
            f"INSERT INTO outbox ({columns}) SELECT j + 1, e.event_id::uuid, e.kind, {payload}, "
            f"reverse(e.digest), e.created, e.created + interval '{PUBLISHED_AFTER_S} seconds', "
            f"e.entry_id::uuid FROM generate_series({low}, {high - 1}) AS j, LATERAL (SELECT "
            f"d.k, d.digest, d.digest::uuid::text AS event_id, "
            f"{_sql_entry_id('d.k', seed)}::text AS entry_id, {_sql_address('d.k')} AS address, "
            f"to_timestamp(%(now)s) - make_interval(secs => {span} * ({rows} - j) / {rows}) "
            f"AS created, CASE WHEN d.k < {confirmed} THEN 'RegisteredEntryEvent' "
            "ELSE 'ConfirmationRequested' END AS kind "
            f"FROM (SELECT mod(j, {entries}) AS k, md5('{seed}:o' || j) AS digest OFFSET 0) AS d "
            "OFFSET 0) AS e"
        )
        chunks.append(Chunk("outbox", high - low, statement))
    return chunks


# --- the catalogue, as the migrations left it ------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The tables' indexes and constraints: what the build takes away and puts back."""

    indexes: tuple[tuple[str, str, str], ...]  # name, table, definition (pg_indexes)
    constraints: tuple[tuple[str, str, str, str], ...]  # name, table, kind p/u, definition

    @property
    def constraint_names(self) -> set[str]:
        return {name for name, *_ in self.constraints}

    def drops(self) -> list[str]:
        statements = [
            f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for name, table, *_ in self.constraints
        ]
        statements += [
            f'DROP INDEX "{name}"'
            for name, _, _ in self.indexes
            if name not in self.constraint_names
        ]
        return statements

    def index_builds(self) -> list[tuple[str, str]]:
        """(table, CREATE INDEX ...) for every index, those behind a constraint included."""
        return [(table, definition) for _, table, definition in self.indexes]

    def constraint_attachments(self) -> list[str]:
        kinds = {"p": "PRIMARY KEY", "u": "UNIQUE"}
        return [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {kinds[kind]} USING INDEX "{name}"'
            for name, table, kind, _ in self.constraints
        ]


def read_catalogue(cursor: "psycopg2.extensions.cursor") -> Catalogue:
    cursor.execute(
        "SELECT indexname, tablename, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND tablename = ANY(%s) ORDER BY indexname",
        (list(TABLES),),
    )
    indexes = tuple(cursor.fetchall())
    cursor.execute(
        "SELECT c.conname, t.relname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = current_schema() AND t.relname = ANY(%s) AND c.contype IN ('p', 'u')"
        " ORDER BY c.conname",
        (list(TABLES),),
    )
    constraints = tuple(cursor.fetchall())
    return Catalogue(indexes, constraints)


# --- the build ---------------------------------------------------------------------------------


@dataclass
class BuildReport:
    shape: LivedInShape
    seconds: dict[str, float] = field(default_factory=dict)  # by phase
    sizes_mb: dict[str, float] = field(default_factory=dict)  # by table, indexes included

    @property
    def total_s(self) -> float:
        return sum(self.seconds.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "shape": self.shape.to_dict(),
            "seconds": self.seconds,
            "total_s": self.total_s,
            "sizes_mb": self.sizes_mb,
        }


SESSION_SETTINGS = (
    # this session's own: the rows are rebuilt if the build fails, so no commit waits for a flush
    "SET synchronous_commit = off",
    "SET maintenance_work_mem = '1GB'",
    "SET max_parallel_maintenance_workers = 0",  # two builders already keep both cores busy
)


def build_lived_in(
    database_url: str,
    shape: LivedInShape,
    *,
    now: float | None = None,
    workers: int = 2,
    progress: Callable[[str], None] = lambda message: None,
) -> BuildReport:
    """Migrates the (empty) database at database_url to the head revision, then fills it."""
    from registration.adapters.sql.migrate import upgrade_to_head

    report = BuildReport(shape)
    now = time.time() if now is None else now
    started = time.monotonic()
    upgrade_to_head(database_url)
    report.seconds["migrations"] = time.monotonic() - started

    with _connection(database_url) as connection, connection.cursor() as cursor:
        migrated = read_catalogue(cursor)
        for statement in migrated.drops():
            cursor.execute(statement)

    chunks = entry_chunks(shape) + outbox_chunks(shape)
    # the biggest first, so that the two builders end together
    work = [(chunk.statement, {"now": now}) for chunk in chunks]
    _timed(report, "rows", progress, lambda: _in_parallel(database_url, work, workers))
    builds = sorted(migrated.index_builds(), key=lambda build: build[0] != "outbox")
    _timed(
        report,
        "indexes",
        progress,
        lambda: _in_parallel(database_url, [(sql, None) for _, sql in builds], workers),
    )
    with _connection(database_url) as connection, connection.cursor() as cursor:
        for statement in migrated.constraint_attachments():
            cursor.execute(statement)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('outbox', 'seq'), %s, true)",
            (max(shape.outbox_rows, 1),),
        )
        built = read_catalogue(cursor)
    if built != migrated:
        raise RuntimeError(
            f"the lived-in schema differs from the migrations': {built} against {migrated}"
        )
    vacuums = [(f"VACUUM (ANALYZE) {table}", None) for table in TABLES]
    _timed(report, "vacuum", progress, lambda: _in_parallel(database_url, vacuums, workers))
    with _connection(database_url) as connection, connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT pg_total_relation_size(%s)", (table,))
            report.sizes_mb[table] = cursor.fetchone()[0] / 1024 / 1024
    return report


def _timed(report: BuildReport, phase: str, progress: Callable[[str], None], step) -> None:
    started = time.monotonic()
    step()
    report.seconds[phase] = time.monotonic() - started
    progress(f"lived-in database: {phase} in {report.seconds[phase]:.1f} s")


@contextmanager
def _connection(database_url: str) -> Iterator["psycopg2.extensions.connection"]:
    connection = psycopg2.connect(database_url)
    try:
        connection.autocommit = True  # VACUUM cannot run in a transaction; each chunk commits
        with connection.cursor() as cursor:
            for setting in SESSION_SETTINGS:
                cursor.execute(setting)
        yield connection
    finally:
        connection.close()


def _in_parallel(
    database_url: str, work: Sequence[tuple[str, dict[str, object] | None]], workers: int
) -> None:
    """Runs the statements on `workers` connections, each taking the next one when done."""
    queue: SimpleQueue[tuple[str, dict[str, object] | None]] = SimpleQueue()
    for item in work:
        queue.put(item)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with _connection(database_url) as connection, connection.cursor() as cursor:
                while not failures:
                    try:
                        statement, parameters = queue.get_nowait()
                    except Empty:
                        return
                    cursor.execute(statement, parameters)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


@contextmanager
def cloned_database(admin_url: str, template_url: str) -> Iterator[str]:
    """A copy of the template database for one contender, dropped on the way out. FILE_COPY
    copies the files as they are (no WAL for every page): seconds for gigabytes."""
    template = make_url(template_url).database
    name = f"bench_{uuid.uuid4().hex}"
    _execute(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
