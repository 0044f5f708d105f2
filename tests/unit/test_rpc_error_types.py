import pytest

from registration.adapters.sql.circuit_breaker import CircuitOpen
from registration.application.errors import StorageUnavailable
from registration.domain.errors import EmailAlreadyRegistered
from registration.entrypoints.outcomes import Outcomes
from registration.entrypoints.rpc import as_declared_type

pytestmark = pytest.mark.unit


def test_an_adapters_storage_error_leaves_an_rpc_method_as_the_cores_own_type():
    # nameko serializes an error by its class name: the caller only knows the core's types
    public = as_declared_type(CircuitOpen("The database is not reachable."))

    assert type(public) is StorageUnavailable
    assert str(public) == "The database is not reachable."


def test_a_declared_error_leaves_as_it_is():
    error = EmailAlreadyRegistered("This email address is already registered.")

    assert as_declared_type(error) is error


def test_an_adapters_storage_error_counts_as_unavailable():
    outcomes = Outcomes("test_outcomes_total", "Outcomes of a test's use case.", "done")

    with pytest.raises(CircuitOpen), outcomes.counting():
        raise CircuitOpen("The database is not reachable.")

    assert outcomes._counter.labels("unavailable")._value.get() == 1
