"""The dishka composition root: one provider per adapter family plus one for use cases."""

from entrypoints.ioc.container import create_container

__all__ = ["create_container"]
