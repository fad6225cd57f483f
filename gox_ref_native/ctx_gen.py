"""Generate ``src/ctx_fallback.c`` (weak copies of the context switch) from ``src/ctx_*.S``.

    python -m gox_ref_native.ctx_gen          # rewrite it
    python -m gox_ref_native.ctx_gen --check  # exit 1 if stale (a test runs this)

The assembly files are the source of the context switch; builds that compile only
``src/*.c`` (the benchmark's) link the weak copies, every other build the strong symbols of
the ``.S`` files.
"""

from __future__ import annotations

from pathlib import Path

from gox_abi.generated import write_or_check

SRC = Path(__file__).resolve().parent / "src"
OUT = SRC / "ctx_fallback.c"
ARCHES = (("ctx_x86_64.S", "__x86_64__"), ("ctx_aarch64.S", "__aarch64__"))


def _body(path: Path, macro: str) -> list[str]:
    text = path.read_text()
    start = text.index(f"#if defined({macro})")
    end = text.index("#endif", start)
    return [line for line in text[start:end].splitlines()[1:] if line.strip()]


def render() -> str:
    out = [
        "/* ctx_fallback.c: weak copies of the context switch of ctx_x86_64.S / ctx_aarch64.S, for builds",
        " * that compile only the C sources (bench/bench_heap.py).  The .S files are the source; the strong",
        " * symbols they define win at link time.  Generated from them by",
        " * `python -m gox_ref_native.ctx_gen`; tests/test_native_sched.py checks they agree. */",
        "",
    ]
    for name, macro in ARCHES:
        out += [f"#if defined({macro})", "__asm__("]
        for line in _body(SRC / name, macro):
            if line.strip().startswith(".globl"):
                line = line.replace(".globl", ".weak")
            if line.strip() == ".text":
                line = line.replace(".text", ".pushsection .text")
            esc = line.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'    "{esc}\\n"')
        out += ['    ".popsection\\n");', "#endif"]
    out += ["", "typedef int gox_ctx_fallback_unit; /* ISO C: a translation unit is not empty */"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check({OUT: render()}, argv, "python -m gox_ref_native.ctx_gen")


if __name__ == "__main__":
    raise SystemExit(main())
