"""The billing page: static HTML/CSS/JS served by the API process, and its cookie session.

Wiring (``create_app``): build one :class:`CookieSessions`, give it to the authentication
middleware (:func:`authenticated_user`) and to :func:`web_router`; map
:class:`CsrfRejected` to a 403 problem. See ``README.md`` in this folder for the page and
for how a host app opens a session in production.
"""

from entrypoints.http.web.authentication import (
    BearerVerifier,
    VerifiedToken,
    authenticated_user,
)
from entrypoints.http.web.demo_users import DemoUser, DemoUserSource, static_demo_users
from entrypoints.http.web.errors import CsrfRejected, SignedInAsSomeoneElse
from entrypoints.http.web.router import web_router
from entrypoints.http.web.session import CSRF_HEADER, SESSION_COOKIE, CookieSessions, WebSession
from entrypoints.http.web.settings import WebSettings, read_web_settings

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "BearerVerifier",
    "CookieSessions",
    "CsrfRejected",
    "DemoUser",
    "DemoUserSource",
    "SignedInAsSomeoneElse",
    "VerifiedToken",
    "WebSession",
    "WebSettings",
    "authenticated_user",
    "read_web_settings",
    "static_demo_users",
    "web_router",
]
