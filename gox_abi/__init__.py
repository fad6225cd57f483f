"""gox_abi: the contract both runtimes stand on, and nothing else.

The ``gox_*`` ABI table and its generated docs and header (``abi``, ``abi_docs``), the error
types (``errors``), value kinds (``kinds``), the collector's states and counters
(``gcstats``), the heap layout and canonical addresses (``layout``), the argument checks
every backend applies (``checks``), the extern and function-table entry types (``externs``,
``functable``), output sinks (``sinks``), heap snapshots (``heapview``), the out-of-memory
fatal error (``oom``) and the stdlib's Unicode data (``unicode_tables``).

It imports only the standard library: the reference runtime (``gox_ref``) and the native
binding (``gox_ref_native``) import it, never each other (README.md, "Layout";
tests/test_layers.py checks the rule).
"""
