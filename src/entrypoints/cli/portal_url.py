"""``billing-portal portal-url``: a portal link for support staff, by the same rules."""

from __future__ import annotations

import click

from application.open_portal import OpenBillingPortal, OpenPortalRequest
from domain.portal_flow import FlowRequest, FlowType
from entrypoints.cli.runtime import run_use_case


@click.command("portal-url")
@click.argument("user_id")
@click.option("--flow", type=click.Choice([f.value for f in FlowType]), help="Deep link.")
@click.option("--subscription", help="Subscription the flow acts on (sub_...).")
@click.option("--price", help="Target price for subscription_update_confirm (price_...).")
@click.option("--return-path", help="Allow-listed path to return to (PORTAL_RETURN_PATHS).")
@click.option("--locale", help="Portal locale (auto, en, fr-CA ...).")
@click.pass_context
def portal_url(
    ctx: click.Context,
    user_id: str,
    flow: str | None,
    subscription: str | None,
    price: str | None,
    return_path: str | None,
    locale: str | None,
) -> None:
    """Open a portal session for USER_ID; print its URL, or where the user must go instead."""
    if flow is None and (subscription or price):
        raise click.UsageError("--subscription and --price need --flow")
    request = OpenPortalRequest(
        user_id=user_id,
        return_path=return_path,
        flow=FlowRequest(FlowType(flow), subscription, price) if flow else None,
        locale=locale,
        channel="cli",
        rate_limited=False,
    )
    result = run_use_case(ctx, OpenBillingPortal, lambda uc: uc.execute(request))
    reason = result.decision.reason.value
    if result.url is not None:
        click.echo(result.url)
        click.echo(f"configuration {result.configuration} ({reason})", err=False)
    else:
        click.echo(f"no portal: redirect to {result.redirect_to} ({reason})")
