"""The email templates as the customer reads them (plain text and HTML)."""

from __future__ import annotations

from adapters.email.renderer import JinjaEmailRenderer


def test_cancellation_undone_says_the_subscription_continues_and_when_it_renews() -> None:
    renderer = JinjaEmailRenderer(app_name="Acme", support_address="help@acme.test")

    rendered = renderer.render(
        "cancellation_undone",
        {"plan": "Pro & Team", "renews_at": "2026-12-15T12:00:00+00:00", "event_id": "evt_1"},
    )

    assert rendered.subject == "Your subscription will continue"
    assert "Your subscription will continue" in rendered.text
    assert "Your next renewal is on 15 December 2026, on the Pro & Team plan" in rendered.text
    assert "Pro &amp; Team" in rendered.html  # escaped in HTML, never in plain text
    assert "15 December 2026" in rendered.html
    assert "help@acme.test" in rendered.html
    assert rendered.text.rstrip().endswith("-- Acme")


def test_cancellation_undone_without_a_known_renewal_date() -> None:
    rendered = JinjaEmailRenderer().render(
        "cancellation_undone", {"plan": "Basic", "renews_at": None, "event_id": "evt_2"}
    )

    assert (
        "Your next renewal is at the end of the current period, on the Basic plan" in rendered.text
    )


def test_each_template_is_compiled_once_and_then_reused(monkeypatch) -> None:
    import jinja2

    compiled: list[str] = []
    original = jinja2.Environment.from_string

    def counting(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(source)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", counting)
    renderer = JinjaEmailRenderer()
    facts = {"plan": "Basic", "renews_at": None, "event_id": "evt_3"}
    first = renderer.render("cancellation_undone", facts)
    again = renderer.render("cancellation_undone", {**facts, "plan": "Pro"})

    assert len(compiled) == 1  # the subject, compiled on first use only
    assert first.subject == again.subject == "Your subscription will continue"
    assert "Pro plan" in again.text
    assert "Basic plan" in first.text
