"""An identity provider of the tests' own: RSA keys made here, their JWKS served over real HTTP
on loopback, and access tokens (RFC 9068) signed with them for any subject, scopes and claims."""

import json
import threading
import time
import uuid
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

AUDIENCE = "registration"
ALL_SCOPES = ("entries:read", "entries:erase")


class TokenIssuer:
    def __init__(self) -> None:
        self.keys: list[tuple[str, rsa.RSAPrivateKey]] = []
        self.jwks_fetches = 0
        self.rotate()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_port}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def settings(self) -> dict[str, str]:
        """The service's settings that make it trust this issuer."""
        return {
            "AUTH_JWKS_URL": f"{self.issuer}jwks.json",
            "AUTH_ISSUER": self.issuer,
            "AUTH_AUDIENCE": AUDIENCE,
        }

    def rotate(self) -> str:
        """A new signing key, published beside the old ones; its key id."""
        key_id = uuid.uuid4().hex
        self.keys.append((key_id, rsa.generate_private_key(public_exponent=65537, key_size=2048)))
        return key_id

    def token(
        self,
        *scopes: str,
        subject: str = "operator-1",
        lifetime: float = 3600.0,
        header: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        **claims: Any,
    ) -> str:
        key_id, newest = self.keys[-1]
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + int(lifetime),
            "jti": uuid.uuid4().hex,
            "client_id": "operator-cli",
            "scope": " ".join(scopes),
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        headers = {"kid": key_id, "typ": "at+jwt", **(header or {})}
        return jwt.encode(payload, key or newest, algorithm="RS256", headers=headers)

    def headers(self, *scopes: str, **options: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*scopes, **options)}"}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _jwks(self) -> dict[str, Any]:
        keys = []
        for key_id, key in self.keys:
            public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**public, "kid": key_id, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class JwksHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/jwks.json":
                    self.send_error(404)
                    return
                issuer.jwks_fetches += 1
                body = json.dumps(issuer._jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return JwksHandler


@cache
def shared_issuer() -> TokenIssuer:
    """One issuer for every service a test run starts (a daemon thread, gone with the run)."""
    return TokenIssuer()


def operator_headers(*scopes: str) -> dict[str, str]:
    """An operator's Authorization header from the shared issuer; every scope by default."""
    return shared_issuer().headers(*(scopes or ALL_SCOPES))
