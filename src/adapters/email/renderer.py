"""Jinja2 templates for every email the outbox sends (plain text and HTML)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import jinja2

from application.errors import EmailNotRenderable, UnknownEmailTemplate
from application.ports.email_renderer import EmailRenderer, RenderedEmail

TEMPLATES = Path(__file__).parent / "templates"

SUBJECTS = {
    "plan_changed": "Your plan {% if effective == 'period_end' %}will change{% else %}has changed{% endif %}",
    "cancellation_scheduled": "Your subscription is set to end{% if access_until %} on {{ access_until | day }}{% endif %}",
    "cancellation_undone": "Your subscription will continue",
    "subscription_ended": "Your {{ plan }} subscription has ended",
    "trial_ending": "Your {{ plan }} trial ends on {{ trial_end | day }}",
    "payment_method_updated": "Your payment method was updated",
    "payment_failed": "We could not take your payment of {{ amount }}",
}


def _day(value: object) -> str:
    """An ISO timestamp as a date a person reads: ``12 March 2026``."""
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.day} {moment:%B %Y}"


class JinjaEmailRenderer(EmailRenderer):
    """``app_name`` and ``support_address`` reach every template.

    Every template is compiled once, on its first use, and kept: the templates ship with
    the code, so nothing is reloaded (compiling a subject on every message and checking
    each file's modification time were a tenth of sending an email)."""

    def __init__(self, *, app_name: str = "Billing", support_address: str | None = None) -> None:
        self._globals = {"app_name": app_name, "support_address": support_address}
        loader = jinja2.FileSystemLoader(TEMPLATES)
        # Plain text is not HTML: escaping would print "&amp;" to the reader.
        self._text = jinja2.Environment(  # noqa: S701
            loader=loader,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self._html = jinja2.Environment(
            loader=loader, undefined=jinja2.StrictUndefined, autoescape=True, auto_reload=False
        )
        for env in (self._text, self._html):
            env.filters["day"] = _day
        # template name -> (subject, text, html), compiled on first use
        self._compiled: dict[str, tuple[jinja2.Template, jinja2.Template, jinja2.Template]] = {}

    def render(self, template: str, context: Mapping[str, object]) -> RenderedEmail:
        if template not in SUBJECTS:
            raise UnknownEmailTemplate(f"no email template named {template!r}")
        values = {**self._globals, **context}
        try:
            subject, text, html = self._templates(template)
            return RenderedEmail(
                subject=" ".join(subject.render(values).split()),
                text=text.render(values),
                html=html.render(values),
            )
        except jinja2.TemplateError as error:  # e.g. a fact the template needs is missing
            raise EmailNotRenderable(f"email {template!r} cannot be rendered: {error}") from error

    def _templates(self, name: str) -> tuple[jinja2.Template, jinja2.Template, jinja2.Template]:
        compiled = self._compiled.get(name)
        if compiled is None:
            compiled = self._compiled[name] = (
                self._text.from_string(SUBJECTS[name]),
                self._text.get_template(f"{name}.txt"),
                self._html.get_template(f"{name}.html"),
            )
        return compiled
