"""Settings and the objects derived from them."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.stripe.client import StripeSettings
from application.open_portal import PortalAccessSettings
from application.sync.settings import AutoLinkSettings, SyncSettings
from domain.portal_policy import PortalPolicy
from entrypoints.jwt_settings import JwtSettings
from entrypoints.settings import Settings
from entrypoints.sync_settings import MailSettings, WebhookSettings, WorkerSettings


class ConfigProvider(Provider):
    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def portal_access(self, settings: Settings) -> PortalAccessSettings:
        return settings.portal

    @provide
    def policy(self, settings: Settings) -> PortalPolicy:
        return settings.portal.policy

    @provide
    def stripe(self, settings: Settings) -> StripeSettings:
        return settings.stripe

    @provide
    def jwt(self, settings: Settings) -> JwtSettings:
        return settings.jwt

    @provide
    def sync(self, settings: Settings) -> SyncSettings:
        return settings.sync

    @provide
    def auto_link(self, settings: Settings) -> AutoLinkSettings:
        return settings.auto_link

    @provide
    def webhooks(self, settings: Settings) -> WebhookSettings:
        return settings.webhooks

    @provide
    def worker(self, settings: Settings) -> WorkerSettings:
        return settings.worker

    @provide
    def mail(self, settings: Settings) -> MailSettings:
        return settings.mail
