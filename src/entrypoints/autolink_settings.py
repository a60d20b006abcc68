"""Automatic linking from Stripe, read from the PORTAL_AUTOLINK_* variables (off by default)."""

from __future__ import annotations

from collections.abc import Collection

from application.sync.settings import AutoLinkSettings
from entrypoints.env import EnvReader

_ON, _OFF = ("1", "true", "yes"), ("0", "false", "no")
_METADATA_KEY_MAX = 40  # Stripe's limit on a metadata key's length
_DEFAULTS = AutoLinkSettings()


def _switch(env: EnvReader, name: str) -> bool:
    value = (env.raw(name) or "0").lower()
    if value not in _ON + _OFF:
        env.problem(name, f"{value!r} must be 1 (on) or 0 (off)")
        return False
    return value in _ON


def _metadata_key(env: EnvReader, name: str, default: str) -> str:
    key = env.text(name, default)
    if len(key) > _METADATA_KEY_MAX or "[" in key or "]" in key:
        env.problem(name, f"{key!r} is not a Stripe metadata key (at most 40 characters, no [ ])")
    return key


def read_autolink_settings(env: EnvReader, segments: Collection[str]) -> AutoLinkSettings:
    """``segments``: the policy's segments (PORTAL_SEGMENTS); the default must be one."""
    user_id_key = _metadata_key(env, "PORTAL_AUTOLINK_USER_ID_KEY", _DEFAULTS.user_id_key)
    segment_key = _metadata_key(env, "PORTAL_AUTOLINK_SEGMENT_KEY", _DEFAULTS.segment_key)
    if user_id_key == segment_key:
        env.problem("PORTAL_AUTOLINK_SEGMENT_KEY", "must differ from PORTAL_AUTOLINK_USER_ID_KEY")
    default_segment = env.raw("PORTAL_AUTOLINK_DEFAULT_SEGMENT")
    if default_segment is not None and default_segment not in segments:
        known = ", ".join(sorted(segments))
        env.problem(
            "PORTAL_AUTOLINK_DEFAULT_SEGMENT",
            f"{default_segment!r} is not a segment of PORTAL_SEGMENTS ({known})",
        )
    return AutoLinkSettings(
        from_checkout=_switch(env, "PORTAL_AUTOLINK_CHECKOUT"),
        from_metadata=_switch(env, "PORTAL_AUTOLINK_METADATA"),
        user_id_key=user_id_key,
        segment_key=segment_key,
        default_segment=default_segment,
    )
