"""The RFC 9457 document both services answer errors with."""

import json

import pytest

from service_kit.problem_document import problem_document, problem_json, problem_type

pytestmark = pytest.mark.unit


def test_a_problem_without_a_type_of_its_own_is_about_blank():
    assert problem_document(400, "Bad Request", "Not HTTP/1.1.") == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "Not HTTP/1.1.",
    }


def test_a_services_own_problem_type_is_a_relative_uri():
    document = json.loads(
        problem_json(404, "Not Found", "No such page.", problem_type("not-found"))
    )

    assert document["type"] == "/problems/not-found"
    assert document["status"] == 404
