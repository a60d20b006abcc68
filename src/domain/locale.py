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


# Language tags are case-insensitive (RFC 5646): "fr-ca" is Stripe's "fr-CA".
_BY_LOWER = {tag.lower(): tag for tag in STRIPE_PORTAL_LOCALES}


def check_locale(locale: str | None) -> str | None:
    """The locale to pass to Stripe, in Stripe's spelling; raise naming the accepted values."""
    if locale is None:
        return None
    canonical = _BY_LOWER.get(locale.lower())
    if canonical is None:
        raise UnsupportedLocale(
            f"locale {locale!r} is not one Stripe's portal accepts; use 'auto' or a tag such as "
            "'en', 'fr-CA' or 'pt-BR'",
            field="locale",
        )
    return canonical
