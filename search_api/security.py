"""API keys: sent as ``X-API-Key`` or ``Authorization: Bearer``, stored only as sha256 digests.

Writes always need a key; reads only when ``require_read_key`` is set. A presented key is
hashed and compared with every accepted digest by ``hmac.compare_digest`` (no early exit),
so neither the comparison nor the number of configured keys shows in the timing.

The web UI cannot send a header with every page request, so a browser may trade a key for a
session cookie (``/anmelden``). The cookie holds a signed token, never the key: its expiry
and an HMAC over expiry and the key's digest, made with a secret drawn per process (sessions
end when the server restarts). Removing a key from the settings ends its sessions too. The
cookie is accepted for reads only; writes still need the key as a header, which a page on
another site cannot send, so no write can be forged through the cookie (CSRF).
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Sequence
from typing import Annotated, Self
from urllib.parse import urlsplit

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from search_api.errors import ApiError
from search_api.settings import ApiSettings, hash_api_key

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="API-Schlüssel (Klartext)."
)
bearer = HTTPBearer(auto_error=False, description="API-Schlüssel als Bearer-Token.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="wissensnetz"'}
SESSION_COOKIE = "wn_sitzung"
SESSION_SECONDS = 8 * 3600  # one working day; the cookie itself ends with the browser session
_TOKEN_VERSION = "v1"
_TOKENS_LOCK = threading.Lock()


def key_matches(key: str, accepted: Sequence[str]) -> bool:
    """Whether ``key`` hashes to one of the accepted digests (constant-time per digest)."""
    digest = hash_api_key(key).encode("ascii")
    found = False
    for candidate in accepted:
        found |= hmac.compare_digest(digest, candidate.lower().encode("ascii", "replace"))
    return found


def presented_key(
    header_key: str | None, credentials: HTTPAuthorizationCredentials | None
) -> str | None:
    """The key from ``X-API-Key`` or, failing that, from a Bearer token."""
    if header_key:
        return header_key
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return credentials.credentials
    return None


def _check(settings: ApiSettings, key: str | None) -> None:
    if not key:
        raise ApiError(
            401,
            "unauthorized",
            "API-Schlüssel fehlt: senden Sie ihn als 'X-API-Key' oder 'Authorization: Bearer'.",
            _CHALLENGE,
        )
    if not key_matches(key, settings.accepted_key_hashes()):
        raise ApiError(401, "unauthorized", "API-Schlüssel ungültig.", _CHALLENGE)


def _settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.services.settings
    return settings


def require_write_key(
    request: Request,
    header_key: Annotated[str | None, Security(api_key_header)] = None,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> None:
    """Dependency of every write route.

    Raises:
        ApiError: 401 without a key or with a wrong one.
    """
    _check(_settings(request), presented_key(header_key, credentials))


def require_read_key(
    request: Request,
    header_key: Annotated[str | None, Security(api_key_header)] = None,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> None:
    """Dependency of every read route; a no-op unless ``require_read_key`` is set.

    A valid session cookie of the web UI counts as a key; a key sent along is still checked.

    Raises:
        ApiError: 401 when keys are required for reads and none or a wrong one is sent.
    """
    settings = _settings(request)
    if not settings.require_read_key:
        return
    key = presented_key(header_key, credentials)
    if key is None and has_session(request, settings):
        return
    _check(settings, key)


WriteAccess = Depends(require_write_key)
ReadAccess = Depends(require_read_key)


class SessionTokens:
    """Signs and checks the web UI's session tokens: ``v1.<expiry>.<hmac>``."""

    def __init__(self, secret: bytes, lifetime_s: int = SESSION_SECONDS) -> None:
        """``secret`` signs every token; whoever knows it can mint sessions."""
        self._secret = secret
        self.lifetime_s = lifetime_s

    @classmethod
    def random(cls) -> Self:
        """Tokens with a fresh 256-bit secret."""
        return cls(secrets.token_bytes(32))

    def issue(self, key_digest: str, now: float) -> str:
        """A token for the key with this digest, valid for ``lifetime_s`` from ``now``."""
        expires = int(now) + self.lifetime_s
        return f"{_TOKEN_VERSION}.{expires}.{self._mac(expires, key_digest.lower())}"

    def valid(self, token: str, accepted: Sequence[str], now: float) -> bool:
        """Whether ``token`` is unexpired and was issued for one of the accepted digests."""
        version, _, rest = token.partition(".")
        expires_text, _, mac = rest.partition(".")
        well_formed = expires_text.isascii() and expires_text.isdigit() and len(expires_text) < 13
        if version != _TOKEN_VERSION or not well_formed:
            return False
        expires = int(expires_text)
        if not now < expires <= now + self.lifetime_s:
            return False
        presented = mac.encode("ascii", "replace")
        found = False
        for digest in accepted:
            expected = self._mac(expires, digest.lower()).encode("ascii")
            found |= hmac.compare_digest(presented, expected)
        return found

    def _mac(self, expires: int, key_digest: str) -> str:
        message = f"{_TOKEN_VERSION}|{expires}|{key_digest}".encode("ascii", "replace")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()


def session_tokens(request: Request) -> SessionTokens:
    """The app's token signer, made on first use (a lock, so two threads agree on it)."""
    state = request.app.state
    with _TOKENS_LOCK:
        tokens: SessionTokens | None = getattr(state, "session_tokens", None)
        if tokens is None:
            tokens = SessionTokens.random()
            state.session_tokens = tokens
    return tokens


def has_session(request: Request, settings: ApiSettings) -> bool:
    """Whether the request carries a valid session cookie of the web UI."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return False
    tokens = session_tokens(request)
    return tokens.valid(token, settings.accepted_key_hashes(), time.time())


def start_session(request: Request, response: Response, key: str) -> bool:
    """Set the session cookie on ``response`` if ``key`` is accepted; ``False`` otherwise.

    HttpOnly keeps the token from scripts, SameSite=Strict from requests other sites start,
    Secure (over HTTPS) from plain-text connections.
    """
    settings = _settings(request)
    if not key or not key_matches(key, settings.accepted_key_hashes()):
        return False
    token = session_tokens(request).issue(hash_api_key(key), time.time())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return True


def end_session(request: Request, response: Response) -> None:
    """Remove the session cookie (with the attributes it was set with)."""
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def same_origin(request: Request) -> bool:
    """Whether a form post comes from a page of this site, judged by what the browser says.

    The rule of Go's ``http.CrossOriginProtection``: ``Sec-Fetch-Site`` decides where the
    browser sends it; older browsers send ``Origin``, which must name this host; a request
    with neither does not come from a browser that another site could steer (curl, tests).
    ``Host`` rather than the scheme is compared, so TLS ending at a proxy does not matter.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")
