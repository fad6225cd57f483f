"""Seeing the heap: snapshots for tests and teaching, and the object graph as Graphviz DOT.

A snapshot lists every object with its header, slots and outgoing references, every reference
shown as its canonical address (``layout.canonical_ref``), whichever backend took it (the
reference's ``gox_ref.heapview.snapshot``, ``NativeRuntime.heap_snapshot``, a compiled
program's heap dump).  Its canonical form (``canonical()``) replaces every reference by its
allocation number and every opaque host slot (a map's or channel's state handle) by None, so
two backends compare.

The inspection calls (``is_live``, ``object_kind``, ``object_slots``, ``object_color`` on
``RefRuntime`` and ``NativeRuntime``) look at one object; they check their argument and report
a missing object with the helpers below, so both backends refuse alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import GoxABIError
from .layout import canonical_num, canonical_ref

_U64 = (1 << 64) - 1


@dataclass(frozen=True)
class ObjectView:
    num: int
    ref: int
    kind: str
    type_id: int
    type_name: str
    color: str
    gen: int
    flags: int
    slots: tuple[int | None, ...]  # None marks an opaque host slot
    refs: tuple[int, ...]  # outgoing references, in scan order (0s left out)

    def canonical(self) -> tuple[object, ...]:
        slots = tuple(("ref", canonical_num(s)) if s in self.refs and s else s for s in self.slots)
        return (self.num, self.kind, self.type_id, self.color, self.gen, self.flags, slots,
                tuple(canonical_num(r) for r in self.refs))


@dataclass(frozen=True)
class HeapSnapshot:
    state: str
    objects: tuple[ObjectView, ...]
    roots: tuple[tuple[str, int], ...]  # (where, ref) of every non-nil root

    def canonical(self) -> tuple[object, ...]:
        return (self.state, tuple(o.canonical() for o in self.objects),
                tuple((w, canonical_num(r)) for w, r in self.roots))

    def by_ref(self) -> dict[int, ObjectView]:
        return {o.ref: o for o in self.objects}


def inspected_ref(fn: str, ref: object) -> int:
    """The ``ref`` argument of inspection call ``fn``: an int of 0..2**64-1 (a ``GoxRef``)."""
    if type(ref) is not int or not 0 <= ref <= _U64:
        raise GoxABIError(f"{fn}: ref={ref!r} is not a reference; expected an int in 0..2**64-1")
    return ref


def no_object(fn: str, ref: int, num: int) -> GoxABIError:
    """The error of inspection call ``fn`` given ``ref``, which names no object not yet freed;
    ``num`` is its allocation number if the runtime made and freed it, else 0."""
    if num:
        what = f"{canonical_ref(num):#x} is a freed reference (object #{num})"
    elif ref == 0:
        what = "nil reference"
    else:
        what = f"{ref:#x} is not a reference the heap ever allocated"
    return GoxABIError(f"{fn}: {what}; expected an object not yet freed (live or awaiting the sweep)")


def _dot_escape(text: str, record: bool = True) -> str:
    """Escape a string for a double-quoted DOT label (record labels also reserve {}|<>)."""
    special = '\\"{}|<>' if record else '\\"'
    return "".join("\\" + ch if ch in special else ch for ch in text)


_FILL = {"white": "white", "white(dead)": "lightpink", "gray": "gray75", "black": "gray30"}


def to_dot(snap: HeapSnapshot, title: str = "gox heap") -> str:
    """The object graph: one node per object (colored by GC color), an edge per reference,
    and a node per root pointing at what it roots."""
    lines = [
        "digraph heap {",
        f'  label="{_dot_escape(title, record=False)} (GC state {snap.state})"; labelloc=t;',
        '  node [shape=record, style=filled, fontname="monospace", fontsize=10];',
    ]
    for o in snap.objects:
        fg = "white" if o.color == "black" else "black"
        name = _dot_escape(f"{o.kind} {o.type_name}".strip())
        slots = "|".join(
            "state" if s is None else (f"#{canonical_num(s)}" if s in o.refs and s else str(s))
            for s in o.slots[:8]
        ) + ("|..." if len(o.slots) > 8 else "")
        lines.append(
            f'  o{o.num} [label="{{#{o.num} {name} {o.ref:#x}|{o.color}|{{{slots}}}}}", '
            f'fillcolor="{_FILL[o.color]}", fontcolor="{fg}"];'
        )
        for i, r in enumerate(o.refs):
            lines.append(f'  o{o.num} -> o{canonical_num(r)} [label="{i}"];')
    for i, (where, r) in enumerate(snap.roots):
        lines.append(f'  r{i} [shape=plaintext, style="", label="{_dot_escape(where, record=False)}"];')
        lines.append(f"  r{i} -> o{canonical_num(r)} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"
