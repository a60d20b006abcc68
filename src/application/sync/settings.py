"""The knobs of the sync: ordering, retries, emails, drift detection."""

from __future__ import annotations

from dataclasses import dataclass

from domain.catalog.model import FINGERPRINT_KEY, NAME_KEY


@dataclass(frozen=True, slots=True)
class SyncSettings:
    always_refetch: bool = False  # read every object from the provider instead of the payload
    max_attempts: int = 8  # failed attempts before an event or an email is parked
    backoff_base_seconds: int = 30
    backoff_cap_seconds: int = 3600
    # A claim not renewed for this long is another worker's to take (a worker renews its
    # claims every lease_seconds / 3 while a batch runs; a crash delays them this long).
    lease_seconds: int = 30
    billing_page_url: str = "http://localhost:8000/billing"
    catalog_name_key: str = NAME_KEY  # the metadata keys `configs apply` writes
    catalog_fingerprint_key: str = FINGERPRINT_KEY


@dataclass(frozen=True, slots=True)
class AutoLinkSettings:
    """Automatic linking from Stripe's events; both sources are off unless switched on."""

    from_checkout: bool = False  # checkout.session.completed: client_reference_id = user id
    from_metadata: bool = False  # customer.created/updated: metadata names the user id
    user_id_key: str = "app_user_id"  # metadata key holding the app's user id
    segment_key: str = "segment"  # metadata key (customer or checkout session) for the segment
    # The segment of an automatic link whose metadata names none; None: such links are refused.
    default_segment: str | None = None
