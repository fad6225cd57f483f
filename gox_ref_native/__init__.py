"""gox_ref_native: the C runtime behind the same ``gox_*`` ABI (loaded with ctypes).

Not built yet: issue 5 brings the heap half, issue 6 the concurrency half.
"""
