"""``billing-portal serve``: the garbage collector tuned once the app has started."""

from __future__ import annotations

import gc

from litestar import Litestar

from entrypoints.cli.serve import GC_THRESHOLDS, with_tuned_gc


def test_the_started_app_is_frozen_and_young_objects_collected_less_often() -> None:
    app = with_tuned_gc(Litestar(route_handlers=[]))
    thresholds = gc.get_threshold()
    try:
        for hook in app.on_startup:
            hook()  # type: ignore[call-arg]
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
