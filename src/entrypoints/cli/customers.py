"""``billing-portal customers link|show|list|unlink|conflicts``."""

from __future__ import annotations

import click

from application.customers.link_customer import OPERATOR, LinkCustomer, LinkCustomerRequest
from application.customers.list_customers import MAX_PAGE, CustomerPage, ListCustomers
from application.customers.show_customer import CustomerView, ShowCustomer
from application.customers.unlink_customer import UnlinkCustomer, UnlinkCustomerRequest
from entrypoints.cli.link_conflicts import conflicts
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


@customers.command("list")
@click.option("--segment", help="Only this segment's links.")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_PAGE),
    default=50,
    show_default=True,
    help="Links per page.",
)
@click.option("--after", metavar="USER_ID", help="Start after this user id (the next page).")
@click.pass_context
def list_links(ctx: click.Context, segment: str | None, limit: int, after: str | None) -> None:
    """List links by user id, a page at a time; prints how to get the next page."""
    page: CustomerPage = run_use_case(
        ctx, ListCustomers, lambda uc: uc.execute(segment=segment, after=after, limit=limit)
    )
    if not page.customers:
        click.echo("no customer links" + (f" in segment {segment}" if segment else ""))
    for c in page.customers:
        click.echo(f"{c.user_id}  {c.stripe_customer_id or '-'}  {c.segment}  {c.email or '-'}")
    if page.next_after is not None:
        more = f"--after {page.next_after}" + (f" --segment {segment}" if segment else "")
        click.echo(f"more: billing-portal customers list {more}")


@customers.command()
@click.argument("user_id")
@click.pass_context
def unlink(ctx: click.Context, user_id: str) -> None:
    """Remove USER_ID's link (the Stripe customer and its billing records stay)."""
    request = UnlinkCustomerRequest(user_id, actor=OPERATOR)
    was = run_use_case(ctx, UnlinkCustomer, lambda uc: uc.execute(request))
    click.echo(f"unlinked user {was.user_id} from {was.stripe_customer_id or '-'}")


customers.add_command(conflicts)
