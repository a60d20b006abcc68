"""``billing-portal serve``: the app's start-up objects frozen once it has started."""

from __future__ import annotations

import gc

from litestar import Litestar

from entrypoints.cli.serve import with_frozen_start


def test_what_the_started_app_holds_is_frozen_out_of_the_collectors_sight() -> None:
    app = with_frozen_start(Litestar(route_handlers=[]))
    try:
        for hook in app.on_startup:
            hook()  # type: ignore[call-arg]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
