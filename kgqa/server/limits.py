"""A per-client concurrency limit on the SPARQL endpoint.

Each query holds a worker (a core) until it ends or times out, so one anonymous
client sending many slow queries at once could take every core. :class:`ClientLimit`
counts the ``/sparql`` requests in flight per client address and answers 429 (with
``Retry-After``) past the limit; a client that waits for its answers never meets it.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import PlainTextResponse

Scope = dict[str, Any]


class ClientLimit:
    """ASGI middleware: at most ``limit`` requests to ``path`` in flight per client address (0: no limit)."""

    def __init__(self, app: Any, limit: int, path: str = "/sparql") -> None:
        self.app = app
        self.limit = limit
        self.path = path
        #: Requests in flight per client address (the event loop is the only writer).
        self.active: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        if self.active.get(client, 0) >= self.limit:
            refusal = PlainTextResponse(
                f"too many queries at once from {client}: at most {self.limit} in flight per client; retry when one is answered\n",
                status_code=429,
                headers={"Retry-After": "1"},
            )
            await refusal(scope, receive, send)
            return
        self.active[client] = self.active.get(client, 0) + 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self.active[client] -= 1
                if not self.active[client]:
                    del self.active[client]

        async def send_releasing(message: dict[str, Any]) -> None:
            # Free the slot before the last bytes go out: a client that sends its next query as soon as it
            # has read an answer would otherwise find the old one still counted (the event loop may serve
            # its new request before this coroutine resumes after the final send).
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_releasing)
        finally:
            release()
