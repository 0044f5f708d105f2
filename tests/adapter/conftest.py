import pytest

from tests.support.databases import migrated_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A migrated database of each kind the service supports."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registration.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    db = migrated_database(url)
    yield db
    db.engine.dispose()
