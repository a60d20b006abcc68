"""A declared portal configuration, with the fields of Stripe's billing_portal.configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Stripe's fixed vocabularies (API reference, billing_portal.configuration).
CUSTOMER_UPDATE_FIELDS = ("email", "address", "shipping", "phone", "tax_id", "name")
CANCELLATION_REASONS = (
    "too_expensive",
    "missing_features",
    "switched_service",
    "unused",
    "customer_service",
    "too_complex",
    "low_quality",
    "other",
)
CANCEL_MODES = ("at_period_end", "immediately")
PRORATION_BEHAVIORS = ("none", "create_prorations", "always_invoice")
SUBSCRIPTION_UPDATES = ("price", "quantity", "promotion_code")
SCHEDULE_CONDITIONS = ("decreasing_item_amount", "shortening_interval")
MAX_PRODUCTS = 10
MAX_LOOKUP_KEY_LENGTH = 200  # Stripe's limit on a price's lookup_key

# Our identity on the provider's object: written by us into its metadata.
NAME_KEY = "portal_catalog_name"
FINGERPRINT_KEY = "portal_catalog_fingerprint"
RESERVED_METADATA_KEYS = (NAME_KEY, FINGERPRINT_KEY)


@dataclass(frozen=True, slots=True)
class BusinessProfile:
    headline: str | None = None
    privacy_policy_url: str | None = None
    terms_of_service_url: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerUpdate:
    enabled: bool = False
    allowed_updates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InvoiceHistory:
    enabled: bool = False


@dataclass(frozen=True, slots=True)
class PaymentMethodUpdate:
    enabled: bool = False


@dataclass(frozen=True, slots=True)
class CancellationReason:
    enabled: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubscriptionCancel:
    enabled: bool = False
    mode: str = "at_period_end"
    proration_behavior: str = "none"
    cancellation_reason: CancellationReason = CancellationReason()


@dataclass(frozen=True, slots=True)
class ProductPrices:
    """A product customers may switch to, and which of its prices they may pick.

    Prices are named by id (``prices``) and/or by Stripe lookup key (``lookup_keys``, the
    file's ``price_lookup_keys``). Stripe's configurations take ids only, so lookup keys
    are resolved (``Catalog.resolve``) before anything is compared or sent.
    """

    product: str
    prices: tuple[str, ...]
    lookup_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubscriptionUpdate:
    enabled: bool = False
    products: tuple[ProductPrices, ...] = ()
    default_allowed_updates: tuple[str, ...] = ()
    proration_behavior: str = "none"
    schedule_at_period_end: tuple[str, ...] = ()  # condition types

    @property
    def price_ids(self) -> tuple[str, ...]:
        """The prices declared by id (lookup keys not included)."""
        return tuple(price for product in self.products for price in product.prices)

    @property
    def price_lookup_keys(self) -> tuple[str, ...]:
        """The prices declared by lookup key, still to be resolved to ids."""
        return tuple(key for product in self.products for key in product.lookup_keys)


@dataclass(frozen=True, slots=True)
class Features:
    customer_update: CustomerUpdate = CustomerUpdate()
    invoice_history: InvoiceHistory = InvoiceHistory()
    payment_method_update: PaymentMethodUpdate = PaymentMethodUpdate()
    subscription_cancel: SubscriptionCancel = SubscriptionCancel()
    subscription_update: SubscriptionUpdate = SubscriptionUpdate()


@dataclass(frozen=True, slots=True)
class PortalConfiguration:
    """One named entry of the catalog: what a customer sent to this portal may do.

    Built by ``parse_catalog``, which guarantees it satisfies Stripe's rules.
    """

    name: str
    business_profile: BusinessProfile = BusinessProfile()
    default_return_url: str | None = None
    features: Features = Features()
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
