"""The rules every link operation checks before it touches the directory."""

from __future__ import annotations

import re

from application.errors import InvalidRequest

_CUSTOMER_ID = re.compile(r"cus_[A-Za-z0-9]{1,250}")
_SEGMENT = re.compile(r"[a-z][a-z0-9_\-]{0,63}")
# Deliberately loose (one '@', no spaces, a dot in the domain): the provider and the mail
# server are the real judges; this catches typos such as a missing '@' or a bare '@'.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check_user_id(user_id: str) -> None:
    if not user_id.strip() or len(user_id) > 255:
        raise InvalidRequest("user id must be 1 to 255 characters", field="user_id")


def check_customer_id(customer_id: str) -> None:
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise InvalidRequest(
            f"{customer_id!r} is not a Stripe customer id (cus_...)", field="customer_id"
        )


def check_segment(segment: str, known_segments: frozenset[str]) -> None:
    """Well-formed, and one of ``known_segments`` when that set is not empty."""
    if not _SEGMENT.fullmatch(segment):
        raise InvalidRequest(
            f"segment {segment!r} must be lower-case letters, digits, '_' or '-' "
            "(at most 64, starting with a letter)",
            field="segment",
        )
    if known_segments and segment not in known_segments:
        known = ", ".join(sorted(known_segments))
        raise InvalidRequest(f"unknown segment {segment!r}; use one of: {known}", field="segment")


def check_email(email: str | None) -> None:
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidRequest(f"{email!r} is not an email address", field="email")
