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
