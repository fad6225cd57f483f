"""Builds the native runtime's shared library with the package (pip install . / -e .).

The library is a plain C shared library (no Python C API): ``gox_ref_native/runtime.py``
loads it with ctypes.  Project metadata lives in pyproject.toml.
"""

from __future__ import annotations

import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The C sources and the context switch in assembly (ctx_<arch>.S: each file assembles to
# nothing on the other architecture).
SOURCES = sorted(glob.glob("gox_ref_native/src/*.c")) + sorted(glob.glob("gox_ref_native/src/*.S"))
DEPENDS = [*sorted(glob.glob("gox_ref_native/src/*.h")), "gox_ref_native/src/symbols_table.inc", "gox_ref_native/gox_abi.h"]


class BuildPlainLibrary(build_ext):
    """build_ext for a library that is not a Python module: it exports no PyInit_ symbol."""

    def get_export_symbols(self, ext: Extension) -> list[str]:
        return []

    def build_extensions(self) -> None:
        if ".S" not in self.compiler.src_extensions:  # preprocessed assembly, compiled by cc
            self.compiler.src_extensions.append(".S")
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "gox_ref_native._libgox",
            sources=SOURCES,
            depends=DEPENDS,
            # frame pointers: stack maps over real frames walk them; stack-clash probes: no frame
            # jumps over a goroutine stack's guard (gox_ref_native/README.md)
            extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-fno-omit-frame-pointer",
                                "-fstack-clash-protection"],
            libraries=["m", "pthread"],
        )
    ],
    cmdclass={"build_ext": BuildPlainLibrary},
)
