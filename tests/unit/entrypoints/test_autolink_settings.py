"""The PORTAL_AUTOLINK_* variables: off by default, keys and the default segment checked."""

from __future__ import annotations

import pytest

from application.sync.settings import AutoLinkSettings
from entrypoints.settings import SettingsError, load_settings


def test_automatic_linking_is_off_unless_switched_on() -> None:
    assert load_settings({}).auto_link == AutoLinkSettings(from_checkout=False, from_metadata=False)


def test_every_autolink_variable_is_read() -> None:
    settings = load_settings(
        {
            "PORTAL_AUTOLINK_CHECKOUT": "1",
            "PORTAL_AUTOLINK_METADATA": "true",
            "PORTAL_AUTOLINK_USER_ID_KEY": "uid",
            "PORTAL_AUTOLINK_SEGMENT_KEY": "tier",
            "PORTAL_AUTOLINK_DEFAULT_SEGMENT": "b2b",
        }
    )
    assert settings.auto_link == AutoLinkSettings(
        from_checkout=True,
        from_metadata=True,
        user_id_key="uid",
        segment_key="tier",
        default_segment="b2b",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PORTAL_AUTOLINK_METADATA": "sometimes"},
            "PORTAL_AUTOLINK_METADATA: 'sometimes' must be 1",
        ),
        ({"PORTAL_AUTOLINK_USER_ID_KEY": "k" * 41}, "PORTAL_AUTOLINK_USER_ID_KEY: "),
        (
            {"PORTAL_AUTOLINK_SEGMENT_KEY": "app_user_id"},
            "must differ from PORTAL_AUTOLINK_USER_ID_KEY",
        ),
        (
            {"PORTAL_AUTOLINK_DEFAULT_SEGMENT": "gold"},
            "PORTAL_AUTOLINK_DEFAULT_SEGMENT: 'gold' is not a segment of PORTAL_SEGMENTS",
        ),
    ],
)
def test_a_bad_autolink_variable_stops_start_up_naming_it(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)
