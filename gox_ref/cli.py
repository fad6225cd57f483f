"""The ``gox-ref`` command.

    gox-ref abi [--group G]        the ABI table, one symbol a line
    gox-ref demo [--dot FILE]      build a small heap, collect it, show what survived

(``run``, ``conformance``, ``diff``, ``fuzz`` and ``bench`` arrive with the program layer.)
A user's mistake gets a one-line error on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .abi import GROUPS, SYMBOLS
from .errors import GoxError
from .kinds import SlotType, ValueKind


def cmd_abi(args: argparse.Namespace) -> int:
    for s in SYMBOLS:
        if args.group and s.group != args.group:
            continue
        flags = ("A" if s.allocates else "-") + ("B" if s.blocks else "-")
        print(f"{s.group:10} {flags} {s.c}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .runtime import RefRuntime

    rt = RefRuntime()
    node = rt.gox_type_register(b"Node", bytes([SlotType.GC_REF, SlotType.GC_REF, SlotType.VALUE]))
    rt.gox_init_globals(1, [True])
    nodes = [rt.gox_rt_alloc(ValueKind.STRUCT, node, 3) for _ in range(6)]
    for a, b in zip(nodes, nodes[1:3], strict=False):  # 0 -> 1 -> 2 kept; 3..5 garbage
        rt.gox_gc_write_slot(a, 0, b)
        rt.gox_rt_write_barrier(a, b)
    rt.gox_gc_write_slot(nodes[4], 0, nodes[5])
    name = rt.gox_rt_string_from_ptr(b"root")
    rt.gox_gc_write_slot(nodes[0], 1, name)
    rt.gox_rt_set_global(0, nodes[0])
    print("before:", rt.gox_gc_stats())
    rt.gox_collect_garbage()
    print("after: ", rt.gox_gc_stats())
    dot = rt.heap_dot("gox-ref demo: after a full collection")
    if args.dot:
        Path(args.dot).write_text(dot)
        print(f"heap graph written to {args.dot}")
    else:
        sys.stdout.write(dot)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gox-ref", description="Reference runtime for the GoX gox_* ABI.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_abi = sub.add_parser("abi", help="list the ABI table")
    p_abi.add_argument("--group", choices=GROUPS)
    p_abi.set_defaults(func=cmd_abi)
    p_demo = sub.add_parser("demo", help="a small heap, collected, as a Graphviz graph")
    p_demo.add_argument("--dot", metavar="FILE", help="write the DOT graph to FILE")
    p_demo.set_defaults(func=cmd_demo)
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except GoxError as e:
        print(f"gox-ref: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"gox-ref: {e}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
