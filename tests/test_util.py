"""graph.util: the collector pause that loads, builds and audits run under."""

from __future__ import annotations

import gc
import weakref

from graph.util import paused_gc


class _Node:
    """An object that can take part in a reference cycle and be watched by a weak reference."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def test_what_a_paused_block_built_skips_the_young_generations_and_nothing_stays_frozen() -> None:
    with paused_gc():
        built = [[index] for index in range(50_000)]
        first, second = _Node(), _Node()
        first.other, second.other = second, first  # a cycle, dropped below
    watched = weakref.ref(first)
    del first, second
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # The block's containers went straight to the oldest generation: no young collection rescans them.
    assert gc.get_count()[0] < 1_000
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(built) in oldest and id(built[-1]) in oldest
    # Nothing was left frozen: a cycle built in the block is still freed.
    assert watched() is not None
    gc.collect()
    assert watched() is None


def test_a_paused_block_leaves_the_collector_as_it_found_it() -> None:
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
