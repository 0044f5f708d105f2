"""Statements PostgreSQL parses and plans once per connection, then only executes.

The hot statements (the group commit's insert, the relay's claim) cost PostgreSQL more to plan
than to run when sent as text every time. Each pooled connection defines them on first use; a
replaced connection starts afresh, as its record's `info` does.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy.pool import PoolProxiedConnection


@dataclass(frozen=True)
class PreparedStatement:
    name: str
    parameter_types: tuple[str, ...]  # PostgreSQL's, in the order of $1, $2, ...
    body: str  # the statement, with $1, $2, ... for the parameters

    @cached_property
    def definition(self) -> str:
        return f"PREPARE {self.name} ({', '.join(self.parameter_types)}) AS {self.body}"

    @cached_property
    def execution(self) -> str:
        # psycopg2 sends its parameters as literals: cast, each takes its declared type
        casts = ", ".join(f"%s::{kind}" for kind in self.parameter_types)
        return f"EXECUTE {self.name} ({casts})"


def execute_prepared(
    connection: PoolProxiedConnection, statement: PreparedStatement, params: list[Any]
) -> list[tuple[Any, ...]]:
    """Run `statement` in the connection's current transaction (if any) and fetch its rows."""
    defined: set[str] = connection.info.setdefault("prepared_statements", set())
    with connection.dbapi_connection.cursor() as cursor:
        if statement.name not in defined:
            cursor.execute(statement.definition)
            defined.add(statement.name)
        cursor.execute(statement.execution, params)
        return cursor.fetchall() if cursor.description else []
