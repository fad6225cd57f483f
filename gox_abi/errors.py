"""The exceptions every backend raises, with the same types and the same messages.

- ``GoxPanic``: a Go run-time panic.  Its message is Go's text, e.g.
  ``runtime error: index out of range [5] with length 3`` or ``close of nil channel``.
- ``GoxABIError``: a call that breaks the ABI's contract (a freed or never-allocated
  reference, a reference of the wrong kind, an unknown global, function, extern or symbol).
  Go has no panic for these: the message names the function, the bad value and what was
  expected.
- ``GoxFatal``: an unrecoverable runtime failure (``fatal error: ...`` in Go).

Every check happens before any state changes, so after any of these the runtime is intact.
The native runtime builds the same panic texts in C (gox_ref_native/src/errors.c).
"""

from __future__ import annotations


class GoxError(Exception):
    """Base class of everything the runtime raises on purpose."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class GoxPanic(GoxError):
    """A Go run-time panic; ``str(e)`` is exactly what Go prints after ``panic: ``."""


class GoxABIError(GoxError):
    """A contract violation by the caller; the runtime refused it and is unchanged."""


class GoxFatal(GoxError):
    """``fatal error: <message>``: ends the program with exit status 2."""


# Go's panic for a nil pointer dereference (a nil reference where an object is read or written:
# a struct's slot, an array element, a box, an upvalue, a call of a nil func).  In Go it comes
# from a SIGSEGV, so the report of a goroutine that had one (until a recovery leaves no panic)
# adds SIGNAL_LINE after the panic lines; the project has no pc: 0x0 (docs/decisions.md).
# C: errors.c's NIL_DEREF_TEXT and SIGNAL_LINE.
NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"
SIGNAL_LINE = "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]"


def nil_dereference() -> GoxPanic:
    return GoxPanic(NIL_DEREF)


def index_out_of_range(idx: int, length: int) -> GoxPanic:
    if idx < 0:
        return GoxPanic(f"runtime error: index out of range [{idx}]")
    return GoxPanic(f"runtime error: index out of range [{idx}] with length {length}")


def slice_out_of_range(lo: int, hi: int, bound: int, what: str) -> GoxPanic | None:
    """Go's bounds check for ``x[lo:hi]``; ``what`` is ``length`` or ``capacity``.

    Go checks the high bound first, then low <= high; negative bounds omit the limit.
    """
    if hi < 0:
        return GoxPanic(f"runtime error: slice bounds out of range [:{hi}]")
    if hi > bound:
        return GoxPanic(f"runtime error: slice bounds out of range [:{hi}] with {what} {bound}")
    if lo < 0:
        return GoxPanic(f"runtime error: slice bounds out of range [{lo}:]")
    if lo > hi:
        return GoxPanic(f"runtime error: slice bounds out of range [{lo}:{hi}]")
    return None


def slice3_out_of_range(lo: int, hi: int, mx: int, cap: int) -> GoxPanic | None:
    """Go's bounds check for ``s[lo:hi:max]`` (max first, then hi, then lo)."""
    if mx < 0:
        return GoxPanic(f"runtime error: slice bounds out of range [::{mx}]")
    if mx > cap:
        return GoxPanic(f"runtime error: slice bounds out of range [::{mx}] with capacity {cap}")
    if hi < 0:
        return GoxPanic(f"runtime error: slice bounds out of range [:{hi}:]")
    if hi > mx:
        return GoxPanic(f"runtime error: slice bounds out of range [:{hi}:{mx}]")
    if lo < 0:
        return GoxPanic(f"runtime error: slice bounds out of range [{lo}::]")
    if lo > hi:
        return GoxPanic(f"runtime error: slice bounds out of range [{lo}:{hi}:]")
    return None
