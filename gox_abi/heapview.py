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

import html
import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .errors import GoxABIError
from .kinds import ValueKind
from .layout import (
    ARRAY_DATA,
    ARRAY_ELEM_BYTES,
    ARRAY_ELEM_KIND,
    ARRAY_LEN,
    CLOSURE_UPVALS,
    STRING_BYTES,
    STRING_LEN,
    STRING_START,
    canonical_num,
    canonical_ref,
    unpack_bytes,
)

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


# -- readable views: an object in words, shared by ``gox-ref heap`` and ``gox-ref show`` ------------
# The names of the slots the ABI fixes for each kind (layout.py): a header slot is shown by
# its name, a data slot by its index.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "String": ("bytes", "start", "len"),
    "Array": ("elem_kind", "elem_type", "elem_bytes", "len"),
    "Slice": ("array", "start", "len", "cap"),
    "Map": ("state", "key_kind", "val_kind"),
    "Channel": ("state",),
    "Closure": ("func_id", "upvals"),
}
SHOWN_ELEMS = 8  # a longer array shows its first elements and how many more it has
TEXT_CHARS = 32  # a string's text is cut here (its length in bytes is shown too)
LEGEND = (
    "#N: the N-th object allocated (its canonical address beside); then its kind and type, "
    "its GC colour, and its slots: 'name = value' for a header slot the ABI names, [i] for element "
    "or slot i; an arrow is a reference, labelled with the slot it is in ('state': kept by "
    "the runtime, a channel's buffer or a map's entries).  White: not reached yet; gray: "
    "reached, not scanned; black: scanned; pink, white(dead): garbage the sweep frees."
)


@dataclass(frozen=True)
class ObjectLabel:
    """An object in words: its title, its fields and its references labelled by slot."""

    title: str  # "#7 Struct main.Node"
    fields: tuple[str, ...]  # "[0] -> #9", "[1] = 3", "len = 12", '"hello, " (7 bytes)', "... 92 more"
    edges: tuple[tuple[str, int], ...]  # (the slot's label, the referenced object's number)


def _kind_name(k: int) -> str:
    try:
        return ValueKind(k).name.title().replace("_", "")
    except ValueError:
        return str(k)


def _string_text(o: ObjectView, lookup: Callable[[int], ObjectView | None]) -> str | None:
    """A string's text as a quoted, cut literal with its length; None if its bytes are not in
    the snapshot."""
    arr = lookup(o.slots[STRING_BYTES] or 0)
    start, n = o.slots[STRING_START], o.slots[STRING_LEN]
    if arr is None or start is None or n is None:
        return None
    data = unpack_bytes(tuple(s or 0 for s in arr.slots), start, n)
    text = data.decode("utf-8", "replace")
    cut = text[:TEXT_CHARS] + ("..." if len(text) > TEXT_CHARS else "")
    return f"{json.dumps(cut, ensure_ascii=False)} ({n} bytes)"


def _slot_name(o: ObjectView, i: int) -> str:
    names = FIELD_NAMES.get(o.kind, ())
    if i < len(names):
        return names[i]
    if o.kind == "Array":
        return f"[{i - ARRAY_DATA}]"
    if o.kind == "Closure":
        return f"upval {i - CLOSURE_UPVALS}"
    return f"[{i}]"


def readable(o: ObjectView, lookup: Callable[[int], ObjectView | None]) -> ObjectLabel:
    """``o`` in words; ``lookup`` finds another object of the snapshot by its reference (a
    string's text is in its byte array)."""
    title = f"#{o.num} {o.kind}" + (f" {o.type_name}" if o.type_name else "")
    refs = set(o.refs)
    edges: list[tuple[str, int]] = []
    pending = list(o.refs)
    for i, s in enumerate(o.slots):
        if s and s in refs and s in pending:
            pending.remove(s)
            edges.append((_slot_name(o, i), canonical_num(s)))
    edges += [("state", canonical_num(r)) for r in pending]

    def shown(i: int, s: int | None) -> str:
        if s is None:
            return f"{_slot_name(o, i)} (runtime state)"
        if s and s in refs:
            return f"{_slot_name(o, i)} -> #{canonical_num(s)}"
        if o.kind in ("Array", "Map") and _slot_name(o, i).endswith("_kind"):
            return f"{_slot_name(o, i)} = {_kind_name(s)}"
        return f"{_slot_name(o, i)} = {s}"

    fields: list[str] = []
    slots = o.slots
    if o.kind == "String":
        text = _string_text(o, lookup)
        fields = [text] if text is not None else [shown(i, s) for i, s in enumerate(slots)]
    elif o.kind == "Array" and len(slots) >= ARRAY_DATA:
        elem_kind, elem_bytes, n = slots[ARRAY_ELEM_KIND] or 0, slots[ARRAY_ELEM_BYTES] or 8, slots[ARRAY_LEN] or 0
        fields = [f"{_kind_name(elem_kind)} x {n}" + (f", {elem_bytes}-byte elements" if elem_bytes != 8 else "")]
        if elem_bytes == 1:  # bytes: as text, cut
            data = unpack_bytes(tuple(s or 0 for s in slots), 0, n)
            cut = data[:TEXT_CHARS]
            fields.append(repr(cut)[1:] + (f" ... {n - TEXT_CHARS} more" if n > TEXT_CHARS else ""))
        else:
            data_slots = list(enumerate(slots))[ARRAY_DATA:]
            fields += [shown(i, s) for i, s in data_slots[:SHOWN_ELEMS]]
            if len(data_slots) > SHOWN_ELEMS:
                fields.append(f"... {len(data_slots) - SHOWN_ELEMS} more slots")
    else:
        fields = [shown(i, s) for i, s in enumerate(slots[:SHOWN_ELEMS])]
        if len(slots) > SHOWN_ELEMS:
            fields.append(f"... {len(slots) - SHOWN_ELEMS} more slots")
    return ObjectLabel(title, tuple(fields), tuple(edges))


def _dot_escape(text: str, record: bool = True) -> str:
    """Escape a string for a double-quoted DOT label (record labels also reserve {}|<>)."""
    special = '\\"{}|<>' if record else '\\"'
    return "".join("\\" + ch if ch in special else ch for ch in text)


_FILL = {"white": "white", "white(dead)": "lightpink", "gray": "gray75", "black": "gray30"}
ROW = 8  # objects per row of the drawing, in allocation order
SUMMARY_OVER = 300  # a larger heap is drawn as a summary per kind and type (or around --focus)


def to_dot(snap: HeapSnapshot, title: str = "gox heap", focus: int | None = None) -> str:
    """The object graph: one node per object (coloured by GC colour, its slots in words), an
    edge per reference labelled with its slot, a node per root, and a legend.  Objects sit in
    rows of ``ROW`` by allocation order (references do not move them, so a long list stays a
    block, not a tower).  With ``focus`` (an object's number), only it and its neighbours;
    past ``SUMMARY_OVER`` objects, a table of the objects per kind and type and colour."""
    by_ref = snap.by_ref()
    objects = list(snap.objects)
    note = ""
    if focus is not None:
        near = {focus}
        for o in objects:
            targets = {canonical_num(r) for r in o.refs}
            if o.num == focus:
                near |= targets
            elif focus in targets:
                near.add(o.num)
        objects = [o for o in objects if o.num in near]
        note = f", object #{focus} and its {len(objects) - 1} neighbours"
    lines = [
        "digraph heap {",
        f'  label="{_dot_escape(title, record=False)} (GC state {snap.state}{note})"; labelloc=t;',
        '  node [shape=plain, fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
        f'  legend [shape=note, fontsize=9, label="{_wrap(_dot_escape(LEGEND, record=False))}"];',
    ]
    if focus is None and len(objects) > SUMMARY_OVER:
        lines += _summary(objects)
        lines.append("}")
        return "\n".join(lines) + "\n"
    shown = {o.num for o in objects}
    for o in objects:
        label = readable(o, by_ref.get)
        lines.append(f"  o{o.num} [label=<{_html_table(label, o)}>];")
        for slot, target in label.edges:
            if target in shown:
                lines.append(f'  o{o.num} -> o{target} [label="{_dot_escape(slot, record=False)}", constraint=false];')
    rows = [objects[i : i + ROW] for i in range(0, len(objects), ROW)]
    for row in rows:
        lines.append("  { rank=same; " + " ".join(f"o{o.num};" for o in row) + " }")
        if len(row) > 1:  # left to right in allocation order
            lines.append("  " + " -> ".join(f"o{o.num}" for o in row) + " [style=invis];")
    for above, below in itertools.pairwise(rows):  # the rows one under the other
        lines.append(f"  o{above[0].num} -> o{below[0].num} [style=invis];")
    if rows:
        lines.append(f"  legend -> o{rows[0][0].num} [style=invis];")
    for i, (where, r) in enumerate(snap.roots):
        if canonical_num(r) in shown:
            lines.append(f'  r{i} [shape=plaintext, style="", label="{_dot_escape(where, record=False)}"];')
            lines.append(f"  r{i} -> o{canonical_num(r)} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _html_table(label: ObjectLabel, o: ObjectView) -> str:
    """An object's node: a table of its title and address, its colour, and its fields in a
    row, filled with its GC colour (HTML-like: Graphviz cannot draw a labelled edge between
    two adjacent record nodes of a row)."""
    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    font = "white" if o.color == "black" else "black"
    n = max(len(label.fields), 1)

    def row(text: str) -> str:
        return f'<tr><td colspan="{n}"><font color="{font}">{esc(text)}</font></td></tr>'

    cells = "".join(f'<td><font color="{font}">{esc(f)}</font></td>' for f in label.fields) or "<td> </td>"
    return (f'<table border="0" cellborder="1" cellspacing="0" bgcolor="{_FILL[o.color]}">'
            f"{row(f'{label.title} {o.ref:#x}')}{row(o.color)}<tr>{cells}</tr></table>")


def _wrap(text: str, width: int = 60) -> str:
    """An escaped label's text in lines of about ``width`` characters."""
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\\l".join([*out, line]) + "\\l"  # DOT's left-aligned line breaks


def _summary(objects: list[ObjectView]) -> list[str]:
    """One table node: the objects per kind and type, and how many of each colour."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for o in objects:
        counts.setdefault((o.kind, o.type_name), Counter())[o.color] += 1
    colours = ("white", "gray", "black", "white(dead)")
    rows = [f"{len(objects)} objects: kind type|" + "|".join(colours)]
    for (kind, type_name), c in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        rows.append(_dot_escape(f"{kind} {type_name}".strip()) + "|" + "|".join(str(c[k]) for k in colours))
    body = "|".join("{" + r + "}" for r in rows)
    return [f'  summary [shape=record, label="{{{body}}}"];',
            '  hint [shape=plaintext, style="", label="too many objects to draw: focus one with --focus N"];']
