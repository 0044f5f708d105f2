import threading

import pytest
import sqlalchemy as sa

from registration.adapters.sql.migrate import upgrade_to_head
from registration.adapters.sql.schema import metadata

pytestmark = pytest.mark.adapter


def test_replicas_migrating_at_once_both_succeed(fresh_postgres_url):
    errors = []

    def migrate():
        try:
            upgrade_to_head(fresh_postgres_url)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migrations_build_the_schema_the_adapters_use(kind, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    upgrade_to_head(url)
    upgrade_to_head(url)  # a second run is a no-op

    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    for table in metadata.tables.values():
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= indexes
    engine.dispose()
