"""Shared fixtures and helpers for the runtime tests.

Helpers are plain functions so test modules can import them (``from conftest import ...``).

Backends: a test that asks for ``rt`` or ``env`` (or for ``backend``, to make runtimes of its
own with ``new_runtime``) runs once on each backend, the reference (``RefRuntime``, test id
``[ref]``) and the C runtime (``NativeRuntime``, ``[native]``), and sees both through the same
interface: the ABI's methods, ``heap_snapshot``/``canonical``/``ref_number`` and the
inspection calls (``is_live``, ``object_kind``, ``object_slots``, ``object_color``), never a
backend's internals.  A test that can run on the reference only (Python goroutines: the
native binding exposes the heap half; the reference's own internals) is marked
``@pytest.mark.reference_only("why")``, or its whole module with ``pytestmark``.  Where the
native library is missing its tests skip, except under CI (``$CI`` set), where they fail.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeAlias

import pytest

from gox_abi.sinks import Sink
from gox_ref import GoxError, RefRuntime, ValueKind
from gox_ref_native import NativeRuntime

K = ValueKind
NO_TYPE = 0xFFFF
U64 = (1 << 64) - 1
BACKENDS = ("ref", "native")
Runtime: TypeAlias = RefRuntime | NativeRuntime
# The concurrency half's Python tests: NativeRuntime binds the heap half, and the C scheduler,
# channels, select, defer and iterators run in compiled programs instead (the corpus,
# tests/test_native_programs.py, tests/test_native_sched.py, tests/test_native_parallel.py).
PYTHON_GOROUTINES = pytest.mark.reference_only("goroutines written in Python run on the reference alone")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reference_only(why): run the test on the reference runtime only, for the reason given"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend`` (what ``rt`` and ``env`` stand on): both backends, or the reference alone;
    a test that parametrizes ``backend`` itself chooses its own."""
    if "backend" not in metafunc.fixturenames or any(
        "backend" in _argnames(m.args[0]) for m in metafunc.definition.iter_markers("parametrize")
    ):
        return
    only = metafunc.definition.get_closest_marker("reference_only")
    if only is not None:
        assert only.args and only.args[0], f"{metafunc.definition.nodeid}: reference_only needs its reason"
    metafunc.parametrize("backend", ["ref"] if only is not None else BACKENDS)


def _argnames(names: str | Sequence[str]) -> list[str]:
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


def native_unavailable(e: Exception, *, module: bool = False) -> NoReturn:
    """Skip where the native backend is missing (the calling module with ``module``); under CI,
    which has every tool, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"native backend unavailable: {e}", pytrace=False)
    pytest.skip(f"native backend unavailable: {e}", allow_module_level=module)


def go_or_skip() -> Any:
    """The installed Go (gox_program.gotwin.Go); skip without it, but fail where it is required
    (GOX_REQUIRE_GO or CI: gotwin.go_required)."""
    from gox_program import gotwin  # only the tests that run Go need the program layer

    try:
        return gotwin.find_go()
    except gotwin.GoUnavailable as e:
        if gotwin.go_required():
            pytest.fail(f"Go is required here (GOX_REQUIRE_GO or CI): {e}", pytrace=False)
        pytest.skip(str(e))


def tcc_or_skip() -> str:
    """TinyCC, the fuzzer's batch compiler (gox_program.native.fast_compiler): its path; skip
    without it, but fail under CI, which installs it (.ci/run)."""
    from gox_program import native

    path = shutil.which(native.FAST_CC)
    if path is None:
        why = f"{native.FAST_CC} (TinyCC, the fuzzer's fast compiler) is not on PATH"
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI needs it", pytrace=False)
        pytest.skip(why)
    return path


def new_runtime(backend: str, out: Sink | None = None) -> Runtime:
    """A fresh runtime of ``backend`` ("ref" or "native")."""
    if backend == "ref":
        return RefRuntime(out=out)
    assert backend == "native", backend
    try:
        return NativeRuntime(out=out)
    except OSError as e:  # pragma: no cover - depends on the machine (FileNotFoundError: not built)
        native_unavailable(e)


class Env:
    """A runtime whose debug output goes to a buffer."""

    def __init__(self, backend: str) -> None:
        self.out = io.BytesIO()
        self.rt = new_runtime(backend, out=self.out)

    def output(self) -> bytes:
        data = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return data


@pytest.fixture
def env(backend: str) -> Iterator[Env]:
    e = Env(backend)
    yield e
    if isinstance(e.rt, NativeRuntime):
        e.rt.close()


@pytest.fixture
def rt(env: Env) -> Runtime:
    return env.rt


def gstr(rt: Runtime, text: str | bytes) -> int:
    """A new GoX string holding ``text`` (UTF-8 for str)."""
    data = text.encode() if isinstance(text, str) else text
    return int(rt.gox_rt_string_from_ptr(data))


def sread(rt: Runtime, ref: int) -> bytes:
    return bytes(rt.gox_string_read(ref))


def f64(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def from_f64(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", bits & U64))[0])


def f32(x: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def s64(v: int) -> int:
    """A u64 slot read back as a signed int64."""
    v &= U64
    return v - (1 << 64) if v >> 63 else v


def int_slice(rt: Runtime, vals: list[int], cap: int | None = None) -> int:
    s = int(rt.gox_rt_slice_create(K.INT, NO_TYPE, len(vals), len(vals) if cap is None else cap))
    for i, v in enumerate(vals):
        rt.gox_slice_set(s, i, v)
    return s


def expect_error(
    rt: Runtime,
    exc: type[GoxError],
    call: Callable[[], Any],
    *needles: str,
    exact: str | None = None,
) -> GoxError:
    """Run ``call``; it must raise ``exc`` and leave the heap exactly as it was.

    ``needles`` must all occur in the message (ABI errors name the function and the bad
    value); ``exact`` is Go's full panic text.
    """
    before = rt.heap_snapshot().canonical()
    with pytest.raises(exc) as info:
        call()
    err = info.value
    msg = str(err)
    if exact is not None:
        assert msg == exact
    for n in needles:
        assert n in msg, f"{n!r} not in {msg!r}"
    assert rt.heap_snapshot().canonical() == before, "the failing call changed the heap"
    return err


# -- programs (the concurrency tests) ---------------------------------------------------------

Main = Callable[[RefRuntime], Any]


def run(main: Main, seed: int = 0, rt: RefRuntime | None = None) -> tuple[int, bytes, bytes]:
    """Run ``main`` as a program: (exit status, stdout, stderr)."""
    rt = rt if rt is not None else RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    rt.set_output(out, err)
    status = rt.run_main(main, [], seed=seed)
    return status, out.getvalue(), err.getvalue()


def native_library_or_skip(*, sched: bool = False) -> Any:
    """The native backend's library (``gox_program.native.Library``), or skip the calling
    module where there is none (no C compiler, no built library) or, with ``sched``, where it
    lacks the scheduler."""
    from gox_program import native

    try:
        lib = native.library()
        native.compiler()
    except native.NativeUnavailable as e:  # pragma: no cover - depends on the machine
        native_unavailable(e, module=True)
    if sched and not lib.sched:  # pragma: no cover - the scheduler is in the library
        pytest.skip("the native library has no scheduler", allow_module_level=True)
    return lib


def build_library(dest: Path, cflags: str = "-O1", *, patch: tuple[str, str, str] | None = None,
                  exported: Sequence[str] | None = None, cc: str | None = None) -> Path:
    """A variant of the C runtime, built by the package's Makefile in ``dest`` (a user's library
    in the tests of docs/YOUR_RUNTIME.md): ``cflags`` (-O1 for time; -O0 trips gcc's
    -Wuse-after-free in oom.c under -Werror), ``patch`` = (file in src/, old text, new text) a
    planted bug, ``exported`` the only symbols it exports (a linker version script), ``cc``
    another compiler."""
    package = Path(__file__).resolve().parents[1] / "gox_ref_native"
    shutil.copytree(package / "src", dest / "src")
    for f in ("Makefile", "gox_abi.h"):
        shutil.copy(package / f, dest / f)
    if patch is not None:
        src = dest / "src" / patch[0]
        text = src.read_text()
        assert text.count(patch[1]) == 1, f"the planted text is not in {patch[0]} exactly once"
        src.write_text(text.replace(patch[1], patch[2]))
    if exported is not None:
        script = dest / "exports.map"
        script.write_text("{ global: " + "".join(f"{s}; " for s in exported) + "local: *; };\n")
        cflags += f" -Wl,--version-script={script}"
    args = ["make", "-s", "-C", str(dest), "libgox.so", f"CFLAGS={cflags}", *([f"CC={cc}"] if cc else [])]
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return dest / "libgox.so"
