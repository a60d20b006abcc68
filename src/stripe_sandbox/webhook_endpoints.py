"""Webhook endpoints: from the API (``POST /v1/webhook_endpoints``) or from settings.

The signing secret (``whsec_...``) is returned only by create, as on Stripe. Endpoints
configured at start-up carry ``metadata[sandbox_configured]=true``; :func:`sync_configured`
makes the stored set match the settings on every start.
"""

from __future__ import annotations

import secrets
from typing import Any

from .errors import InvalidRequest
from .ledger import Ledger
from .objects import API_VERSION, blank, deleted, new_id
from .params import Params, array, boolean, merge_metadata, require, text

CONFIGURED = "sandbox_configured"


def create(ledger: Ledger, params: Params, secret: str | None = None) -> dict[str, Any]:
    """Create an endpoint; the reply (only this one) includes ``secret``."""
    endpoint = blank("webhook_endpoint")
    endpoint.update(id=new_id("we"), created=ledger.now, api_version=API_VERSION)
    endpoint["url"] = _url(params)
    events = [str(e) for e in array(params, "enabled_events")]
    if not events:
        raise InvalidRequest("Missing required param: enabled_events.", param="enabled_events")
    endpoint["enabled_events"] = events
    endpoint["description"] = text(params, "description")
    endpoint["metadata"] = merge_metadata({}, params)
    ledger.put(endpoint)
    secret = secret or "whsec_" + secrets.token_hex(24)
    ledger.state.webhook_secrets[endpoint["id"]] = secret
    return {**endpoint, "secret": secret}


def update(ledger: Ledger, endpoint_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/webhook_endpoints/{id}``: url, enabled_events, disabled, description."""
    endpoint = ledger.get("webhook_endpoint", endpoint_id)
    if "url" in params:
        endpoint["url"] = _url(params)
    if "enabled_events" in params:
        endpoint["enabled_events"] = [str(e) for e in array(params, "enabled_events")]
    if "disabled" in params:
        endpoint["status"] = "disabled" if boolean(params, "disabled") else "enabled"
    if "description" in params:
        endpoint["description"] = text(params, "description")
    if "metadata" in params:
        endpoint["metadata"] = merge_metadata(endpoint["metadata"], params)
    return endpoint


def delete(ledger: Ledger, endpoint_id: str) -> dict[str, Any]:
    """``DELETE /v1/webhook_endpoints/{id}``; pending deliveries to it are dropped."""
    ledger.get("webhook_endpoint", endpoint_id)
    del ledger.state.table("webhook_endpoint")[endpoint_id]
    ledger.state.webhook_secrets.pop(endpoint_id, None)
    for deliveries in ledger.state.deliveries.values():
        deliveries.pop(endpoint_id, None)
    return deleted("webhook_endpoint", endpoint_id)


def sync_configured(ledger: Ledger, configured: list[tuple[str, str]]) -> None:
    """Make the settings-defined endpoints exactly ``configured`` (url, secret) pairs."""
    wanted = dict(configured)
    table = ledger.state.table("webhook_endpoint")
    for endpoint in list(table.values()):
        if endpoint["metadata"].get(CONFIGURED) != "true":
            continue
        if endpoint["url"] in wanted:
            ledger.state.webhook_secrets[endpoint["id"]] = wanted.pop(endpoint["url"])
        else:
            delete(ledger, endpoint["id"])
    for url, secret in wanted.items():
        create(
            ledger,
            {
                "url": url,
                "enabled_events": ["*"],
                "metadata": {CONFIGURED: "true"},
                "description": "Configured in the sandbox settings",
            },
            secret=secret,
        )


def _url(params: Params) -> str:
    url = str(require(params, "url"))
    if not url.startswith(("http://", "https://")):
        raise InvalidRequest(f"Invalid URL: {url}", param="url")
    return url
