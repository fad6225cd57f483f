"""gox_ref_native: the C runtime behind the same ``gox_*`` ABI (loaded with ctypes).

The heap half (issue 5) is native; the concurrency half comes with issue 6.  See README.md.
"""

from .runtime import NativeRuntime, library_path, load_library

__all__ = ["NativeRuntime", "library_path", "load_library"]
