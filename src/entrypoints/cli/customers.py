"""``billing-portal customers link|show``."""

from __future__ import annotations

import click

from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.customers.show_customer import CustomerView, ShowCustomer
from entrypoints.cli.render import decision_line, subscription_line
from entrypoints.cli.runtime import run_use_case


@click.group()
def customers() -> None:
    """Links between app users and Stripe customers."""


@customers.command()
@click.argument("user_id")
@click.argument("customer_id")
@click.option("--segment", required=True, help="Customer segment (see PORTAL_SEGMENTS).")
@click.option("--email", help="The customer's email address.")
@click.pass_context
def link(
    ctx: click.Context, user_id: str, customer_id: str, segment: str, email: str | None
) -> None:
    """Link app user USER_ID to Stripe customer CUSTOMER_ID (cus_...)."""
    request = LinkCustomerRequest(user_id, customer_id, segment, email)
    customer = run_use_case(ctx, LinkCustomer, lambda uc: uc.execute(request))
    click.echo(
        f"linked user {customer.user_id} to {customer.stripe_customer_id} "
        f"(segment {customer.segment})"
    )


@customers.command()
@click.argument("user_id")
@click.pass_context
def show(ctx: click.Context, user_id: str) -> None:
    """Show USER_ID's link, subscriptions and the portal decision taken now, and why."""
    view: CustomerView = run_use_case(ctx, ShowCustomer, lambda uc: uc.execute(user_id))
    customer = view.customer
    click.echo(f"user:      {customer.user_id}")
    click.echo(f"customer:  {customer.stripe_customer_id or '-'}")
    click.echo(f"segment:   {customer.segment}")
    click.echo(f"email:     {customer.email or '-'}")
    click.echo(f"subscriptions ({len(view.subscriptions)}):")
    for sub in view.subscriptions:
        click.echo(subscription_line(sub))
    click.echo(f"decision:  {decision_line(view.decision)}")
