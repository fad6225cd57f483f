"""Output sinks: where a runtime writes a program's output (``println``, panic reports).

A sink is anything with ``write(bytes)``; both runtimes default to ``STDOUT`` and accept any
other (``set_output``), so a test captures either backend's output the same way.
"""

from __future__ import annotations

import sys
from typing import BinaryIO, Protocol


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class _StdoutSink:
    """Writes straight to the process's stdout, unbuffered by us, so output interleaves."""

    def write(self, data: bytes, /) -> object:
        out: BinaryIO = sys.stdout.buffer
        out.write(data)
        out.flush()
        return None


class _StderrSink:
    def write(self, data: bytes, /) -> object:
        err: BinaryIO = sys.stderr.buffer
        err.write(data)
        err.flush()
        return None


STDOUT = _StdoutSink()
STDERR = _StderrSink()
