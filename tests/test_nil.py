"""A nil reference where Go dereferences a pointer is Go's recoverable nil-dereference panic,
on both backends (docs/decisions.md "Nil dereference is Go's panic"); freed and forged
references stay ABI errors; the report of a goroutine that had one ends its panic lines with
Go's signal line, by Go's rule (gp.sig), checked against the Go twins' real output in
conformance/errors/nil_*.gox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import NO_TYPE, K, Runtime, native_library_or_skip

from gox_abi.errors import GoxABIError, GoxPanic
from gox_program import case, load, native
from gox_program.corpus import CORPUS_ROOT

NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"
# Go 1.19.8 prints its pc (e.g. pc=0x457c76); the project has none and prints 0x0
SIGNAL_LINE = "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]"
FORGED = 0x1234  # never allocated

Objs = dict[str, int]


def _objs(rt: Runtime) -> Objs:
    t = rt.gox_type_register(b"main.T", bytes([0, 0]))
    return {
        "st": rt.gox_rt_alloc(K.STRUCT, t, 2),
        "arr": rt.gox_rt_array_create(K.INT, NO_TYPE, 3),
        "box": rt.gox_rt_upval_box_create(K.INT, 5),
        "c": rt.gox_rt_closure_create(1, NO_TYPE, 1),
        "bi": rt.gox_rt_box(K.BOXED_INT, 5),
    }


# Each call that dereferences in Go terms, as (symbol, the object it takes, its arguments
# with the reference first), and what Go does there.
DEREFS: list[tuple[str, str, Callable[[int], Sequence[int]]]] = [
    ("gox_gc_read_slot", "st", lambda r: (r, 0)),  # p.x
    ("gox_gc_write_slot", "st", lambda r: (r, 0, 7)),  # p.x = 7
    ("gox_gc_write_slot_barrier", "st", lambda r: (r, 0, 7)),  # the fused store
    ("gox_array_get", "arr", lambda r: (r, 0)),  # a[0], a *[3]int
    ("gox_array_set", "arr", lambda r: (r, 0, 7)),  # a[0] = 7
    ("gox_rt_array_slice", "arr", lambda r: (r, 0, 0)),  # a[0:0]: Go panics too
    ("gox_upval_box_get", "box", lambda r: (r,)),  # *p, p a *int
    ("gox_upval_box_set", "box", lambda r: (r, 7)),  # *p = 7
    ("gox_closure_func_id", "c", lambda r: (r,)),  # f() of a nil func
    ("gox_closure_get_upvalue", "c", lambda r: (r, 0)),
    ("gox_closure_set_upvalue", "c", lambda r: (r, 0, 7)),
    ("gox_box_get", "bi", lambda r: (r,)),
]
# (gox_iter_begin of a nil Array, a scheduler call: conformance/errors/nil_array_range.gox)
IDS = [d[0] for d in DEREFS]


@pytest.mark.parametrize(("sym", "obj", "args"), DEREFS, ids=IDS)
def test_nil_is_go_nil_dereference_panic(rt: Runtime, sym: str, obj: str, args: Callable[[int], Sequence[int]]) -> None:
    objs = _objs(rt)
    with pytest.raises(GoxPanic) as ei:
        getattr(rt, sym)(*args(0))
    assert str(ei.value) == NIL_DEREF
    # the runtime is intact: the same call on the live object works
    getattr(rt, sym)(*args(objs[obj]))


@pytest.mark.parametrize(("sym", "obj", "args"), DEREFS, ids=IDS)
def test_freed_and_forged_references_stay_abi_errors(
    rt: Runtime, sym: str, obj: str, args: Callable[[int], Sequence[int]]
) -> None:
    freed = _objs(rt)[obj]
    rt.gox_collect_garbage()  # nothing roots it
    assert not rt.is_live(freed)
    with pytest.raises(GoxABIError, match=f"^{sym.removesuffix('_barrier')}: .*is a freed reference"):
        getattr(rt, sym)(*args(freed))
    with pytest.raises(GoxABIError, match=f"^{sym.removesuffix('_barrier')}: 0x1234 is not a reference"):
        getattr(rt, sym)(*args(FORGED))


@pytest.mark.parametrize(
    ("sym", "args"),
    [
        # Go's len of a nil *[N]T is the constant N, the pointer not evaluated: the runtime
        # cannot know N, so the caller uses the static length
        ("gox_array_len", (0,)),
        ("gox_closure_upval_count", (0,)),  # no Go operation: introspection
        ("gox_rt_write_barrier", (0, 0)),  # the collector's, not a Go dereference
        ("gox_rt_mark_gray", (0,)),
    ],
)
def test_nil_stays_an_abi_error_where_go_does_not_dereference(rt: Runtime, sym: str, args: tuple[int, ...]) -> None:
    with pytest.raises(GoxABIError, match=f"^{sym}: nil reference, expected "):
        getattr(rt, sym)(*args)


# -- the report, on both backends, against the Go twins' real output ------------------------------
NIL_CASES = sorted((CORPUS_ROOT / "errors").glob("nil_*.gox"))


def _run(path: Path, backend: str, *, unchecked: bool = False) -> case.Outcome:
    text = path.read_text()
    if backend == "ref":
        return case.run_text(text, str(path), 0)
    native_library_or_skip()
    return native.run_exe(native.build(load(text, str(path))), 0, unchecked=unchecked)


def _go_stderr(c: case.Case) -> str:
    assert c.go is not None
    return str(c.go.get("stderr_prefix", c.go.get("stderr", "")))


BACKENDS: list[tuple[str, bool]] = [("ref", False), ("native", False), ("native", True)]


@pytest.mark.parametrize("path", NIL_CASES, ids=[p.stem for p in NIL_CASES])
@pytest.mark.parametrize(("backend", "unchecked"), BACKENDS, ids=["ref", "native", "native-unchecked"])
def test_output_matches_go_up_to_pc(path: Path, backend: str, unchecked: bool) -> None:
    """The program's output (stdout, then stderr: Go's println writes to stderr) starts as the Go
    twin's does, up to its pc; where Go printed the signal line ours is SIGNAL_LINE, where
    Go's output runs past the place for it (to the goroutine line) there is none."""
    c = case.load_case(path, CORPUS_ROOT)
    go = _go_stderr(c)
    o = _run(path, backend, unchecked=unchecked)
    got = (o.stdout + o.stderr).decode()
    assert got.startswith(go), got
    if "[signal SIGSEGV" in go:
        line = got[got.index("[signal") :].split("\n", 1)[0]
        assert line == SIGNAL_LINE
        assert f"\n{SIGNAL_LINE}\n\ngoroutine " in got
    elif "goroutine" in go or c.expect == "stdout":
        assert "[signal" not in got, got


def test_the_issue_chain_report_whole() -> None:
    """Go 1.19.8: panic: (main.T) 0x4bcac8 [recovered], the nil dereference [recovered],
    main.F(+1.500000e+000) [recovered], main.B(true), then the signal line: the same here,
    with the canonical address, on both backends."""
    want = (
        "panic: (main.T) 0x10000010 [recovered]\n"
        f"\tpanic: {NIL_DEREF} [recovered]\n"
        "\tpanic: main.F(+1.500000e+000) [recovered]\n"
        "\tpanic: main.B(true)\n"
        f"{SIGNAL_LINE}\n\ngoroutine 1 [running]:\nmain.main(...)\n"
    )
    path = CORPUS_ROOT / "errors" / "nil_deref_chain.gox"
    for backend, unchecked in BACKENDS:
        o = _run(path, backend, unchecked=unchecked)
        assert (o.status, o.stderr.decode()) == (2, want), backend
