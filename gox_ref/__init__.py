"""gox_ref: the pure-Python reference runtime of the GoX ``gox_*`` ABI (the executable spec)."""

from gox_abi.errors import GoxABIError, GoxError, GoxFatal, GoxPanic
from gox_abi.gcstats import GcState, GcStats
from gox_abi.kinds import SlotType, ValueKind

from .runtime import RefRuntime

__version__ = "0.1.0"  # the one place it is written: pyproject.toml reads it (tool.setuptools.dynamic)

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
    "__version__",
]
