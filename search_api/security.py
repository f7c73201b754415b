"""API keys: sent as ``X-API-Key`` or ``Authorization: Bearer``, stored only as sha256 digests.

Writes always need a key; reads only when ``require_read_key`` is set. A presented key is
hashed and compared with every accepted digest by ``hmac.compare_digest`` (no early exit),
so neither the comparison nor the number of configured keys shows in the timing.
"""

import hmac
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from search_api.errors import ApiError
from search_api.settings import ApiSettings, hash_api_key

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="API-Schlüssel (Klartext)."
)
bearer = HTTPBearer(auto_error=False, description="API-Schlüssel als Bearer-Token.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="wissensnetz"'}


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

    Raises:
        ApiError: 401 when keys are required for reads and none or a wrong one is sent.
    """
    settings = _settings(request)
    if settings.require_read_key:
        _check(settings, presented_key(header_key, credentials))


WriteAccess = Depends(require_write_key)
ReadAccess = Depends(require_read_key)
