"""Alembic environment: the URL comes from the caller (registration-migrate), not alembic.ini."""

from alembic import context

from registration.adapters.sql.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
