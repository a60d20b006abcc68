"""The machinery under :class:`~stripe_sandbox.store.SandboxStore`: locks, persistence, clock.

Each operation runs under a thread lock and an inter-process file lock, first catches up on
anything the clock made due, then changes the state; the state file is written atomically
after every change, and a failure rolls the change back. Results are detached, rendered
Stripe objects (dicts). Webhook deliveries are queued here and sent by
:class:`~stripe_sandbox.delivery.WebhookDispatcher`.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from . import lifecycle, tax_ids
from .ledger import Ledger, RequestInfo
from .listing import expand, list_object, newest_first, paginate
from .params import Params, array
from .persistence import StateFile
from .state import State

T = TypeVar("T")


class StoreCore:
    """Transactions over the state file, generic reads, the test clock and reset."""

    def __init__(
        self,
        state_path: Path | None,
        public_base_url: str = "http://127.0.0.1:12111",
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.public_base_url = public_base_url.rstrip("/")
        self._file = StateFile(state_path)
        self._wall = wall_clock
        self._lock = threading.RLock()
        self._depth = 0
        self._state = self._file.load()
        self._listeners: list[Callable[[], None]] = []
        self._ledger: Ledger | None = None
        self._next_due: tuple[State, float] | None = None
        """When the clock's next action falls due in which state object (``None``: not
        known). A write forgets it; a state loaded from the file or rolled back is a new
        object, so the moment no longer applies to it."""
        self._derived: tuple[State, dict[Hashable, Any]] = (self._state, {})
        """Indexes built from one state object for reads (see :meth:`derived`)."""
        self._writing = False

    # -- plumbing ---------------------------------------------------------------------------

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (without the lock held) after each change that emitted events."""
        self._listeners.append(listener)

    def now(self) -> int:
        """Sandbox time: real time plus the test clock's offset (unix seconds)."""
        with self._lock:
            return int(self._wall()) + self._state.clock_offset

    def wall_time(self) -> float:
        """Real time, as the store sees it (webhook retry schedules use it)."""
        return self._wall()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[State]:
        """Hold the thread lock and the state-file lock (re-entrant); yields the live state."""
        with self._lock:
            outer = self._depth == 0
            with self._file.locked() if outer else contextlib.nullcontext():
                if outer:
                    self._state = self._file.load_if_changed() or self._state
                self._depth += 1
                try:
                    yield self._state
                finally:
                    self._depth -= 1

    def live_state(self) -> State:
        """The live state object (only while holding :meth:`exclusive`)."""
        return self._state

    def save(self) -> None:
        """Write the state file now (callers hold :meth:`exclusive`)."""
        with self.exclusive():
            self._file.save(self._state)

    @contextlib.contextmanager
    def transaction(
        self, at: int | None = None, request: RequestInfo | None = None, *, writes: bool = True
    ) -> Iterator[Ledger]:
        """A :class:`Ledger` for one change, saved on success and rolled back on error.

        ``at`` runs the change at an earlier sandbox moment (seeding backdated history);
        actions the clock made due up to that moment run first and are kept even if the
        change fails. ``writes=False`` (reads) saves only what the clock did. Nested
        transactions share the outer one's ledger.
        """
        with self.exclusive():
            if self._ledger is not None:
                yield self._ledger
                return
            moment = self.now() if at is None else at
            ledger = Ledger(self._state, moment, self.public_base_url, request or RequestInfo())
            self._ledger = ledger
            try:
                caught_up = self._catch_up(ledger, moment)
                if caught_up:
                    self._file.save(self._state)
                    self._derived = (self._state, {})
                snapshot = self._state.copy() if writes else None
                self._writing = writes
                try:
                    yield ledger
                except BaseException:
                    if snapshot is not None:
                        self._state = snapshot
                    raise
                if writes or caught_up:
                    self._file.save(self._state)
                if writes:
                    self._next_due = None
                    self._derived = (self._state, {})
            finally:
                self._ledger = None
                self._writing = False
        if ledger.emitted:
            for listener in self._listeners:
                listener()
        if ledger.error_after_commit is not None:
            raise ledger.error_after_commit

    def derived(self, key: Hashable, build: Callable[[State], T]) -> T:
        """``build(state)``, kept for later reads of the same, unchanged state.

        For indexes Stripe keeps and the state does not (a customer's payment methods, a
        kind's objects newest first), so that a read at 10,000 customers does not scan or
        sort them all. Call it inside a transaction. A write, a catch-up of the clock that
        ran something, a rollback or a state file another process changed starts afresh;
        inside a write transaction nothing is kept (the write may still change the state).
        """
        state, known = self._derived
        if state is not self._state:
            self._derived = (self._state, {})
            state, known = self._derived
        if self._writing:
            return build(state)
        if key not in known:
            known[key] = build(state)
        return cast("T", known[key])

    def _catch_up(self, ledger: Ledger, moment: int) -> bool:
        """Run what the clock made due by ``moment``; True when anything ran."""
        known = self._next_due
        if known is not None and known[0] is self._state and moment < known[1]:
            return False
        ran, next_due = lifecycle.catch_up(ledger, moment)
        self._next_due = (self._state, next_due)
        return ran > 0

    def run(
        self,
        operation: Callable[..., dict[str, Any]],
        *args: Any,
        params: Params | None = None,
        request: RequestInfo | None = None,
    ) -> dict[str, Any]:
        """Run ``operation(ledger, *args[, params])`` and return the rendered, expanded result."""
        with self.transaction(request=request) as ledger:
            result = (
                operation(ledger, *args) if params is None else operation(ledger, *args, params)
            )
            return self._present(ledger, result, params)

    def read(
        self, producer: Callable[[Ledger], dict[str, Any]], params: Params | None
    ) -> dict[str, Any]:
        """Like :meth:`run` for reads (still catches up on due clock actions)."""
        with self.transaction(writes=False) as ledger:
            return self._present(ledger, producer(ledger), params)

    def _present(
        self, ledger: Ledger, result: dict[str, Any], params: Params | None
    ) -> dict[str, Any]:
        shown = ledger.render(result) if result.get("object") != "list" else result
        if shown.get("object") == "list":
            shown["data"] = [ledger.render(o) for o in shown["data"]]
        paths = array(params or {}, "expand")
        if not paths:
            return shown

        def lookup(kind: str, object_id: str) -> dict[str, Any] | None:
            found = ledger.state.table(kind).get(object_id)
            return ledger.render(found) if found is not None else None

        def include(node: dict[str, Any], path: str) -> tuple[bool, Any]:
            if (
                node.get("object") == "billing_portal.configuration"
                and path == "features.subscription_update.products"
            ):
                return True, copy.deepcopy(ledger.state.portal_products.get(node["id"], []))
            if node.get("object") == "customer" and path == "tax_ids":
                owned = [ledger.render(t) for t in tax_ids.of_customer(ledger, node["id"])]
                url = f"/v1/customers/{node['id']}/tax_ids"
                return True, list_object(owned, url, has_more=False)
            return False, None

        return expand(shown, paths, lookup, include)

    # -- generic reads ----------------------------------------------------------------------

    def retrieve(self, kind: str, object_id: str, params: Params | None = None) -> dict[str, Any]:
        """One object by id (404 ``resource_missing`` if absent)."""
        return self.read(lambda ledger: ledger.get(kind, object_id), params)

    def list_objects(
        self,
        kind: str,
        params: Params,
        url: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda _o: True,
    ) -> dict[str, Any]:
        """A page of objects of ``kind`` matching ``predicate`` as a Stripe list object."""

        def page(ledger: Ledger) -> dict[str, Any]:
            ordered = self.derived(("newest first", kind), partial(newest_first, kind=kind))
            return paginate([o for o in ordered if predicate(o)], params, url, presorted=True)

        return self.read(page, params)

    def snapshot(self) -> State:
        """A deep copy of the whole state (tests, the hosted pages, diagnostics)."""
        with self._lock:
            self._state = self._file.load_if_changed() or self._state
            return self._state.copy()

    # -- clock and lifecycle ----------------------------------------------------------------

    def advance(self, *, days: float = 0, seconds: int = 0) -> int:
        """Move the test clock forward, running renewals, trial ends, cancellations...

        Returns the new sandbox time.
        """
        delta = int(days * 86_400) + int(seconds)
        if delta < 0:
            raise ValueError("the test clock only moves forward")
        with self.transaction() as ledger:
            target = ledger.now + delta
            lifecycle.process_until(ledger, target)
            self._state.clock_offset += delta
            return target

    def reset(self, keep_endpoints: list[tuple[str, str]] | None = None) -> None:
        """Forget everything (clock included); re-create the settings' webhook endpoints."""
        from .webhook_endpoints import sync_configured

        with self.exclusive():
            self._state = State()
            ledger = Ledger(self._state, self.now(), self.public_base_url)
            sync_configured(ledger, keep_endpoints or [])
            self._file.save(self._state)
