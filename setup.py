"""Builds the native runtime's shared library with the package (pip install . / -e .).

The library is a plain C shared library (no Python C API): ``gox_ref_native/runtime.py``
loads it with ctypes.  Project metadata lives in pyproject.toml.
"""

from __future__ import annotations

import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCES = sorted(glob.glob("gox_ref_native/src/*.c"))
DEPENDS = [*sorted(glob.glob("gox_ref_native/src/*.h")), "gox_ref_native/src/symbols_table.inc", "gox_ref_native/gox_abi.h"]


class BuildPlainLibrary(build_ext):
    """build_ext for a library that is not a Python module: it exports no PyInit_ symbol."""

    def get_export_symbols(self, ext: Extension) -> list[str]:
        return []


setup(
    ext_modules=[
        Extension(
            "gox_ref_native._libgox",
            sources=SOURCES,
            depends=DEPENDS,
            extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"],
            libraries=["m"],
        )
    ],
    cmdclass={"build_ext": BuildPlainLibrary},
)
