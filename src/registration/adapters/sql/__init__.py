"""SQLAlchemy adapters: PostgreSQL in production, SQLite as the embedded default."""
