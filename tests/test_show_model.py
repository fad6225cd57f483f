"""The model of a run's states (gox_program/show/model.py) on the four programs of
examples/show/: goroutine states, a channel's queues, call stacks with defer frames, objects'
colours, and the deltas it stores them as."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gox_program.case import execute
from gox_program.check import load
from gox_program.show.model import Delta, Recorder, RunModel, State, apply, diff, empty_state, record_run
from gox_ref import RefRuntime

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "show"


def recorded(name: str, seed: int = 0) -> RunModel:
    path = EXAMPLES / f"{name}.gox"
    src = path.read_text()
    return record_run(load(src, str(path)), file=str(path), source=src, seed=seed)


def line_of(name: str, text: str) -> int:
    """The line (from 1) of the one source line of examples/show/NAME.gox holding ``text``."""
    lines = [i for i, ln in enumerate((EXAMPLES / f"{name}.gox").read_text().splitlines(), 1) if text in ln]
    assert len(lines) == 1, lines
    return lines[0]


def steps_of(m: RunModel, event: str) -> list[int]:
    return [s.index for s in m.steps if s.event == event]


def test_pingpong_queues_states_and_wakers() -> None:
    m = recorded("pingpong")
    assert m.status == 0
    # main (g1) sends 0 on ping before ponger (g2) ever ran: it parks in ping's send queue
    park = steps_of(m, "park")[0]
    assert m.steps[park].gid == 1 and m.steps[park].args == {"reason": "chan send"}
    st = m.state_at(park)
    g1, g2 = st["goroutines"]["1"], st["goroutines"]["2"]
    assert (g1["state"], g1["wait"]) == ("waiting", "chan send")
    ping = str(g1["chans"][0])
    assert st["channels"][ping]["sendq"] == [{"gid": 1, "case": -1, "value": 0}]
    assert st["channels"][ping]["recvq"] == [] and st["channels"][ping]["cap"] == 0
    assert g2["state"] == "runnable" and g2["func"] == "main.ponger"
    assert g1["stack"] == [["main", line_of("pingpong", "gox_chan_send(ping, n)")]]
    # ponger takes the value from the parked sender and wakes main
    recv = next(i for i in steps_of(m, "recv") if i > park)
    assert m.steps[recv].args == {"chan": int(ping), "value": 0, "sender": 1}
    wake = recv + 1
    assert m.steps[wake].event == "wake" and m.steps[wake].args == {"target": 1}
    st = m.state_at(wake)
    assert st["channels"][ping]["sendq"] == []
    assert st["goroutines"]["1"]["state"] == "runnable" and st["goroutines"]["1"]["woken_by"] == 2
    end = m.state_at(len(m.steps) - 1)
    assert end["stdout"] == "ping 0\npong 0\nping 1\npong 1\nping 2\npong 2\ndone 3\n"
    # main returned while ponger, woken by its last send, had not run again: the program ended
    assert end["goroutines"]["1"]["state"] == "dead" and end["goroutines"]["2"]["state"] == "runnable"


def test_select_with_default_then_a_parked_sender() -> None:
    m = recorded("select_default")
    selects = steps_of(m, "select")
    assert [m.steps[i].args["case"] for i in selects] == [-1, 0]
    # between the two selects, the sender (g2) parked in the channel's send queue with 7
    park = next(i for i in steps_of(m, "park") if selects[0] < i < selects[1])
    st = m.state_at(park)
    assert st["goroutines"]["2"]["state"] == "waiting" and st["goroutines"]["2"]["wait"] == "chan send"
    assert st["goroutines"]["1"]["state"] == "runnable"  # it yielded
    (chan,) = st["channels"].values()
    assert chan["sendq"] == [{"gid": 2, "case": -1, "value": 7}]
    after = m.state_at(selects[1])
    assert after["channels"][str(chan["num"])]["sendq"] == []
    assert after["stdout"] == "-1\n"


def test_panic_recovered_in_a_deferred_call() -> None:
    m = recorded("recover")
    panic, recovered, recover = (steps_of(m, e)[0] for e in ("panic", "recovered", "recover"))
    assert panic < recovered < recover
    main_line = line_of("recover", "    risky()")
    at_panic = m.state_at(panic)["goroutines"]["1"]
    assert at_panic["stack"] == [["main", main_line], ["risky", line_of("recover", "gox_panic(kind.String")]]
    assert at_panic["defers"] == [["main.catcher"]] and at_panic["panics"] == ["boom"]
    in_catcher = m.state_at(recovered)["goroutines"]["1"]
    assert [f for f, _ in in_catcher["stack"]] == ["main", "risky", "catcher"]
    assert in_catcher["stack"][-1][1] == line_of("recover", "gox_recover()")
    assert in_catcher["defers"] == [] and in_catcher["panics"] == ["boom [recovered]"]
    done = m.state_at(recover)["goroutines"]["1"]
    assert done["panics"] == [] and [f for f, _ in done["stack"]] == ["main", "risky"]
    assert m.state_at(len(m.steps) - 1)["stdout"] == "recovered: boom\nmain goes on\n"


def test_two_gc_cycles_colours_shading_and_sweep() -> None:
    m = recorded("gc_cycles")
    assert len(steps_of(m, "gc_start")) == 2 and len(steps_of(m, "gc_end")) == 2
    structs = {k: o for k, o in m.state_at(steps_of(m, "gc_start")[0])["objects"].items() if o["type"] == "Node"}
    assert {o["color"] for o in structs.values()} == {"white"}  # the cycle starts: nothing marked yet
    # the write barrier shades the late node gray as it is stored into the black head
    (shade,) = steps_of(m, "shade")
    args = m.steps[shade].args
    st = m.state_at(shade)
    parent, child = st["objects"][str(args["parent"])], st["objects"][str(args["child"])]
    assert parent["color"] == "black" and child["color"] == "gray"
    assert parent["edges"] == [["[0]", args["child"]]] and parent["fields"] == [f"[0] -> #{args['child']}", "[1] = 3"]
    assert st["goroutines"]["1"]["stack"] == [["main", line_of("gc_cycles", "gox_gc_write_slot_barrier(head, 0, late)")]]
    assert ["global 0", parent["num"]] in st["roots"].values()
    assert st["gc"]["phase"] == "PROPAGATE" and args["child"] in st["gc"]["gray"]
    # the junk node: white(dead) once the sweep starts, then freed by a sweep step
    junk = next(k for k, o in structs.items() if o["fields"] == ["[0] = 0", "[1] = 0"])
    sweep = next(i for i in steps_of(m, "gc_step") if m.steps[i].args["phase"] == "SWEEP")
    assert m.state_at(sweep)["objects"][junk]["color"] == "white(dead)"
    freed_at = next(i for i in steps_of(m, "gc_step") if int(junk) in m.steps[i].args["freed"])
    assert junk in m.state_at(freed_at - 1)["objects"] and junk not in m.state_at(freed_at)["objects"]
    assert m.deltas[freed_at]["objects"]["del"] == [junk]
    # the second cycle frees what was cut off the list: the late node and the two below it
    second = [i for i in steps_of(m, "gc_step") if i > steps_of(m, "gc_start")[1]]
    freed = sorted(n for i in second for n in m.steps[i].args["freed"])
    assert args["child"] in freed and len([n for n in freed if str(n) in structs or n == args["child"]]) == 3
    assert m.state_at(len(m.steps) - 1)["stdout"] == "cycle 1 done\ncycle 2 done\n"


def test_states_rebuild_from_deltas_alone() -> None:
    m = recorded("pingpong")
    states = m.states()
    assert [m.state_at(i) for i in range(len(m.steps))] == states
    # a delta holds only what changed: an object that did not change is in no later delta
    first = next(i for i, d in enumerate(m.deltas) if "objects" in d)
    seen = set(m.deltas[first]["objects"]["set"])
    later = {k for d in m.deltas[first + 1:] for k in d.get("objects", {}).get("set", {})}
    assert seen - later  # the string literals never change
    # deltas are smaller than the states they rebuild (copies would be the states' size)
    assert len(json.dumps(m.deltas)) * 3 < len(json.dumps(states))
    # the JSON form rebuilds the same states
    data = json.loads(json.dumps(m.to_json()))
    state = empty_state()
    for i, d in enumerate(data["deltas"]):
        apply(state, d)
        assert state == json.loads(json.dumps(states[i]))


def test_diff_and_apply_round_trip() -> None:
    a: State = {**empty_state(), "goroutines": {"1": {"state": "running"}, "2": {"state": "runnable"}}, "stdout": "x"}
    b: State = {**empty_state(), "goroutines": {"1": {"state": "waiting"}, "3": {"state": "runnable"}},
                "gc": {"phase": "SWEEP"}, "stdout": "xy"}
    d = diff(a, b)
    assert d == {"goroutines": {"set": {"1": {"state": "waiting"}, "3": {"state": "runnable"}}, "del": ["2"]},
                 "gc": {"phase": "SWEEP"}, "stdout": "y"}
    apply(a, d)
    assert a == b


def test_state_at_out_of_range() -> None:
    m = recorded("recover")
    with pytest.raises(IndexError, match=r"step 99 is not in the run \(it has steps 0\.\.\d+\)"):
        m.state_at(99)


@pytest.mark.parametrize("name", ["pingpong", "select_default", "recover", "gc_cycles"])
def test_recording_changes_nothing(name: str) -> None:
    """The recorder only looks: the same trace and output as a plain traced run."""
    path = EXAMPLES / f"{name}.gox"
    prog = load(path.read_text(), str(path))
    rt = RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    log = rt.start_trace()
    status = execute(prog, seed=3, out=out, err=err, rt=rt)
    rt.stop_trace()
    m = recorded(name, seed=3)
    trace_steps = [s for s in m.steps if s.event not in ("gc_step", "shade", "end")]
    assert [f"{s.seq} g{s.gid} {s.event}" for s in trace_steps] == [f"{e.seq} g{e.gid} {e.name}" for e in log.events]
    assert [s.args for s in trace_steps] == [e.args for e in log.events]
    end = m.state_at(len(m.steps) - 1)
    assert (m.status, end["stdout"], end["stderr"]) == (status, out.getvalue().decode(), err.getvalue().decode())


class CheckedRecorder(Recorder):
    """At every step, each goroutine's entry as the recorder keeps it (refreshing only the
    goroutines a step names) equals its entry read afresh."""

    def state(self, touched: tuple[int, ...]) -> tuple[State, Delta]:
        st, delta = super().state(touched)
        for gid, g in self.rt.sched.goroutines.items():
            assert st["goroutines"][str(gid)] == self.goroutine_entry(g), (self.clock, gid)
        return st, delta


CHECKED = sorted([
    *EXAMPLES.glob("[!l]*.gox"),  # (not long_run: the long one)
    *(ROOT / "conformance" / "chan").glob("*.gox"),
    *(ROOT / "conformance" / "select").glob("*.gox"),
    ROOT / "conformance" / "defer" / "repanic_chain.gox",
    ROOT / "conformance" / "goports" / "sieve1.gox",
])


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.stem)
def test_goroutine_entries_kept_up_to_date(path: Path) -> None:
    src = path.read_text()
    m = record_run(load(src, str(path)), file=str(path), source=src, recorder=CheckedRecorder)
    assert m.steps[-1].event == "end"
