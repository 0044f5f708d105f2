"""The live service against the OpenAPI document it serves, with schemathesis.

Every operation, with data that fits the document and data that does not (negative), a fixed
seed and a bounded number of examples: no 5xx, no status, header, media type or body the document
does not describe, and schema-violating input always refused with a 4xx.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.auth import operator_headers
from tests.support.registration.service_container import (
    base_url,
    delete_rpc_queue,
    isolated_service_class,
    service_config,
    wait_until_ready,
)

pytestmark = pytest.mark.integration

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def live_schema(container_factory, amqp_uri, fresh_postgres_url):
    service_cls = isolated_service_class()
    # A generous database deadline: this test is about answers to client input, and a shared
    # machine's disk can stall a commit past the default 3 s, which is rightly a 503.
    config = service_config(amqp_uri, fresh_postgres_url, DATABASE_TIMEOUT_SECONDS=15)
    container = container_factory(service_cls, config)
    container.start()
    url = base_url(config)
    assert wait_until_ready(url), "the service did not become ready"
    # The served document, loaded as a dict: loaded from its URL, schemathesis would leave out
    # the operation that serves it.
    document = requests.get(f"{url}/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(
        document,
        config=schemathesis.Config.from_dict(
            {"seed": 20261129, "generation": {"mode": "all", "deterministic": True}}
        ),
    )
    schema.config.update(base_url=url)
    yield schema
    container.kill()
    delete_rpc_queue(amqp_uri, service_cls.name)


schema = schemathesis.pytest.from_fixture("live_schema")


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_service_answers_as_its_openapi_document_says(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(path_regex="^/entries").parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_operator_operations_answer_an_operators_token_as_the_document_says(case):
    # Without a token the test above finds only 401s; with one, every answer behind it.
    case.call_and_validate(headers=operator_headers(), checks=CHECKS)
