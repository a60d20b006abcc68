"""Build the application container; override providers replace a whole family in tests."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container

from entrypoints.ioc.catalog import CatalogProvider, ClockProvider
from entrypoints.ioc.config import ConfigProvider
from entrypoints.ioc.handlers import EventHandlerProvider, EventTranslationProvider
from entrypoints.ioc.operations import OperationsProvider
from entrypoints.ioc.persistence import PersistenceProvider
from entrypoints.ioc.stripe import StripeProvider
from entrypoints.ioc.sync import MailProvider, SyncPersistenceProvider, WebhookProvider
from entrypoints.ioc.use_cases import UseCaseProvider
from entrypoints.settings import Settings


def providers(settings: Settings) -> list[Provider]:
    return [
        ConfigProvider(settings),
        PersistenceProvider(),
        SyncPersistenceProvider(),
        StripeProvider(),
        WebhookProvider(),
        MailProvider(),
        CatalogProvider(),
        ClockProvider(),
        EventTranslationProvider(),
        EventHandlerProvider(),
        UseCaseProvider(),
        OperationsProvider(),
    ]


def create_container(settings: Settings, *override_providers: Provider) -> AsyncContainer:
    """Everything at APP scope is built lazily once; later providers win for a type."""
    return make_async_container(*providers(settings), *override_providers)
