"""An offline stand-in for Stripe's API, hosted portal and webhooks.

A separate small system: it imports nothing from ``domain``, ``application``, ``adapters``
or ``entrypoints``. Entry points:

- :func:`create_sandbox_app` / :func:`build_store`: the ASGI app for a
  :class:`SandboxSettings` (serve it with uvicorn);
- :class:`SandboxStore`: the operations themselves (``advance``, ``reset``, ``create_*``...);
- :func:`seed_demo`: the demo catalog and customers;
- :func:`stripe_sandbox.testing.running_sandbox`: a server in a background thread.
"""

from .delivery import DeliveryPolicy, sign
from .errors import SandboxError
from .http.app import build_store, create_sandbox_app
from .objects import API_VERSION
from .seed import DemoRecord, seed_demo
from .settings import SandboxSettings, WebhookEndpointConfig
from .store import SandboxStore

__all__ = [
    "API_VERSION",
    "DeliveryPolicy",
    "DemoRecord",
    "SandboxError",
    "SandboxSettings",
    "SandboxStore",
    "WebhookEndpointConfig",
    "build_store",
    "create_sandbox_app",
    "seed_demo",
    "sign",
]
