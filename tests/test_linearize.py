"""The channel history (gox_ref_native/src/history.c, gox_program/history.py) and the
linearizability checker (gox_program/linearize.py; docs/SCHEDULER.md, "Checking channels for
linearizability").

1. The checker on hand-written histories: linearizable ones and not, the classic queue
   examples among them, unbuffered rendezvous, close, len/cap, select defaults, the report and
   its minimal sub-history, the step budget.
2. Recording: what the native runtime writes, a parked operation recorded by its waker, a bad
   ``$GOX_CHAN_HISTORY``.
3. The stress programs of tests/data/lincheck with 2, 4 and 8 workers: the outputs Go 1.19.8
   printed for their twins (NAME.go) and linearizable histories; the same under ThreadSanitizer.
4. A planted bug, a buffered channel whose two newest values swap when it holds three (it
   reorders under contention): the checker finds it and shrinks it to four operations.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import native_library_or_skip, native_unavailable

from gox_program import history, load, native
from gox_program.cli import main as cli_main
from gox_program.history import History, HistoryError, Op
from gox_program.linearize import Spec, Unknown, _search, check, check_channel, shrink

DATA = Path(__file__).resolve().parent / "data" / "lincheck"


def op(kind: str, t0: int, t1: int, value: int = 0, ok: bool = True, gid: int = 1) -> Op:
    return Op(kind, 1, t0, t1, value, ok, gid)


def linearizes(cap: int, *ops: Op) -> bool:
    return check_channel(1, cap, list(ops)) is None


# -- 1. the checker ---------------------------------------------------------------------------------
def test_a_buffered_channel_is_fifo_in_real_time() -> None:
    s1, s2 = op("send", 0, 1, 1), op("send", 2, 3, 2)
    assert linearizes(2, s1, s2, op("recv", 4, 5, 1), op("recv", 6, 7, 2))
    assert not linearizes(2, s1, s2, op("recv", 4, 5, 2), op("recv", 6, 7, 1))
    # overlapping sends may have gone in either order
    assert linearizes(2, op("send", 0, 3, 1), op("send", 1, 2, 2), op("recv", 4, 5, 2), op("recv", 6, 7, 1))


def test_the_classic_queue_examples() -> None:
    """Herlihy and Wing's FIFO queue histories (a buffered channel is a bounded queue): enq(x)
    overlapping enq(y), then deq()=y: linearizable (y went first); enq(x) before enq(y) in real
    time, then deq()=y: not; a deq overlapping the enq of its value: linearizable."""
    assert linearizes(4, op("send", 0, 10, 1), op("send", 5, 15, 2), op("recv", 20, 30, 2))
    assert not linearizes(4, op("send", 0, 10, 1), op("send", 11, 15, 2), op("recv", 20, 30, 2))
    assert linearizes(4, op("send", 0, 10, 1), op("recv", 5, 15, 1))
    assert not linearizes(4, op("recv", 0, 4, 1), op("send", 5, 10, 1))  # a value received before it was sent


def test_capacity_and_len() -> None:
    assert not linearizes(1, op("send", 0, 1, 1), op("send", 2, 3, 2))  # a second value in a buffer of one
    assert linearizes(1, op("send", 0, 1, 1), op("send", 2, 9, 2), op("recv", 5, 6, 1))  # the second waited
    assert linearizes(2, op("send", 0, 1, 1), op("len", 2, 3, 1), op("cap", 2, 3, 2))
    assert not linearizes(2, op("send", 0, 1, 1), op("len", 2, 3, 0))
    assert not linearizes(2, op("cap", 0, 1, 3))


def test_an_unbuffered_send_and_its_receive_happen_together() -> None:
    assert linearizes(0, op("send", 0, 10, 5), op("recv", 5, 15, 5))
    assert not linearizes(0, op("send", 0, 10, 5), op("recv", 11, 15, 5))  # no overlap: no rendezvous
    assert not linearizes(0, op("send", 0, 10, 5))  # a send completed with nobody receiving
    assert not linearizes(0, op("recv", 0, 10, 5))
    # two senders and two receivers, all concurrent: any pairing by value
    assert linearizes(0, op("send", 0, 10, 1), op("send", 0, 10, 2), op("recv", 1, 11, 2), op("recv", 1, 11, 1))
    # pairs are ordered too: 1 handed over (and returned) before 2's rendezvous started
    assert not linearizes(0, op("send", 0, 3, 1), op("recv", 1, 10, 2), op("send", 4, 12, 2), op("recv", 13, 14, 1))


def test_close() -> None:
    sent, closed = op("send", 0, 1, 7), op("close", 2, 3)
    assert linearizes(2, sent, closed, op("recv", 4, 5, 7), op("recv", 6, 7, 0, ok=False))  # drained, then 0, false
    assert not linearizes(2, sent, closed, op("recv", 4, 5, 0, ok=False))  # 7 is still buffered
    assert not linearizes(2, closed, op("send", 4, 5, 1))  # a send after close panics
    assert linearizes(2, closed, op("send", 4, 5, 1, ok=False))
    assert not linearizes(2, op("send", 0, 1, 1, ok=False))  # a panic with the channel open
    assert linearizes(2, closed, op("close", 4, 5, ok=False))
    assert not linearizes(2, closed, op("close", 4, 5))
    # a receiver parked across the close wakes with ok false; one that returned before it cannot
    assert linearizes(0, op("recv", 0, 10, 0, ok=False), op("close", 5, 6))
    assert not linearizes(0, op("recv", 0, 4, 0, ok=False), op("close", 5, 6))
    # no rendezvous after close: a parked sender panics instead
    assert not linearizes(0, op("close", 0, 1), op("send", 2, 5, 3), op("recv", 2, 5, 3))


def test_select_defaults_are_failed_polls() -> None:
    assert linearizes(1, op("recv-default", 0, 1), op("send", 2, 3, 1), op("send-default", 4, 5))
    assert not linearizes(1, op("send", 0, 1, 1), op("recv-default", 2, 3))  # a value was there
    assert not linearizes(1, op("send-default", 0, 1))  # there was room
    assert not linearizes(1, op("close", 0, 1), op("recv-default", 2, 3))  # closed: the receive is ready
    assert linearizes(0, op("recv-default", 0, 1), op("send-default", 0, 1))  # nobody waiting


def test_the_specification_is_the_references_rules() -> None:
    """Spec applies gox_ref/chan.py's try_send/try_recv: a value travels in order, a full buffer
    refuses, a closed channel panics a send and gives (0, False) once drained."""
    spec = Spec(2)
    s = spec.step(((), False), op("send", 0, 1, 4))
    assert s == ((4,), False)
    assert spec.step(((4, 5), False), op("send", 0, 1, 6)) is None
    assert spec.step(((4, 5), False), op("recv", 0, 1, 4)) == ((5,), False)
    assert spec.step(((), True), op("recv", 0, 1, 0, ok=False)) == ((), True)
    assert spec.step(((), True), op("send", 0, 1, 1, ok=False)) == ((), True)
    assert Spec(0).rendezvous(((), False), op("send", 0, 1, 3), op("recv", 0, 1, 3)) == ((), False)
    assert Spec(0).rendezvous(((), False), op("send", 0, 1, 3), op("recv", 0, 1, 4)) is None


def test_the_report_names_the_operations_and_a_minimal_sub_history() -> None:
    us = 1000  # (the history's times are nanoseconds; the report shows microseconds)
    ops = [op("send", 0, 1 * us, 1, gid=2), op("send", 2 * us, 3 * us, 2, gid=2), op("len", 3 * us, 4 * us, 2, gid=3),
           op("send", 5 * us, 6 * us, 3, gid=4), op("recv", 7 * us, 8 * us, 2, gid=3),
           op("recv", 10 * us, 11 * us, 1, gid=3), op("recv", 12 * us, 13 * us, 3, gid=3)]
    v = check_channel(9, 4, ops)
    assert v is not None and v.chan == 9
    assert v.report().splitlines() == [
        "channel 9 (buffered, cap 4): not linearizable (7 operations; times in us from its first)",
        "  the longest linearization found orders 4 of them; its last 4:",
        "    g2 send 1  [0.0, 1.0] us",
        "    g2 send 2  [2.0, 3.0] us",
        "    g3 len -> 2  [3.0, 4.0] us",
        "    g4 send 3  [5.0, 6.0] us",
        "  after it the channel is open, buffer [1, 2, 3]",
        "  and this operation had returned but cannot come next:",
        "    g3 recv -> 2 ok  [7.0, 8.0] us",
        # the minimal sub-history: 1 and 2 sent in this order, received the other way round
        "  a minimal non-linearizable sub-history (4 operations):",
        "    g2 send 1  [0.0, 1.0] us",
        "    g2 send 2  [2.0, 3.0] us",
        "    g3 recv -> 2 ok  [7.0, 8.0] us",
        "    g3 recv -> 1 ok  [10.0, 11.0] us",
    ]


def test_shrink_keeps_what_explains_itself() -> None:
    """Dropping a send drops the receives of its value, and the close drops with what it
    caused: the minimal history is never one receive of a value nobody sent."""
    ops = [op("send", 0, 1, 1), op("recv", 2, 3, 1), op("close", 4, 5), op("recv", 6, 7, 0, ok=False),
           op("send", 8, 9, 2, ok=False), op("close", 10, 11)]  # the second close did not panic
    got = shrink(Spec(1), ops)
    assert got is not None and sorted((o.kind, o.ok) for o in got) == [
        ("close", True), ("close", True), ("recv", False), ("send", False)]


def test_a_violation_that_needs_an_observer_has_no_minimal_history() -> None:
    v = check_channel(1, 2, [op("send", 0, 1, 1), op("len", 2, 3, 2), op("recv", 4, 5, 1)])
    assert v is not None and v.minimal is None and "minimal" not in v.report()


def test_the_step_budget_gives_unknown_not_a_verdict() -> None:
    ops = [op("send", 0, 100, i) for i in range(8)] + [op("recv", 101, 102, i) for i in range(8)]
    assert _search(Spec(8), ops, 10_000) is None
    with pytest.raises(Unknown, match="over 5 search steps"):
        _search(Spec(8), ops, 5)
    h = History({1: 8}, ops)
    rep = check(h, budget=5)
    assert not rep.ok and rep.unknown == ["channel 1: undecided: over 5 search steps"]


def test_channels_are_checked_separately() -> None:
    h = History({1: 1, 2: 0}, [Op("send", 1, 0, 1, 5), Op("recv", 1, 2, 3, 5),
                               Op("send", 2, 0, 9, 6), Op("recv", 2, 1, 10, 6), Op("recv", 3, 0, 1, 1)])
    rep = check(h)
    assert (rep.channels, rep.ops, [v.chan for v in rep.violations]) == (3, 5, [])
    assert rep.unknown == ["channel 3: no make record (made outside the recorded run): not checked"]


# -- the history file ---------------------------------------------------------------------------------
def test_parse_reads_each_record_kind() -> None:
    lines = [
        {"op": "make", "w": 0, "g": 1, "t0": 1, "t1": 2, "chan": 3, "cap": 2, "elem": 2},
        {"op": "send", "w": 0, "g": 1, "t0": 3, "t1": 4, "chan": 3, "value": 9, "panic": False},
        {"op": "recv", "w": 1, "g": 2, "t0": 5, "t1": 6, "chan": 3, "value": 9, "ok": True},
        {"op": "close", "w": 0, "g": 1, "t0": 7, "t1": 8, "chan": 3, "panic": True},
        {"op": "select", "w": 0, "g": 1, "t0": 9, "t1": 10, "chan": 3, "case": 1, "dir": "send", "value": 4,
         "ok": False, "ncases": 2},
        {"op": "select", "w": 0, "g": 1, "t0": 11, "t1": 12, "chan": 3, "case": -1, "dir": "recv", "value": 0,
         "ok": True, "ncases": 1},
        {"op": "select", "w": 0, "g": 1, "t0": 13, "t1": 14, "case": -1, "dir": "send", "value": 0, "ok": True,
         "ncases": 2},
        {"op": "len", "w": 0, "g": 1, "t0": 15, "t1": 16, "chan": 3, "value": 0},
    ]
    h = history.parse("\n".join(json.dumps(x) for x in lines))
    assert h.caps == {3: 2} and h.unchecked == 1
    assert [(o.kind, o.value, o.ok, o.gid, o.case) for o in h.ops] == [
        ("send", 9, True, 1, None), ("recv", 9, True, 2, None), ("close", 0, False, 1, None),
        ("send", 4, False, 1, 1), ("recv-default", 0, True, 1, -1), ("len", 0, True, 1, None)]


@pytest.mark.parametrize(("line", "message"), [
    ("nope", "h:1: not JSON: Expecting value"),
    ("[1]", "h:1: expected a JSON object"),
    ('{"op": "send", "g": 1, "t0": 1}', "h:1: no 't1'; expected an integer"),
    ('{"op": "send", "g": 1, "t0": 5, "t1": 4, "chan": 1, "value": 1}', "h:1: t1=4 is before t0=5"),
    ('{"op": "poke", "g": 1, "t0": 1, "t1": 2, "chan": 1}', "h:1: unknown operation 'poke'"),
])
def test_parse_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(HistoryError) as e:
        history.parse(line, "h")
    assert str(e.value).startswith(message)


# -- 2. recording -------------------------------------------------------------------------------------
def _lib() -> native.Library:
    """The native library (the native tests skip without it; the checker's tests need none)."""
    lib: native.Library = native_library_or_skip(sched=True)
    return lib


ONE_OF_EACH = """
func main() {
    var c ref = gox_chan_new(kind.Int, 1)
    gox_chan_send(c, 41)
    gox_chan_len(c)
    gox_chan_cap(c)
    gox_debug_print(gox_chan_recv(c), kind.Int)
    gox_select_start(1, true)
    gox_select_add_recv(c)
    gox_select_exec()
    gox_chan_close(c)
    var v u64
    var ok bool
    v, ok = gox_chan_recv_ok(c)
}
"""


def test_the_runtime_records_each_operation(tmp_path: Path) -> None:
    exe = native.build(load(ONE_OF_EACH, "one.gox"), _lib())
    path = tmp_path / "h.jsonl"
    o = native.run_exe(exe, 0, history=path)
    assert (o.status, o.stdout) == (0, b"41\n")
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    shape = [(r["op"], r.get("value"), r.get("ok"), r.get("panic"), r.get("case")) for r in recs]
    assert shape == [("make", None, None, None, None), ("send", 41, None, False, None), ("len", 1, None, None, None),
                     ("cap", 1, None, None, None), ("recv", 41, True, None, None),
                     ("select", 0, True, None, -1), ("close", None, None, False, None), ("recv", 0, False, None, None)]
    assert all(r["g"] == 1 and r["w"] == 0 and 0 < r["t0"] <= r["t1"] for r in recs)
    assert recs[0]["cap"] == 1 and all(r["chan"] == recs[0]["chan"] for r in recs)
    ts = [r["t0"] for r in recs]
    assert ts == sorted(ts)  # one goroutine: in program order
    assert check(history.read(path)).ok


PARKED_AT_EXIT = """
func give(out ref, v i64) {
    gox_chan_send(out, v)
}

func main() {
    var out ref = gox_chan_new(kind.Int, 0)
    go give(out, 1)
    go give(out, 2)
    gox_debug_print(gox_chan_recv(out) + gox_chan_recv(out), kind.Int)
}
"""


@pytest.mark.parametrize("workers", [1, 4])
def test_a_parked_operation_is_recorded_by_the_goroutine_that_completes_it(workers: int) -> None:
    """main receives from the two parked senders and returns: the program is over before they
    run again.  Their sends took effect, so the history must hold them (recorded when main woke
    them), or main's receives would have no sender and the checker would report a violation."""
    exe = native.build(load(PARKED_AT_EXIT, "parked.gox"), _lib())
    o, h = history.run_recorded(exe, 0, workers)
    assert (o.status, o.stdout) == (0, b"3\n")
    sends = sorted((x.value, x.gid) for x in h.ops if x.kind == "send")
    assert [v for v, _ in sends] == [1, 2] and {g for _, g in sends} == {2, 3}
    assert check(h).ok


def test_an_unwritable_history_path_is_an_abi_error(tmp_path: Path) -> None:
    exe = native.build(load(PARKED_AT_EXIT, "parked.gox"), _lib())
    o = native.run_exe(exe, 0, history=tmp_path / "no" / "such" / "dir.jsonl")
    assert o.status == 3 and o.stdout == b""
    assert (f"gox-ref: ABI error: gox_run_main: $GOX_CHAN_HISTORY={tmp_path}/no/such/dir.jsonl cannot be written: "
            "No such file or directory; expected a file path") in o.stderr.decode()


def test_nothing_is_recorded_without_the_variable(tmp_path: Path) -> None:
    exe = native.build(load(PARKED_AT_EXIT, "parked.gox"), _lib())
    o = native.run_exe(exe, 0, workers=2)
    assert (o.status, o.stdout) == (0, b"3\n")
    assert not list(tmp_path.iterdir())


# -- 3. the stress programs -----------------------------------------------------------------------------
# What Go 1.19.8 printed for each program's twin (tests/data/lincheck/NAME.go, also in the
# program's header); test_go_twins_print_it checks it against the installed Go.
GO_OUTPUT = {
    "buffered_mpmc": b"total 1279600\n",
    "select_mix": b"total 1424750\nclosed 0 false 0 false 0 false\n",
    "close_panics": b"received 100 recovered 4 woken 0 false\n",
    "range_fanin": b"total 1279600 count 800\n",
}
STRESS = tuple(GO_OUTPUT)


@pytest.mark.parametrize("name", STRESS)
def test_go_twins_print_it(name: str, tmp_path: Path) -> None:
    from conftest import go_or_skip

    from gox_program import gotwin

    go = go_or_skip()
    o = gotwin.run_exe(gotwin.build(go, DATA / f"{name}.go", tmp_path))
    assert (o.status, o.stdout, o.stderr) == (0, GO_OUTPUT[name], b"")


@pytest.mark.parametrize("workers", [2, 4, 8])
@pytest.mark.parametrize("name", STRESS)
def test_stress_programs_are_linearizable(name: str, workers: int) -> None:
    exe = native.build(load((DATA / f"{name}.gox").read_text(), f"{name}.gox"), _lib())
    for seed in (1, 2):
        o, h = history.run_recorded(exe, seed, workers)
        assert (o.status, o.stdout) == (0, GO_OUTPUT[name]), o.stderr.decode(errors="replace")[-2000:]
        rep = check(h)
        assert rep.ok, rep.summary()
        assert rep.ops > 200 and rep.channels >= 3


@pytest.fixture(scope="module")
def tsan_lib() -> Path:
    package = Path(native.__file__).resolve().parents[1] / "gox_ref_native"
    proc = subprocess.run(["make", "-s", "-C", str(package), "tsan"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return package / "libgox-tsan.so"


def test_recording_under_tsan(tsan_lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Recording with 4 and 8 workers under ThreadSanitizer: no race (TSan's exit status would
    fail the run), and still linearizable."""
    _lib()
    monkeypatch.setenv("GOX_NATIVE_LIB", str(tsan_lib))
    lib = native.library()
    assert lib.tsan and lib.sched
    for name in STRESS:
        exe = native.build(load((DATA / f"{name}.gox").read_text(), f"{name}.gox"), lib)
        for workers in (4, 8):
            o, h = history.run_recorded(exe, 3, workers, timeout=240)
            assert (o.status, o.stdout) == (0, GO_OUTPUT[name]), o.stderr.decode(errors="replace")[-3000:]
            assert check(h).ok


# -- the command --------------------------------------------------------------------------------------
def test_lincheck_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _lib()
    prog = str(DATA / "close_panics.gox")
    assert cli_main(["lincheck", prog, "--workers", "4", "--runs", "2", "--seed", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in out] == ["run 1/2 (seed 5, 4 workers, exit 0)",
                                                          "run 2/2 (seed 6, 4 workers, exit 0)"]
    assert all(line.endswith("channels: linearizable") for line in out)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"op": "make", "g": 1, "t0": 1, "t1": 2, "chan": 1, "cap": 1}\n'
                   '{"op": "recv", "g": 1, "t0": 3, "t1": 4, "chan": 1, "value": 5, "ok": true}\n')
    assert cli_main(["lincheck", "--history", str(bad)]) == 1
    out2 = capsys.readouterr().out
    assert out2.startswith("1 operations on 1 channels: NOT linearizable\nchannel 1 (buffered, cap 1)")


@pytest.mark.parametrize(("args", "message"), [
    (["lincheck"], "lincheck: give a program FILE or --history PATH (not both)"),
    (["lincheck", "x.gox", "--history", "h"], "lincheck: give a program FILE or --history PATH (not both)"),
    (["lincheck", "x.gox", "--workers", "0"], "lincheck: --workers 0: expected 1..64"),
    (["lincheck", "x.gox", "--runs", "0"], "lincheck: --runs 0: expected at least 1"),
])
def test_lincheck_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(args) == 2
    assert capsys.readouterr().err == f"gox-ref: error: {message}\n"


# -- 4. the planted bug ---------------------------------------------------------------------------------
def test_the_checker_catches_a_buffered_channel_that_reorders_under_contention(tmp_path: Path) -> None:
    """The library built with chan_buf_append (gox_internal.h) swapping the two newest values
    whenever the buffer holds three (tools/mutants.py builds it, at -O1 for speed): buffered_mpmc still
    prints the right total (a sum cannot see an order), but its history is not linearizable,
    and the report's minimal sub-history is two sends received in the opposite order."""
    from tools import mutants, variant
    from tools.mutant_table import Edit, Mutant

    _lib()
    push = "    st->buf[chan_buf_index(st, st->len)] = v;\n    st->len++;\n}"
    swap = ("    st->buf[chan_buf_index(st, st->len)] = v;\n    st->len++;\n"
            "    if (st->len >= 3) {\n"
            "        size_t a = chan_buf_index(st, st->len - 1), b = chan_buf_index(st, st->len - 2);\n"
            "        uint64_t t = st->buf[a];\n        st->buf[a] = st->buf[b];\n        st->buf[b] = t;\n    }\n"
            "}")
    planted = Mutant("chan-buf-swap-contended", "c-only", "a full-ish buffer swaps its two newest values",
                     (Edit("gox_ref_native/src/gox_internal.h", push, swap),))
    try:
        root, lib = mutants.prepare(planted, tmp_path, "-O1")
    except variant.StepFailed as e:
        native_unavailable(e)
    env = variant.gox_env(root, lib, tmp_path / "cache")
    proc = variant.gox_ref(root, ["lincheck", str(DATA / "buffered_mpmc.gox"), "--workers", "4"], env, capture=True)
    assert proc.returncode == 1, proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("run 1/1 (seed 0, 4 workers, exit 0): ") and lines[0].endswith("NOT linearizable")
    assert lines[1].startswith("channel ") and "(buffered, cap 3): not linearizable" in lines[1]
    at = lines.index("  a minimal non-linearizable sub-history (4 operations):")
    minimal = [line.split()[1:4] for line in lines[at + 1:at + 5]]
    sends = [int(m[1]) for m in minimal if m[0] == "send"]
    recvs = [int(m[2]) for m in minimal if m[0] == "recv"]
    assert len(sends) == 2 and recvs == sends[::-1]
