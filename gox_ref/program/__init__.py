"""The program layer: a textual program format over the gox_* ABI, its loader (parser and
type checker), the reference runner, and the conformance corpus (docs/PROGRAM_FORMAT.md)."""

from .check import load
from .syntax import Program, ProgramError, parse

__all__ = ["Program", "ProgramError", "load", "parse"]
