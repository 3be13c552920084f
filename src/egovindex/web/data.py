"""The web application's view of the store: the current editions, reloaded only when a load changed them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from egovindex.store.collection import Release
from egovindex.store.db import unit_of_work
from egovindex.store.editions import current_editions
from egovindex.store.models import EditionVersion

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from egovindex.domain import Edition


@dataclass(frozen=True)
class State:
    """One state of the stored editions with the contexts computed from it: replaced whole, never changed in part,
    so that a reader always sees editions and contexts of the same state."""

    stamp: tuple[int, int, int] | None
    editions: dict[int, Edition]
    memo: dict[tuple, Any]


@dataclass
class EditionCache:
    engine: Engine
    _state: State = field(default_factory=lambda: State(None, {}, {}))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stamp(self) -> tuple[int, int, int]:
        """The state of the public data: the stored editions' versions (count and newest id: a load adds a version)
        and the newest release of national statistics (the overview compares released values with the targets)."""
        # a snapshot that never queues behind a writer (a plain connection takes SQLite's write lock first)
        with self.engine.execution_options(readonly=True).connect() as connection:
            count, newest = connection.execute(select(func.count(EditionVersion.id), func.max(EditionVersion.id))).one()
            release = connection.execute(select(func.max(Release.id))).scalar()
        return int(count), int(newest or 0), int(release or 0)

    def state(self) -> State:
        stamp = self.stamp()
        state = self._state
        if stamp != state.stamp:
            with self._lock, unit_of_work(self.engine.execution_options(readonly=True)) as session:
                state = self._state
                if stamp != state.stamp:
                    state = State(stamp, {e.year: e for e in current_editions(session)}, {})
                    self._state = state
        return state

    def editions(self) -> dict[int, Edition]:
        return self.state().editions

    def memo(self, key: tuple, compute: Callable[[dict[int, Edition]], Any]) -> Any:
        """A page context computed once per state of the store (contexts are pure functions of the editions),
        from the editions of that same state."""
        state = self.state()
        memo = state.memo
        if key not in memo:
            if len(memo) > 512:
                memo.clear()
            memo[key] = compute(state.editions)
        return memo[key]

    def latest(self) -> Edition | None:
        eds = self.editions()
        return eds[max(eds)] if eds else None
