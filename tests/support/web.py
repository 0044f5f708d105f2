"""An HTTP client for a service under test; nameko 2.14.1's `web_session` breaks on werkzeug 3."""

import requests


class WebSession(requests.Session):
    """A `requests.Session` whose relative URLs ("/register") go to `base_url`."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if url.startswith("/"):
            url = f"{self.base_url}{url}"
        return super().request(method, url, *args, **kwargs)
