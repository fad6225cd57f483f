"""The collector's observable state: its states, its counters (``gox_gc_stats``) and the
default tuning (``gox_gc_tune``), the same on every backend (docs/GC.md)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

DEFAULT_PAUSE = 200
DEFAULT_STEPMUL = 200
DEFAULT_STEP_SIZE = 8 * 1024
DEFAULT_MIN_THRESHOLD = 1024 * 1024


class GcState(enum.IntEnum):
    PAUSE = 0
    PROPAGATE = 1
    ATOMIC = 2  # only ever seen inside a step
    SWEEP = 3


@dataclass
class GcStats:
    """Counters; ``gox_gc_stats`` hands them out in this field order."""

    cycles: int = 0
    state: int = GcState.PAUSE
    live_objects: int = 0
    live_bytes: int = 0
    threshold: int = DEFAULT_MIN_THRESHOLD
    debt: int = 0
    allocated_objects: int = 0
    allocated_bytes: int = 0
    freed_objects: int = 0
    freed_bytes: int = 0
    steps: int = 0
    pause_depth: int = 0

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))
