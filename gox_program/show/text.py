"""The run in words (``gox-ref show --text``): the whole state at one step (``--at STEP``), or
the story: each step and what it changed.  Built from the model's states only
(gox_program/show/model.py), as the page is."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .model import RunModel, State, Step

COLOURS = ("white", "gray", "black", "white(dead)")


def _natural(key: str) -> list[Any]:
    """A root's key in reading order: goroutine 2 before goroutine 10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def goroutine_line(g: dict[str, Any]) -> str:
    state = g["state"]
    if g["wait"]:
        state += f" ({g['wait']}" + (" on " + ", ".join(f"#{c}" for c in g["chans"]) if g["chans"] else "") + ")"
    parts = [f"g{g['gid']} {g['func']}: {state}"]
    if g["stack"]:
        parts.append("at " + " > ".join(f"{fn}:{line}" for fn, line in g["stack"]))
    if g["defers"]:
        parts.append("deferred " + " | ".join(", ".join(fr) for fr in g["defers"]))
    if g["panics"]:
        parts.append("panicking " + ", ".join(g["panics"]))
    if g["woken_by"] is not None:
        parts.append(f"woken by g{g['woken_by']}")
    return "; ".join(parts)


def channel_line(c: dict[str, Any]) -> str:
    def q(waiters: list[dict[str, Any]]) -> str:
        return "[" + " ".join(f"g{w['gid']}" + (f"({w['value']})" if "value" in w else "")
                              + (f" case {w['case']}" if w["case"] >= 0 else "") for w in waiters) + "]"

    buf = " ".join(str(v) for v in c["buf"])
    return (f"#{c['num']} chan {c['elem']} cap {c['cap']}: buf [{buf}] recvq {q(c['recvq'])} sendq {q(c['sendq'])}"
            + (" closed" if c["closed"] else ""))


def object_line(o: dict[str, Any]) -> str:
    return f"{o['title']} {o['color']}: " + ", ".join(o["fields"])


def gc_line(state: State) -> str:
    gc = state["gc"]
    if not gc:
        return "gc: -"
    colours = Counter(o["color"] for o in state["objects"].values())
    counts = ", ".join(f"{colours[c]} {c}" for c in COLOURS if colours[c])
    gray = " ".join(f"#{n}" for n in gc["gray"])
    return (f"gc: {gc['phase']}, {gc['cycles']} cycles done, {len(state['objects'])} objects ({counts or 'none'}), "
            f"{gc['live_bytes']} live bytes, next cycle at {gc['threshold']}" + (f"; gray stack [{gray}]" if gray else ""))


def _section(title: str, lines: list[str]) -> Iterator[str]:
    yield f"{title}:"
    yield from (f"  {ln}" for ln in lines) if lines else ["  (none)"]


def state_text(model: RunModel, index: int) -> str:
    """The whole state after step ``index``."""
    state = model.state_at(index)
    out = [_header(model, model.steps[index]), gc_line(state)]
    out += _section("goroutines", [goroutine_line(g) for g in _by_id(state["goroutines"])])
    out += _section("channels", [channel_line(c) for c in _by_id(state["channels"])])
    out += _section("heap", [object_line(o) for o in _by_id(state["objects"])])
    out += _section("roots", sorted(state["roots"], key=_natural))
    for name in ("stdout", "stderr"):
        out += _section(name, state[name].splitlines())
    return "\n".join(out) + "\n"


def story_text(model: RunModel, lo: int = 0, hi: int | None = None) -> str:
    """Every step (of ``lo..hi``), and the goroutines, channels and objects it changed or
    removed; a window says so and starts with the whole state at its first step."""
    hi = len(model.steps) - 1 if hi is None else hi
    if (lo, hi) != (0, len(model.steps) - 1):
        head = f"a window: steps {lo}..{hi} of 0..{len(model.steps) - 1}\n"
        return head + state_text(model, lo) + _story(model, lo + 1, hi)
    return _story(model, lo, hi)


def _story(model: RunModel, lo: int, hi: int) -> str:
    out: list[str] = []
    render = {"goroutines": goroutine_line, "channels": channel_line, "objects": object_line}
    phase = model.state_at(lo - 1)["gc"].get("phase") if lo else None
    for step, delta in zip(model.steps[lo : hi + 1], model.deltas[lo : hi + 1], strict=True):
        out.append(_header(model, step))
        for sec in render:  # (the roots are told in a state's text, not step by step)
            d = delta.get(sec, {})
            out += [f"  {render[sec](e)}" for e in _by_id(d.get("set", {}))]
            out += [f"  {'g' if sec == 'goroutines' else '#'}{k} gone" for k in d.get("del", ())]
        if "gc" in delta and delta["gc"]["phase"] != phase:
            phase = delta["gc"]["phase"]
            out.append(f"  gc phase: {phase}")
        for name in ("stdout", "stderr"):
            out += [f"  {name}: {ln}" for ln in delta.get(name, "").splitlines()]
    return "\n".join(out) + "\n"


def _header(model: RunModel, step: Step) -> str:
    return f"step {step.index}/{len(model.steps) - 1}: {step.describe()}"


def _by_id(section: dict[str, Any]) -> list[Any]:
    return [section[k] for k in sorted(section, key=int)]


__all__ = ["state_text", "story_text"]
