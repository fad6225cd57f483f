"""A variant build of the C runtime, and ``gox-ref`` run against it: the steps tools/coverage.py
(a gcov build of this checkout) and tools/mutants.py (a patched copy of the checkout) share.

* ``copy_tree(dest)``: the checkout's sources (the packages, the corpus, the tools) copied to
  ``dest``, without build products, so that a patch never touches the user's checkout.
* ``make(native_dir, target)``: ``make -s -C native_dir TARGET`` (the Makefile's variants:
  libgox.so, libgox-cov.so, ...).
* ``gox_env(root, lib, cache)``: the environment in which ``gox-ref`` imports the Python of
  ``root`` and every compiled program links with the library ``lib`` ($GOX_NATIVE_LIB), its
  programs built in their own cache ($GOX_NATIVE_CACHE: the cache key hashes the library, so
  a variant never reuses another's executables).
* ``gox_ref(root, args, env)``: ``python -m gox_program.cli ARGS`` in ``root``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# what a run of gox-ref needs: the four packages, the corpus and the tools
TREE = ("gox_abi", "gox_ref", "gox_ref_native", "gox_program", "conformance", "tools")
# build products and caches: a copy rebuilds its own
IGNORE = shutil.ignore_patterns("*.so", "*.o", "cov", "__pycache__", "*.gcda", "*.gcno", "build")


class StepFailed(Exception):
    """A step of a measurement could not run (a build, a tool)."""


def copy_tree(dest: Path, root: Path = ROOT) -> Path:
    for name in TREE:
        shutil.copytree(root / name, dest / name, ignore=IGNORE)
    return dest


def make(native_dir: Path, target: str, cflags: str | None = None) -> Path:
    """Build ``target`` with gox_ref_native/Makefile (``cflags`` instead of its CFLAGS); its path."""
    extra = [] if cflags is None else [f"CFLAGS={cflags}"]
    proc = subprocess.run(["make", "-s", "-C", str(native_dir), *extra, target], capture_output=True, text=True)
    if proc.returncode != 0:
        raise StepFailed(f"make -C {native_dir} {target} failed:\n{proc.stderr.strip()}")
    return native_dir / target


def gox_env(root: Path, lib: Path, cache: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    env["GOX_NATIVE_LIB"] = str(lib)
    env["GOX_NATIVE_CACHE"] = str(cache)
    return env


def gox_ref(root: Path, args: Sequence[str], env: Mapping[str, str], *, tag: str = "variant",
            capture: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``gox-ref ARGS`` from ``root`` (its progress on stderr; its output captured or
    discarded)."""
    cmd = [sys.executable, "-m", "gox_program.cli", *args]
    print(f"{tag}: gox-ref {' '.join(args)}", file=sys.stderr, flush=True)
    return subprocess.run(cmd, env=dict(env), cwd=root, text=True,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
