"""nameko's @rpc for the core's use cases: the core's errors reach callers as their own types.

nameko names a remote error by its class; a caller that installed the contract package
(`registration_contract.errors`) gets each declared core error back as a type of its own. An
adapter's variant (a subclass that declares nothing, the circuit breaker's StorageUnavailable,
say) leaves as the type it is a variant of, which is all a caller can know.
"""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from nameko.rpc import rpc

from registration.domain.errors import CoreError

Method = TypeVar("Method", bound=Callable[..., Any])


def as_declared_type(error: CoreError) -> CoreError:
    declared = error.declared_type()
    if declared is None or type(error) is declared:
        return error
    return declared(*error.args)


def use_case_rpc(method: Method) -> Method:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except CoreError as error:
            public = as_declared_type(error)
            if public is error:
                raise
            raise public from None

    return rpc(expected_exceptions=CoreError)(call)  # type: ignore[no-any-return]


def typed_errors() -> list[type[CoreError]]:
    """Every declared core error that RPC callers get as a type of its own (the contract
    package offers a class for each): the classes imported so far, the service's all."""
    found, pending = [], [CoreError]
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.declared_type() is kind and kind.typed_for_rpc:
            found.append(kind)
    return found
