"""Writing an answer in the routes served as plain ASGI (webhooks, the billing fast path),
as Litestar and the request-id wrapper would: the content type and length, any headers of
a problem, and the request id echoed last (replacing one the problem named)."""

from __future__ import annotations

from collections.abc import Mapping

from litestar.plugins.problem_details import ProblemDetailsException
from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Send

from entrypoints.http.problems import problem_document

JSON = b"application/json"
PROBLEM_JSON = b"application/problem+json"


async def send_answer(
    send: Send,
    status: int,
    media_type: bytes,
    body: bytes,
    echoed: tuple[bytes, bytes],
    extra: Mapping[str, str] | None = None,
) -> int:
    """Send the answer; returns its status. ``echoed``: the request id header."""
    headers = [(b"content-type", media_type), (b"content-length", b"%d" % len(body))]
    if extra:
        headers += [
            (name, v.encode("latin-1"))
            for k, v in extra.items()
            if (name := k.lower().encode("latin-1")) != echoed[0]
        ]
    headers.append(echoed)
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)
    return status


async def send_problem(
    send: Send, problem: ProblemDetailsException, echoed: tuple[bytes, bytes]
) -> int:
    """The problem details as Litestar's ProblemDetailsPlugin writes them."""
    body = problem_document(problem)
    return await send_answer(send, problem.status_code, PROBLEM_JSON, body, echoed, problem.headers)
