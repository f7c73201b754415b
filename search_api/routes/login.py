"""Sign-in of the web UI when reads need a key: the key is traded for a session cookie.

The key travels once, in the body of a form post, and is never echoed, logged or put in an
address; the cookie holds a signed token (see :mod:`search_api.security`). These routes are
reachable without a key, since they are how a browser gets one.
"""

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from search_api.errors import ApiError
from search_api.routes.pages import render
from search_api.security import end_session, has_session, same_origin, start_session

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")
Target = Annotated[str, Query(max_length=2000)]


def local_target(target: str) -> str:
    """``target`` if it is a path on this site, else ``/`` (no redirect to other hosts)."""
    return target if _LOCAL_PATH.fullmatch(target) else "/"


def _refuse_cross_site(request: Request) -> None:
    if not same_origin(request):
        raise ApiError(
            403, "forbidden", "Nur über die Formulare dieser Seite möglich (fremde Herkunft)."
        )


@router.get("/anmelden", response_class=HTMLResponse)
def login_page(request: Request, weiter: Target = "/") -> HTMLResponse:
    """The key prompt, also shown in place of any page a browser may not read yet."""
    signed_in = has_session(request, request.app.state.services.settings)
    return render(
        request, "login.html", active="login", weiter=local_target(weiter), signed_in=signed_in
    )


@router.post("/anmelden", response_class=HTMLResponse)
def login(
    request: Request,
    schluessel: Annotated[str, Form(max_length=1000)] = "",
    weiter: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the key; on success set the cookie and go on to the page the user wanted.

    Raises:
        ApiError: 403 for a post started by another site (login CSRF).
    """
    _refuse_cross_site(request)
    target = local_target(weiter)
    response = RedirectResponse(target, status_code=303)
    if start_session(request, response, schluessel.strip()):
        logger.info("web UI session started")
        return response
    message = "API-Schlüssel fehlt." if not schluessel.strip() else "API-Schlüssel ungültig."
    return render(
        request, "login.html", status_code=401, active="login", weiter=target, error=message
    )


@router.post("/abmelden")
def logout(request: Request) -> RedirectResponse:
    """Remove the session cookie.

    Raises:
        ApiError: 403 for a post started by another site.
    """
    _refuse_cross_site(request)
    response = RedirectResponse("/anmelden", status_code=303)
    end_session(request, response)
    return response
