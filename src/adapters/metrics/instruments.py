"""Every instrument the service records, on the process's default registry.

Names follow Prometheus conventions (``_total`` is added to counters, ``_seconds`` for
durations). Labels have bounded values: route templates, Stripe path templates, event
types (the signature is verified first), decision reasons and configured segments.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PORTAL_ACCESS = Counter(
    "billing_portal_portal_access",
    "Portal access attempts by outcome (portal, redirect, refused), reason and segment",
    ["outcome", "reason", "segment"],
)
CUSTOMER_LINK_CHANGES = Counter(
    "billing_portal_customer_link_changes",
    "Changes to customer links by action (link, relink, unlink, segment, refused), actor "
    "(cli, api_key, stripe:checkout, stripe:metadata) and refusal reason (none otherwise)",
    ["action", "actor", "reason"],
)
STRIPE_REQUESTS = Counter(
    "billing_portal_stripe_requests",
    "Calls to Stripe's API (retries included) by operation and result",
    ["operation", "result"],
)
STRIPE_DURATION = Histogram(
    "billing_portal_stripe_request_duration_seconds",
    "Duration of a call to Stripe's API, its network retries included",
    ["operation"],
)
WEBHOOKS = Counter(
    "billing_portal_webhooks",
    "Webhook deliveries by event type and result (stored, duplicate, rejected_signature, "
    "rejected_event, failed)",
    ["type", "result"],
)
EVENTS = Counter(
    "billing_portal_events",
    "Inbox events handled by the workers, by outcome (processed, ignored, retrying, parked)",
    ["outcome"],
)
EMAILS = Counter(
    "billing_portal_emails",
    "Outbox emails handled by the workers, by outcome (sent, retrying, parked)",
    ["outcome"],
)
WORKER_BATCH_DURATION = Histogram(
    "billing_portal_worker_batch_duration_seconds",
    "Duration of one worker batch (claim and handle up to PORTAL_WORKER_BATCH_SIZE items)",
    ["queue"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
EVENT_LAG = Histogram(
    "billing_portal_event_processing_lag_seconds",
    "From a webhook's arrival to the end of the worker's attempt at it, by outcome",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
WORKER_BATCH_ITEMS = Counter(
    "billing_portal_worker_batch_items",
    "Items claimed by worker batches (divide the batch duration's sum by it for the mean "
    "time per item)",
    ["queue"],
)
HTTP_DURATION = Histogram(
    "billing_portal_http_request_duration_seconds",
    "HTTP request duration by method, route template and status class",
    ["method", "route", "status"],
)
