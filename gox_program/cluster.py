"""Fuzz campaigns on a Dask cluster (``gox-ref fuzz --scheduler`` / ``--workers N``,
docs/DIFF_AND_FUZZ.md "Campaigns on a cluster").

* **Tasks.** A batch of programs (``fuzz.run_batch`` without shrinking, or
  ``fuzz.run_batch_go`` for ``--go``) is one task; the client keeps two per worker thread in
  flight.  A kept finding's shrinking is a task too
  (``fuzz.shrink_finding``: a three-way finding's abstract program is generated again from its
  seed there), so shrinks run on the cluster beside the batches.
* **Order.** Results are taken in batch order (a result that arrives early waits for the
  batches before it), so the finding kept for a key is the lowest seed's, whatever the number
  of workers or the order they finish in (docs "Determinism").
* **Lost workers.** A batch is a pure function of its seeds and writes nothing; the scheduler
  runs the tasks of a worker that died again elsewhere (``distributed.scheduler.allowed-failures``
  times), and only the client writes findings, so a dead worker loses none.
* **Time.** The deadline travels as wall-clock time (``time.time()``): each task turns it into
  its own ``time.monotonic()``, so the machines' clocks must agree (NTP) to the second.
* **Local.** Without a scheduler, ``LocalCluster`` starts ``workers`` worker processes (one
  thread each: a batch is CPU-bound Python plus its child processes) on 127.0.0.1, with no
  dashboard, for the campaign's duration; forked on Linux (``LOCAL_CONFIG``).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import dask.config
import distributed

from .fuzz import LIMITS, BatchResult, CampaignError, Collector, Finding, run_batch, run_batch_go, shrink_finding
from .limits import Limits

CONNECT_TIMEOUT = "10s"
# The workers' statistical profiler samples the running task's stack every 10 ms: CPU taken
# from the reference interpreter's deep stacks (the docs say how to turn it off on remote
# workers too).  Forked workers start in 0.6 s where spawned ones, re-importing everything,
# took 4 to 5 s on a loaded 2-core machine (docs/decisions.md); the old pool forked too.
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.multiprocessing-method": "fork" if sys.platform.startswith("linux") else "spawn",
}


def _local(deadline: float | None) -> float | None:
    """A wall-clock deadline as this process's ``time.monotonic()`` one."""
    return None if deadline is None else time.monotonic() + (deadline - time.time())


def batch_task(seeds: list[int], opt: str, deadline: float | None, go: bool, limits: Limits) -> BatchResult:
    return (run_batch_go if go else run_batch)(seeds, opt, False, _local(deadline), limits)


def shrink_task(f: Finding, opt: str, deadline: float | None, max_tests: int, limits: Limits) -> tuple[Finding, float]:
    return shrink_finding(f, opt, _local(deadline), max_tests, limits)


@contextlib.contextmanager
def client(scheduler: str | None, workers: int) -> Iterator[distributed.Client]:
    """A client of ``scheduler``'s cluster, else of a local cluster of ``workers`` processes."""
    if scheduler is not None:
        try:
            c = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as e:
            raise CampaignError(f"cannot connect to the scheduler {scheduler}: {e}") from None
        with c:
            yield c
        return
    with dask.config.set(LOCAL_CONFIG), distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR,
    ) as cl, distributed.Client(cl) as c:
        yield c


def run(
    batches: Iterator[list[int]], col: Collector, *, scheduler: str | None, workers: int, opt: str,
    deadline: float | None, shrink_tests: int, go: bool = False, limits: Limits = LIMITS,
) -> None:
    """Run ``batches`` on the cluster until they or the deadline (``time.monotonic()``) end;
    ``col`` takes the results in batch order and each kept finding once shrunk (no shrinking
    when ``shrink_tests`` is 0); ``go``: three-way batches (``fuzz.run_batch_go``); ``limits``:
    the runs' --max-steps/--max-depth (default fuzz's)."""
    with client(scheduler, workers) as c:
        wall = None if deadline is None else time.time() + (deadline - time.monotonic())
        tag = uuid.uuid4().hex[:8]  # task keys unique to this campaign on a shared scheduler
        index: dict[Any, int] = {}  # batch future -> batch number
        results: dict[int, BatchResult] = {}
        todo = distributed.as_completed()
        sent = taken = 0
        done = False

        def fill() -> None:
            nonlocal sent, done
            window = 2 * max(1, sum(c.nthreads().values()))  # (asked each time: workers come and go)
            while not done and len(index) < window:  # (results waiting for their turn do not count)
                seeds = None if deadline is not None and time.monotonic() >= deadline else next(batches, None)
                if seeds is None:
                    done = True
                    return
                fut = c.submit(batch_task, seeds, opt, wall, go, limits, key=f"gox-batch-{tag}-{sent}", retries=1)
                index[fut] = sent
                todo.add(fut)
                sent += 1

        fill()
        for fut in todo:
            try:
                got = fut.result()
            except distributed.KilledWorker as e:
                raise CampaignError(f"a fuzz task killed its workers each time it ran: {e}") from None
            if fut not in index:  # a shrink
                col.shrunk(*got)
                continue
            results[index.pop(fut)] = got
            while taken in results:
                for f in col.new(results.pop(taken)):
                    if shrink_tests:
                        todo.add(c.submit(shrink_task, f, opt, wall, shrink_tests, limits,
                                          key=f"gox-shrink-{tag}-{f.seed}", retries=1))
                    else:
                        col.shrunk(f)
                taken += 1
            fill()
