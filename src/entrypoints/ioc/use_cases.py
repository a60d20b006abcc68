"""Use cases, one per request scope, built from the ports the other providers give."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from application.customers.link_customer import LinkCustomer
from application.customers.show_customer import ShowCustomer
from application.open_portal import OpenBillingPortal
from application.ports.customer_directory import CustomerDirectory
from application.ports.transaction_manager import TransactionManager
from domain.portal_policy import PortalPolicy


class UseCaseProvider(Provider):
    scope = Scope.REQUEST

    open_portal = provide(OpenBillingPortal)
    show_customer = provide(ShowCustomer)

    @provide
    def link_customer(
        self,
        customers: CustomerDirectory,
        transaction: TransactionManager,
        policy: PortalPolicy,
    ) -> LinkCustomer:
        return LinkCustomer(
            customers, transaction, known_segments=frozenset(policy.segment_configurations)
        )
