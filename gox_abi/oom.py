"""Running out of memory: Go's ``fatal error: runtime: out of memory``, exit status 2.

Go ends the process when an allocation fails (``throw("runtime: out of memory")``, the text
Go 1.19 prints when ``mmap`` refuses its heap memory: docs/SCHEDULER.md, "Out of memory").  The
reference gets a ``MemoryError`` wherever Python fails to allocate: in a greenlet's creation, a
list's growth, the heap's dict.  Each is turned into the same fatal error:

* while a program runs, the goroutine's outermost frame (``DeferOps._run_body``) and the
  scheduler's hub (``Scheduler.run_main``) end the program with the report and status 2;
* in host mode every ABI method (the ``checks.checked`` wrapper, on both backends) raises
  ``GoxFatal`` with that text.

The report itself, the unwinding of every goroutine and the exception objects need memory too:
a reserve is held while a program runs and given back first (``release``), so that what
follows an exhausted heap has some room; ``arm`` takes it again when memory allows.
"""

from __future__ import annotations

import contextlib

from .errors import GoxFatal

OUT_OF_MEMORY = "runtime: out of memory"
RESERVE_BYTES = 4 << 20  # enough to report and unwind a program's goroutines

_reserve: bytes | None = None


def arm() -> None:
    """Take the reserve (again) if it is not held; no error if memory is short."""
    global _reserve
    if _reserve is None:
        with contextlib.suppress(MemoryError):
            _reserve = bytes(RESERVE_BYTES)  # calloc'd: address space, no pages touched


def release() -> None:
    """Give the reserve back to the allocator: the first thing to do on a ``MemoryError``."""
    global _reserve
    _reserve = None


def fatal() -> GoxFatal:
    """The ``GoxFatal`` a ``MemoryError`` becomes (the reserve released first)."""
    release()
    return GoxFatal(OUT_OF_MEMORY)
