"""CSRF protection for every state-changing request (POST and the like) the server accepts.

A web page on another site can make a visitor's browser POST to ``127.0.0.1:8085``
(a plain HTML form needs no permission). What tells such a request apart:

* browsers label every request they send: ``Sec-Fetch-Site`` (``same-origin``,
  ``same-site``, ``cross-site``, ``none``) and, on POSTs, ``Origin``;
* a page on another origin cannot read ours, so it cannot know the per-server token
  that our page carries in ``<meta name="kgqa-csrf">`` and sends back as the
  ``X-Kgqa-Csrf`` header (a plain form cannot set headers at all).

So a request that carries a browser's labels must come from our own origin *and*
carry the token; one without them (``curl``, httpx, SPARQLWrapper: programs that send
no ambient credentials a forged request could abuse) goes through as before, so
existing API clients keep working unchanged. Refusals are 403 with a one-line reason.

Example:
    >>> csrf_refusal("POST", {"origin": "https://evil.example", "host": "127.0.0.1:8085"}, "t")
    'cross-origin request refused: Origin https://evil.example is not this server'
    >>> csrf_refusal("POST", {}, "t") is None  # a program, not a browser
    True
    >>> csrf_refusal("POST", {"sec-fetch-site": "same-origin", "x-kgqa-csrf": "t"}, "t") is None
    True
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: The header our page sends the token in.
CSRF_HEADER = "x-kgqa-csrf"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_token() -> str:
    """A fresh per-server token (it only has to be unguessable by other sites)."""
    return secrets.token_urlsafe(32)


def csrf_refusal(method: str, headers: Mapping[str, str], token: str) -> str | None:
    """Why a request must be refused, or ``None`` when it may go on (see the module docs)."""
    if method.upper() in _SAFE_METHODS:
        return None
    site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    if site is None and origin is None:
        return None
    if site is not None and site != "same-origin":
        return f"cross-site request refused (Sec-Fetch-Site: {site})"
    if origin is not None and urlsplit(origin).netloc != headers.get("host", ""):
        return f"cross-origin request refused: Origin {origin} is not this server"
    if not hmac.compare_digest(headers.get(CSRF_HEADER, "").encode(), token.encode()):
        return f"missing or wrong CSRF token: a browser must send the page's token in {CSRF_HEADER}"
    return None


class CSRFMiddleware:
    """ASGI middleware applying :func:`csrf_refusal` to every HTTP request."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = csrf_refusal(scope["method"], Headers(scope=scope), self.token)
            if reason is not None:
                await PlainTextResponse(reason + "\n", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
