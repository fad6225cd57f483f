"""The runner's limits: the step budget (``--max-steps``) and the frame limit (``--max-depth``).

Both backends apply the same ``Limits`` (docs/PROGRAM_FORMAT.md, "Runner limits"): the
interpreter counts its steps and frames, the compiled C counts them the same way (``GX_FUEL``,
``GX_MAX_DEPTH``), so with the same limits both stop at the same step and the same frame, with
the same message, which names the flag that raises the limit.

The frame limit has one exception (docs/decisions.md, "Deep recursion"): ``depth=None``, the
default of ``run`` and ``conformance``, is each backend's own rule -- the reference stops at
``REF_MAX_DEPTH`` frames, the native backend has no frame limit and stops as Go does, at Go's
1 GB of goroutine stack.  ``diff`` and ``fuzz`` compare the backends, so they pass a number.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_STEPS = 20_000_000  # loop iterations + calls per run
REF_MAX_DEPTH = 100_000  # the reference's frames per goroutine when no --max-depth is given
SHARED_MAX_DEPTH = REF_MAX_DEPTH  # diff's and fuzz's default frame limit, on both backends
FUZZ_STEPS = 2_000_000  # fuzz's default step budget (its programs are meant to be short)
MAX_STEPS = 2**63 - 1  # the C budget is an int64_t
MAX_DEPTH = 2**32 - 1  # the C frame record counts its depth in a uint32_t


@dataclass(frozen=True)
class Limits:
    steps: int = DEFAULT_STEPS
    depth: int | None = None  # frames per goroutine; None: each backend's own rule (above)

    def ref_depth(self) -> int:
        return REF_MAX_DEPTH if self.depth is None else self.depth


DEFAULT = Limits()
SHARED = Limits(depth=SHARED_MAX_DEPTH)
FUZZ = Limits(steps=FUZZ_STEPS, depth=SHARED_MAX_DEPTH)


def steps_message(steps: int) -> str:
    """The runner's note when the step budget runs out (after ``gox-ref: ``; status 3)."""
    return f"step limit exceeded: the program ran {steps} steps (raise the limit with --max-steps)"


def depth_message(depth: int) -> str:
    """The line before ``fatal error: stack overflow`` at the frame limit (Go's line at its
    byte limit: ``runtime: goroutine stack exceeds 1000000000-byte limit``)."""
    return f"runtime: goroutine stack exceeds {depth}-frame limit (raise the limit with --max-depth)"
