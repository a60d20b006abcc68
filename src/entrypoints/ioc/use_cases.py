"""Use cases, one per request scope, built from the ports the other providers give."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from application.configs.apply_configurations import ApplyConfigurations
from application.configs.list_configurations import ListConfigurations
from application.configs.plan_configurations import PlanConfigurations
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
    plan_configurations = provide(PlanConfigurations)
    apply_configurations = provide(ApplyConfigurations)
    list_configurations = provide(ListConfigurations)

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
