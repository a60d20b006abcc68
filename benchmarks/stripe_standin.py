"""A minimal Stripe stand-in for ``POST /v1/billing_portal/sessions``, on loopback.

``python -m benchmarks.stripe_standin PORT``: one asyncio process, HTTP/1.1 keep-alive,
answers every request with a portal session object, at once or after the delay set by
``POST /_standin/delay?ms=N`` (Stripe's latency, for the 200 ms scenario). It does no
other work, so it is never the bottleneck of a portal benchmark.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from urllib.parse import parse_qs, urlsplit

_ids = itertools.count()
_delay = {"seconds": 0.0}


def _session_body() -> bytes:
    n = next(_ids)
    return json.dumps(
        {
            "id": f"bps_standin_{n}",
            "object": "billing_portal.session",
            "created": int(time.time()),
            "livemode": False,
            "url": f"https://billing.stripe.test/p/session/standin_{n}",
        }
    ).encode()


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            length = 0
            for line in header_lines:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            target = request_line.split(" ")[1]
            if target.startswith("/_standin/delay"):
                ms = float(parse_qs(urlsplit(target).query).get("ms", ["0"])[0])
                _delay["seconds"] = ms / 1000
                body = b"{}"
            else:
                if _delay["seconds"]:
                    await asyncio.sleep(_delay["seconds"])
                body = _session_body()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Request-Id: req_standin\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve(port: int) -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
