"""The pages behind the mailed links, in a real browser (headless Chromium): what a person sees
and clicks, and that a link scanner's fetch changes nothing."""

import uuid
from urllib.parse import urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By

from tests.support.auth import operator_headers, shared_issuer
from tests.support.browser import headless_chromium, press
from tests.support.databases import migrated_database
from tests.support.ports import free_port
from tests.support.registration.service_container import isolated_service_class
from tests.support.registration.sign_up import confirmation_request

pytestmark = pytest.mark.e2e


@pytest.fixture
def service(container_factory, amqp_uri, fresh_postgres_url):
    migrated_database(fresh_postgres_url).engine.dispose()
    port = free_port()
    container = container_factory(
        isolated_service_class(),
        {
            "AMQP_URI": amqp_uri,
            "DATABASE_URL": fresh_postgres_url,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
            **shared_issuer().settings,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "LINK_SIGNING_KEYS": "a key for the browser test",
        },
    )
    container.start()
    yield f"http://127.0.0.1:{port}"
    container.stop()


@pytest.fixture
def browser():
    with headless_chromium() as driver:
        yield driver


def signed_up(service: str, database_url: str) -> dict:
    address = f"browser-{uuid.uuid4().hex[:10]}@example.com"
    assert requests.post(f"{service}/register", json={"email": address}, timeout=10).ok
    return confirmation_request(database_url, address)


def status_of(service: str, entry_id: str) -> str | None:
    response = requests.get(f"{service}/entries/{entry_id}", headers=operator_headers(), timeout=10)
    return response.json()["status"] if response.ok else None


def resources_loaded(browser) -> list[str]:
    return browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )


def test_a_person_confirms_by_the_button_behind_the_link(service, fresh_postgres_url, browser):
    request = signed_up(service, fresh_postgres_url)

    browser.get(request["confirm_url"])

    assert browser.title == "Confirm your registration"
    assert status_of(service, request["entry_id"]) == "pending"  # opening it changed nothing
    assert resources_loaded(browser) == []  # nothing from elsewhere, nothing at all
    press(browser)

    assert browser.find_element(By.TAG_NAME, "h1").text == "You are registered"
    assert urlsplit(browser.current_url).path == urlsplit(request["confirm_url"]).path
    assert status_of(service, request["entry_id"]) == "confirmed"


def test_a_link_scanner_fetching_every_link_confirms_and_erases_nothing(
    service, fresh_postgres_url, browser
):
    request = signed_up(service, fresh_postgres_url)

    for link in (request["confirm_url"], request["erase_url"]):
        assert requests.get(link, timeout=10).status_code == 200
        browser.get(link)

    assert status_of(service, request["entry_id"]) == "pending"


def test_a_person_erases_their_entry_by_the_button_behind_the_erasure_link(
    service, fresh_postgres_url, browser
):
    request = signed_up(service, fresh_postgres_url)

    browser.get(request["erase_url"])
    assert browser.title == "Erase your registration"
    press(browser)

    assert browser.find_element(By.TAG_NAME, "h1").text == "Erased"
    assert status_of(service, request["entry_id"]) is None


def test_an_altered_link_shows_a_page_that_says_so_without_a_button(
    service, fresh_postgres_url, browser
):
    request = signed_up(service, fresh_postgres_url)

    browser.get(request["confirm_url"][:-3] + "abc")

    assert browser.find_element(By.TAG_NAME, "h1").text == "This link does not work"
    assert browser.find_elements(By.TAG_NAME, "button") == []


def test_the_page_cannot_be_framed_by_another_site(service, fresh_postgres_url, browser, tmp_path):
    request = signed_up(service, fresh_postgres_url)
    framing = tmp_path / "framing.html"
    framing.write_text(f'<iframe id="f" src="{request["confirm_url"]}"></iframe>')

    browser.get(framing.as_uri())
    browser.switch_to.frame("f")

    assert browser.find_elements(By.TAG_NAME, "button") == []  # refused: frame-ancestors 'none'
