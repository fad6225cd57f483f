"""Object kinds of the heap: one module per kind, each with its ABI calls."""
