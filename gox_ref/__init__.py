"""gox_ref: the pure-Python reference runtime of the GoX ``gox_*`` ABI (the executable spec)."""

from .errors import GoxABIError, GoxError, GoxFatal, GoxPanic
from .gc import GcState, GcStats
from .kinds import SlotType, ValueKind
from .runtime import RefRuntime

__all__ = [
    "GcState",
    "GcStats",
    "GoxABIError",
    "GoxError",
    "GoxFatal",
    "GoxPanic",
    "RefRuntime",
    "SlotType",
    "ValueKind",
]
