"""The collector pause and the paused loop's cycle collection (qbank._gc)."""

from __future__ import annotations

import pytest


class TestTheCollectorPause:
    """Exports pause the cyclic garbage collector and always leave it as they found it."""

    def test_the_collector_is_off_during_a_render_and_back_on_after(self) -> None:
        import gc

        from qbank._gc import gc_paused

        assert gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled()

    def test_an_error_inside_still_turns_it_back_on(self) -> None:
        import gc

        from qbank._gc import gc_paused

        with pytest.raises(RuntimeError), gc_paused():
            raise RuntimeError("render failed")
        assert gc.isenabled()

    def test_a_caller_who_turned_it_off_keeps_it_off(self) -> None:
        import gc

        from qbank._gc import gc_paused

        gc.disable()
        try:
            with gc_paused():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_resume_false_leaves_it_off_for_a_process_about_to_end(self) -> None:
        import gc

        from qbank._gc import gc_paused

        try:
            with gc_paused(resume=False):
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()


class TestCyclesFreedInAPausedLoop:
    """A paused loop that makes cyclic garbage frees it as it goes; a short one scans nothing."""

    @staticmethod
    def cyclic_garbage() -> None:
        a: list[object] = []
        a.append(a)  # unreachable once the function returns, freed only by the collector

    def test_a_long_loop_keeps_at_most_one_batch_of_garbage(self) -> None:
        import gc

        from qbank._gc import YOUNG_BATCH, CycleCollector, gc_paused

        gc.collect()
        with gc_paused():
            collect = CycleCollector()
            for _ in range(3 * YOUNG_BATCH):
                self.cyclic_garbage()
                collect()
            kept = gc.collect()
        assert 0 < kept <= YOUNG_BATCH + 1

    def test_a_short_loop_runs_no_collection(self) -> None:
        import gc

        from qbank._gc import CycleCollector, gc_paused

        with gc_paused():
            collect = CycleCollector()
            passes = gc.get_stats()[0]["collections"]
            for _ in range(1000):
                self.cyclic_garbage()
                collect()
            assert gc.get_stats()[0]["collections"] == passes
            assert gc.collect() >= 1000

    def test_with_the_collector_on_it_leaves_the_work_to_the_collector(self) -> None:
        import gc

        from qbank._gc import YOUNG_BATCH, CycleCollector

        collect = CycleCollector()
        thresholds = gc.get_threshold()
        gc.set_threshold(10 * YOUNG_BATCH)  # no automatic pass during the loop either
        try:
            passes = gc.get_stats()[0]["collections"]
            for _ in range(YOUNG_BATCH + 10):
                self.cyclic_garbage()
                collect()
            assert gc.get_stats()[0]["collections"] == passes
        finally:
            gc.set_threshold(*thresholds)
