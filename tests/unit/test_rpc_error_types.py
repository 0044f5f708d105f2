import pytest

from registration.adapters.sql.circuit_breaker import CircuitOpen
from registration.application.errors import StorageUnavailable
from registration.entrypoints.service import core_error_types, outcome_of

pytestmark = pytest.mark.unit


def test_an_adapters_storage_error_leaves_an_rpc_method_as_the_cores_own_type():
    # nameko serializes an error by its class name: the caller only knows the core's types
    with pytest.raises(StorageUnavailable) as raised, core_error_types():
        raise CircuitOpen("The database is not reachable.")

    assert type(raised.value) is StorageUnavailable
    assert str(raised.value) == "The database is not reachable."


def test_an_adapters_storage_error_counts_as_unavailable():
    assert outcome_of(CircuitOpen("The database is not reachable.")) == "unavailable"
