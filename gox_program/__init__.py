"""The program layer: a textual program format over the gox_* ABI, its loader (parser and
type checker), the runners on both backends (the reference's interpreter, the compiler to C),
the differential tester and fuzzer, the conformance corpus (docs/PROGRAM_FORMAT.md) and the
``gox-ref`` command.  It sits above both runtimes and may import gox_abi, gox_ref and
gox_ref_native; neither runtime imports it (README.md, "Layout")."""

from .check import load
from .syntax import Program, ProgramError, parse

__all__ = ["Program", "ProgramError", "load", "parse"]
