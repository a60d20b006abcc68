"""The locales Stripe's customer portal accepts."""

from __future__ import annotations

from domain.errors import UnsupportedLocale

STRIPE_PORTAL_LOCALES = frozenset(
    {
        "auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE",
        "en-IN", "en-NZ", "en-SG", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hr",
        "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt",
        "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
    }
)  # fmt: skip


def check_locale(locale: str | None) -> str | None:
    """Return the locale to pass to Stripe, or raise naming the accepted values."""
    if locale is None:
        return None
    if locale not in STRIPE_PORTAL_LOCALES:
        raise UnsupportedLocale(
            f"locale {locale!r} is not one Stripe's portal accepts; use 'auto' or a tag such as "
            "'en', 'fr-CA' or 'pt-BR'",
            field="locale",
        )
    return locale
