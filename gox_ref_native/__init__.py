"""gox_ref_native: the C runtime behind the same ``gox_*`` ABI (loaded with ctypes).

Both halves of the ABI, the heap and the concurrency half, are native.  See README.md.
"""

from .runtime import MissingSymbol, NativeRuntime, library_path, load_library

__all__ = ["MissingSymbol", "NativeRuntime", "library_path", "load_library"]
