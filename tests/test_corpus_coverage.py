"""The corpus covers the ABI and its errors: computed from the case files, the ABI
table (gox_abi.abi) and the checker's source.

1. Every ABI symbol a program can call by name is called by at least one case; the symbols the
   format cannot call are exempt below, each with the reason (the runner's own symbols count
   as exercised through ``go``, ``defer``, globals, string literals and ``&f``/``tcall``).
2. Every Go panic or fatal message of the ABI's ``errors`` column, plus the runner's own
   run-time messages (deadlock, stack overflow, divide by zero, ...), is the message of a
   negative case (``expect: panic`` or ``fatal``).
3. Every message the checker (gox_program/check.py) can reject a program with is the
   message of an ``expect: reject`` case.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from gox_abi.abi import SYMBOLS
from gox_program import check as check_module
from gox_program.case import Case, load_case
from gox_program.check import ABI_SIGS, RUNNER_OWNED, load
from gox_program.corpus import CORPUS_ROOT, discover
from gox_program.syntax import ProgramError

CASES: list[Case] = [load_case(p, CORPUS_ROOT) for p in discover()]

# Symbols a program cannot call by name, and why (the checker refuses them).
NOT_CALLABLE_REASONS = {
    "runner": "the runner manages it (RUNNER_OWNED in check.py); exercised by every program through "
    "go/defer/globals/string literals/the function table",
    "host": "a C-only host function (the ABI table's ref=False): the reference has no such method",
    "form": "its Python form takes or returns non-slot values (bytes, callables, lists, stats records)",
}
EXERCISED_BY_RUNNER = {
    "gox_init_gc": "a fresh runtime per case",
    "gox_init_globals": "every program (globals, string literals)",
    "gox_rt_get_global": "top-level var reads (basics/globals)",
    "gox_rt_set_global": "top-level var writes and string literals",
    "gox_init_func_table": "every program",
    "gox_set_func_ptr": "every program",
    "gox_go_spawn": "go statements (chan/*, goports/*)",
    "gox_defer_push": "defer statements (defer/*)",
    "gox_defer_frame_enter": "functions that defer or recover",
    "gox_defer_frame_exit": "functions that defer or recover",
    "gox_defer_pop": "not used: the reference runs deferred calls at frame exit (the C translation's "
    "inline path)",
    "gox_func_table_get": "tcall/ccall (basics/func_table, closures/*)",
    "gox_rt_string_from_ptr": "string literals",
    "gox_stack_map_register": "the reference roots with a shadow stack; stack maps are for C frames "
    "(tests/test_stackmap.py)",
    "gox_stack_map_register_batch": "as gox_stack_map_register",
    "gox_stack_map_clear": "as gox_stack_map_register",
    "gox_sim_frame_push": "the simulated stack is for C-style frames (tests/test_stackmap.py)",
    "gox_sim_frame_pop": "as gox_sim_frame_push",
    "gox_sim_stack_write": "as gox_sim_frame_push",
}

# Callable symbols no case calls, and why.
CALLABLE_EXEMPT = {
    "gox_sim_stack_read": "reads the simulated stack, which only the runner could set up (gox_sim_frame_push "
    "is runner-owned): a program's call can only end in an ABI error, which no case can expect",
}

# Error texts of the ABI table that no program can trigger, and why.
ERROR_EXEMPT = {
    "panic: runtime error: growslice: cap out of range": "needs a slice of some 2^45 non-empty elements: memory runs "
    "out first (tests/test_slice_append.py checks the rule's maxAlloc bound)",
    "panic: the extern's": "gox_extern_call is not callable by a program (it takes an argument sequence)",
}

# The runner's own run-time messages (docs/PROGRAM_FORMAT.md) that are not in the errors column.
RUNNER_MESSAGES = (
    "panic: runtime error: integer divide by zero",
    "panic: runtime error: negative shift amount",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "fatal error: all goroutines are asleep - deadlock!",
    "fatal error: stack overflow",
    "panic: panic called with nil argument",
)

# Checker messages no program can trigger (internal consistency checks).
REJECT_EXEMPT = {
    "unknown statement ": "unreachable: the parser builds only known statements",
    "unknown expression ": "unreachable: the parser builds only known expressions",
    " cannot be called by a program: its signature ": "no ABI symbol has a signature the checker cannot parse",
    " cannot be called by a program: its results ": "no ABI symbol has out-parameters without a slot form",
}


def _called_symbols() -> set[str]:
    found: set[str] = set()
    for c in CASES:
        if c.expect != "reject":
            found |= set(re.findall(r"\bgox_\w+", c.source.split("---*/", 1)[1]))
    return found


def test_every_callable_abi_symbol_is_called_by_a_case() -> None:
    called = _called_symbols()
    missing = sorted(
        s.name for s in SYMBOLS
        if not isinstance(ABI_SIGS[s.name], str) and s.name not in called and s.name not in CALLABLE_EXEMPT
    )
    assert not missing, f"ABI symbols no case calls: {missing}"


def test_every_symbol_is_callable_or_exempt_with_a_reason() -> None:
    for s in SYMBOLS:
        why = ABI_SIGS[s.name]
        if not isinstance(why, str):
            continue
        assert "cannot be called by a program" in why
        if s.name in RUNNER_OWNED:
            assert s.name in EXERCISED_BY_RUNNER, f"{s.name}: say which cases exercise it"
        elif not s.ref:
            assert "C-only host function" in why, NOT_CALLABLE_REASONS["host"]
        else:
            assert re.search(r"it returns|its parameter|no slot form", why), NOT_CALLABLE_REASONS["form"]


def _abi_error_messages() -> set[str]:
    msgs = set()
    for s in SYMBOLS:
        for e in s.errors:
            if e.startswith("panic: "):
                msgs.add(e)
            elif e.startswith("fatal: "):
                msgs.add("fatal error: " + e[len("fatal: "):])
    return msgs


def _stem(msg: str) -> str:
    """The fixed part of a documented message: up to a placeholder like [i] or [...]."""
    for mark in (" [i]", " [...]", "len/cap"):
        if mark in msg:
            return msg[: msg.index(mark)]
    return msg


def test_every_documented_error_message_has_a_negative_case() -> None:
    reports = [("panic: " if c.expect == "panic" else "fatal error: ") + c.message
               for c in CASES if c.expect in ("panic", "fatal")]
    wanted = (_abi_error_messages() | set(RUNNER_MESSAGES)) - set(ERROR_EXEMPT)
    missing = sorted(m for m in wanted if not any(r.startswith(_stem(m)) for r in reports))
    assert not missing, f"documented error messages with no negative case: {missing}"
    assert set(ERROR_EXEMPT) <= _abi_error_messages(), "a stale ERROR_EXEMPT entry"


def _template_regex(node: ast.expr) -> tuple[str, str] | None:
    """(regex, literal text) of a message expression: a string or an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value), node.value
    if isinstance(node, ast.JoinedStr):
        rx, lit = "", ""
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                rx += re.escape(part.value)
                lit += part.value
            else:
                rx += ".+?"
        return rx, lit
    return None


def checker_templates() -> dict[str, str]:
    """regex -> literal text, for every message check.py can reject a program with."""
    tree = ast.parse(Path(check_module.__file__).read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        msg: ast.expr | None = None
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "err" and len(node.args) == 2:
                msg = node.args[1]
            elif isinstance(f, ast.Name) and f.id == "ProgramError" and len(node.args) == 4:
                msg = node.args[3]
        elif isinstance(node, ast.FunctionDef) and node.name in ("abi_sig", "_safe_abi_sig"):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and isinstance(sub.value, ast.JoinedStr):
                    t = _template_regex(sub.value)
                    if t is not None:
                        out[t[0]] = t[1]
            continue
        if msg is not None:
            t = _template_regex(msg)
            if t is not None:
                out[t[0]] = t[1]
    return out


def _reject_messages() -> list[str]:
    msgs = []
    for c in CASES:
        if c.expect != "reject":
            continue
        try:
            load(c.source, str(c.path))
        except ProgramError as e:
            msgs.append(e.msg)
    return msgs


def test_every_checker_message_has_a_reject_case() -> None:
    templates = checker_templates()
    assert len(templates) > 30
    covered: set[str] = set()
    for msg in _reject_messages():
        matches = [rx for rx in templates if re.fullmatch(rx, msg, re.DOTALL)]
        if matches:  # the most specific template (the most fixed text) is the one that fired
            covered.add(max(matches, key=lambda rx: len(templates[rx])))
    missing = sorted(
        templates[rx] for rx in templates
        if rx not in covered and not any(k in templates[rx] for k in REJECT_EXEMPT)
    )
    assert not missing, f"checker messages with no reject case (literal parts shown): {missing}"
