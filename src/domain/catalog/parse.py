"""Build a validated ``Catalog`` from the catalog file's plain data (already parsed TOML)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from domain.catalog.catalog import Catalog
from domain.catalog.features import read_features
from domain.catalog.model import RESERVED_METADATA_KEYS, BusinessProfile, PortalConfiguration
from domain.catalog.problems import CatalogError, CatalogProblem
from domain.catalog.reader import FieldReader

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_TOP_LEVEL = ("defaults", "configurations")
_CONFIGURATION_KEYS = ("business_profile", "default_return_url", "features", "metadata")
_PROFILE_KEYS = ("headline", "privacy_policy_url", "terms_of_service_url")
# Stripe: at most 50 metadata keys of up to 40 characters, values of up to 500.
_MAX_METADATA_KEYS = 50 - len(RESERVED_METADATA_KEYS)


def parse_catalog(data: Mapping[str, object], *, source: str) -> Catalog:
    """Validate every configuration and return the catalog, or raise ``CatalogError``.

    ``[defaults]`` is merged under every configuration (tables merge, other values are
    replaced). All problems are collected, not only the first.
    """
    top = FieldReader(source, None)
    top.known_keys(data, _TOP_LEVEL, "")
    defaults = top.table(data, "defaults", "defaults")
    declared = top.table(data, "configurations", "configurations")
    if not declared and isinstance(data.get("configurations", {}), Mapping):
        top.problem("configurations", "declare at least one [configurations.NAME] table")
    problems: list[CatalogProblem] = list(top.problems)
    configurations: list[PortalConfiguration] = []
    for name, body in declared.items():
        reader = FieldReader(source, name)
        if not _NAME.fullmatch(name):
            reader.problem("", "the name must be 1-40 lowercase letters, digits, '_' or '-'")
        if isinstance(body, Mapping):
            configurations.append(_configuration(reader, name, _merge(defaults, body)))
        else:
            reader.problem("", "must be a table")
        problems.extend(reader.problems)
    if problems:
        raise CatalogError(problems)
    return Catalog(configurations, source=source)


def _configuration(r: FieldReader, name: str, data: Mapping[str, object]) -> PortalConfiguration:
    r.known_keys(data, _CONFIGURATION_KEYS, "")
    profile = r.table(data, "business_profile", "business_profile")
    r.known_keys(profile, _PROFILE_KEYS, "business_profile.")
    return PortalConfiguration(
        name=name,
        business_profile=BusinessProfile(
            headline=r.text(profile, "headline", "business_profile.headline"),
            privacy_policy_url=r.url(
                profile, "privacy_policy_url", "business_profile.privacy_policy_url"
            ),
            terms_of_service_url=r.url(
                profile, "terms_of_service_url", "business_profile.terms_of_service_url"
            ),
        ),
        default_return_url=r.url(data, "default_return_url", "default_return_url"),
        features=read_features(r, r.table(data, "features", "features")),
        metadata=_metadata(r, r.table(data, "metadata", "metadata")),
    )


def _metadata(r: FieldReader, data: Mapping[str, object]) -> Mapping[str, str]:
    if len(data) > _MAX_METADATA_KEYS:
        r.problem("metadata", f"has {len(data)} keys; at most {_MAX_METADATA_KEYS} are allowed")
    kept: dict[str, str] = {}
    for key, value in data.items():
        path = f"metadata.{key}"
        if key in RESERVED_METADATA_KEYS:
            r.problem(path, "is reserved: the catalog writes it to identify the configuration")
        elif len(key) > 40 or "[" in key or "]" in key:
            r.problem(path, "keys are at most 40 characters, without square brackets")
        elif not isinstance(value, str) or not value or len(value) > 500:
            r.problem(path, "must be a non-empty string of at most 500 characters")
        else:
            kept[key] = value
    return MappingProxyType(kept)


def _merge(defaults: Mapping[str, object], body: Mapping[str, object]) -> dict[str, object]:
    merged = dict(defaults)
    for key, value in body.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = _merge(base, value)
        else:
            merged[key] = value
    return merged
