"""One handler per kind of typed event; each updates the mirror and queues emails.

The handlers are built by the DI container and registered by event type in
``EventHandlers`` (see ``entrypoints/ioc/sync.py``)."""
