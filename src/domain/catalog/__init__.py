"""The portal configuration catalog: configurations as code, validated against Stripe's rules.

Pure: parse plain data (``parse_catalog``), replace prices named by lookup key with the
ids the provider gave for them (``Catalog.resolve``), turn an entry into Stripe parameters
(``to_stripe_params``, ``fingerprint``) and plan what to change at the provider
(``plan_catalog``). Fingerprints, parameters and plans are meant for a resolved catalog.
"""

from domain.catalog.catalog import Catalog
from domain.catalog.diff import FieldChange, diff_fields
from domain.catalog.model import FINGERPRINT_KEY, NAME_KEY, PortalConfiguration
from domain.catalog.parse import parse_catalog
from domain.catalog.plan import Plan, PlanAction, PlannedChange, plan_catalog
from domain.catalog.problems import CatalogError, CatalogProblem
from domain.catalog.stripe_params import fingerprint, to_stripe_params, update_params

__all__ = [
    "FINGERPRINT_KEY",
    "NAME_KEY",
    "Catalog",
    "CatalogError",
    "CatalogProblem",
    "FieldChange",
    "Plan",
    "PlanAction",
    "PlannedChange",
    "PortalConfiguration",
    "diff_fields",
    "fingerprint",
    "parse_catalog",
    "plan_catalog",
    "to_stripe_params",
    "update_params",
]
