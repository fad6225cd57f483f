"""A worker pool (Go by Example, "Worker Pools"): 3 workers share 9 jobs.

The Go program it models (``runtime.Gosched()`` stands in for the original's sleep)::

    func worker(id int, jobs <-chan int, results chan<- int) {
        for j := range jobs {
            println("worker", id, "started  job", j)
            runtime.Gosched()
            println("worker", id, "finished job", j)
            results <- j * 2
        }
    }

    func main() {
        const numJobs = 9
        jobs := make(chan int, numJobs)
        results := make(chan int, numJobs)
        for w := 1; w <= 3; w++ {
            go worker(w, jobs, results)
        }
        for j := 1; j <= numJobs; j++ {
            jobs <- j
        }
        close(jobs)
        sum := 0
        for a := 1; a <= numJobs; a++ {
            sum += <-results
        }
        println("sum", sum)
    }

The scheduler's FIFO run queue decides which worker takes which job, identically every run.
Run it: ``python examples/workerpool.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from gox_ref import RefRuntime  # noqa: E402
from gox_ref import ValueKind as K  # noqa: E402

SEED = 1
NUM_JOBS = 9
NUM_WORKERS = 3


def write(rt: RefRuntime, text: str) -> None:
    rt.gox_debug_write(rt.gox_rt_string_from_ptr(text.encode()), K.STRING)


def worker(rt: RefRuntime, wid: int, jobs: int, results: int) -> None:
    it = rt.gox_iter_begin(jobs, K.CHANNEL)  # for j := range jobs
    while True:
        more, j, _ = rt.gox_iter_next(it)
        if not more:
            break
        write(rt, f"worker {wid} started  job ")
        rt.gox_debug_print(j, K.INT)
        rt.gox_yield()
        write(rt, f"worker {wid} finished job ")
        rt.gox_debug_print(j, K.INT)
        rt.gox_chan_send(results, j * 2)
    rt.gox_iter_end(it)


def main(rt: RefRuntime) -> None:
    jobs = rt.gox_chan_new(K.INT, NUM_JOBS)
    rt.gox_gc_pin(jobs)  # no stack maps here: pin what Python locals hold across allocations
    results = rt.gox_chan_new(K.INT, NUM_JOBS)
    rt.gox_gc_pin(results)
    for w in range(1, NUM_WORKERS + 1):
        rt.gox_go_spawn(worker, [w, jobs, results])
    for j in range(1, NUM_JOBS + 1):
        rt.gox_chan_send(jobs, j)
    rt.gox_chan_close(jobs)
    total = 0
    for _ in range(NUM_JOBS):
        total += rt.gox_chan_recv(results)
    write(rt, "sum ")
    rt.gox_debug_print(total, K.INT)


if __name__ == "__main__":
    raise SystemExit(RefRuntime().run_main(main, [], seed=SEED))
