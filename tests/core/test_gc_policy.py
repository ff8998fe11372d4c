"""The web process's collector policy: long-lived objects frozen, thawed now and then so cycles still go."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from trunkshow.core.gc_policy import gc_policy_install, gc_policy_uninstall


class Node:
    me: Node | None = None


@pytest.fixture
def policy() -> Iterator[object]:
    installed = gc_policy_install(thaw_seconds=3600)
    try:
        yield installed
    finally:
        gc_policy_uninstall()


def test_installing_freezes_the_heap_and_uninstalling_thaws_it() -> None:
    try:
        gc_policy_install(thaw_seconds=3600)
        assert gc.get_freeze_count() > 1000  # the interpreter, pytest, Django: all frozen
    finally:
        gc_policy_uninstall()
    assert gc.get_freeze_count() == 0
    assert not [cb for cb in gc.callbacks if type(cb).__name__ == "_Policy"]


def test_what_survives_a_full_collection_is_frozen(policy: object) -> None:
    before = gc.get_freeze_count()
    survivors = [[] for _ in range(5000)]  # containers: tracked by the collector

    gc.collect()

    assert gc.get_freeze_count() >= before + len(survivors)


def test_a_cycle_that_dies_while_frozen_is_freed_once_the_policy_thaws(policy: object) -> None:
    node = Node()
    node.me = node  # a reference cycle: only the collector can free it
    alive = weakref.ref(node)
    gc.collect()  # survives, and is frozen
    del node

    gc.collect()
    assert alive() is not None  # frozen: not examined, not freed

    policy.thaw_seconds = 0  # type: ignore[attr-defined]
    gc.collect()  # this full collection ends by unfreezing (its time has come)
    policy.thaw_seconds = 3600  # type: ignore[attr-defined]
    gc.collect()  # the next examines everything, then freezes again
    assert alive() is None
    assert policy.thawed == 1  # type: ignore[attr-defined]
    assert gc.get_freeze_count() > 0
