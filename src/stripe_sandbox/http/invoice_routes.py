"""The hosted invoice page (``hosted_invoice_url``), its PDF, and its pay form.

``POST /invoices/{id}/pay`` takes ``card_number``, ``expiry`` (``MM / YY``), ``cvc`` and
the page's ``token``. A payment redirects back to the page (Post/Redirect/Get) with a
confirmation; a forged token gets 403, invalid input 400, a declined card 402 and an invoice
that is no longer open 409, each re-rendering the page with the reason and changing nothing.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_404_NOT_FOUND

from ..errors import CardDeclined, SandboxError
from ..invoice_payments import FormExpired
from ..money import format_amount
from ..portal.cards import card_params
from ..portal.context import PortalRefusal
from ..store import SandboxStore
from . import pages

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
EXPIRED = "This form has expired or did not come from this page. Reload and try again."


def _html(body: str, status: int = 200) -> Response[Any]:
    return Response(body, status_code=status, media_type="text/html", headers=HEADERS)


def _missing() -> Response[Any]:
    return Response("Invoice not found", status_code=HTTP_404_NOT_FOUND, media_type="text/plain")


def invoice_handlers(store: SandboxStore, business: str) -> list[HTTPRouteHandler]:
    """The hosted invoice page's route handlers, bound to ``store``."""

    def page(invoice_id: str, status: int = 200, **outcome: str | None) -> Response[Any]:
        found = store.hosted_invoice(invoice_id)
        if found is None:
            return _missing()
        invoice, token = found
        return _html(pages.invoice_html(invoice, business, token, **outcome), status)

    def pay(invoice_id: str, form: dict[str, str]) -> Response[Any]:
        found = store.hosted_invoice(invoice_id)
        if found is None:
            return _missing()
        invoice, token = found
        if not hmac.compare_digest(form.get("token", ""), token):
            return page(invoice_id, 403, error=EXPIRED)
        if invoice["status"] != "open":
            return page(invoice_id, 409, error=f"This invoice is {invoice['status']}.")
        try:
            card = card_params(form, store.now())
            store.pay_invoice_with_card(invoice_id, form["token"], card)
        except PortalRefusal as refusal:
            return page(invoice_id, 400, error=refusal.message)
        except FormExpired:
            return page(invoice_id, 403, error=EXPIRED)
        except CardDeclined as declined:
            return page(invoice_id, 402, error=declined.message)
        except SandboxError as error:
            return page(invoice_id, error.status, error=error.message)
        location = f"/invoices/{invoice_id}?message=paid"
        return Response(b"", status_code=303, headers={**HEADERS, "Location": location})

    @get("/invoices/{invoice_id:str}", include_in_schema=False)
    async def invoice_page(
        invoice_id: FromPath[str], message: FromQuery[str | None] = None
    ) -> Response[Any]:
        def render() -> Response[Any]:
            found = store.hosted_invoice(invoice_id)
            if found is None:
                return _missing()
            invoice, token = found
            notice = None
            if message == "paid" and invoice["status"] == "paid":
                amount = format_amount(invoice["amount_paid"], invoice["currency"])
                notice = f"Your payment of {amount} was successful."
            return _html(pages.invoice_html(invoice, business, token, notice=notice))

        return await anyio.to_thread.run_sync(render)

    @post("/invoices/{invoice_id:str}/pay", include_in_schema=False)
    async def pay_invoice(
        invoice_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        body = (await request.body()).decode("utf-8", errors="replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        return await anyio.to_thread.run_sync(pay, invoice_id, form)

    @get("/invoices/{invoice_id:str}/pdf", include_in_schema=False)
    async def invoice_pdf(invoice_id: FromPath[str]) -> Response[bytes]:
        invoice = await anyio.to_thread.run_sync(pages.find_invoice, store, invoice_id)
        if invoice is None:
            return Response(
                b"Invoice not found", status_code=HTTP_404_NOT_FOUND, media_type="text/plain"
            )
        return Response(
            pages.invoice_pdf(invoice, business),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{invoice_id}.pdf"'},
        )

    return [invoice_page, pay_invoice, invoice_pdf]
