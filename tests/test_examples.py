"""Every program in examples/ runs in-process and prints exactly its expected output.

``examples/<name>.py`` defines ``main(rt)`` and ``SEED``; ``<name>.out`` is its expected
debug output (byte for byte), ``<name>.err`` (if present) its expected stderr, and the exit
status is 2 exactly when the example crashes on purpose (it has a ``.err`` file), else 0.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gox_ref import RefRuntime

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if (EXAMPLES / f"{p.stem}.out").exists())


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"gox_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(name: str, seed: int | None = None) -> tuple[int, bytes, bytes]:
    mod = load(name)
    out, err = io.BytesIO(), io.BytesIO()
    rt = RefRuntime()
    rt.set_output(out, err)
    status = rt.run_main(mod.main, [], seed=mod.SEED if seed is None else seed)
    return status, out.getvalue(), err.getvalue()


def test_the_examples_are_there() -> None:
    assert {"pingpong", "sieve", "workerpool", "fanin", "panicrecover"} <= set(NAMES)
    assert all((EXAMPLES / f"{n}.py").exists() for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_example_output(name: str) -> None:
    status, out, err = run(name)
    assert out == (EXAMPLES / f"{name}.out").read_bytes()
    err_file = EXAMPLES / f"{name}.err"
    if err_file.exists():
        assert status == 2
        assert err == err_file.read_bytes()
    else:
        assert status == 0
        assert err == b""


@pytest.mark.parametrize("name", NAMES)
def test_example_replays(name: str) -> None:
    assert run(name) == run(name)


def test_sieve_prints_the_first_25_primes() -> None:
    _, out, _ = run("sieve")
    primes = [p for p in range(2, 100) if all(p % d for d in range(2, p))]
    assert [int(x) for x in out.split()] == primes[:25]


def test_fanin_depends_only_on_the_seed() -> None:
    outs = {run("fanin", seed)[1] for seed in range(1, 12)}
    assert len(outs) > 1  # the select choices and the map order come from the seed
    for o in outs:  # but every run receives every message, in each producer's order
        lines = o.decode().splitlines()
        assert [ln for ln in lines if ln.startswith("joe says")] == [f"joe says {100 + i}" for i in range(4)]
        assert [ln for ln in lines if ln.startswith("ann says")] == [f"ann says {200 + i}" for i in range(3)]


@pytest.mark.parametrize("name", ["pingpong", "crash"])
def test_example_runs_as_a_script(name: str) -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py")], capture_output=True, timeout=120)
    assert proc.stdout == (EXAMPLES / f"{name}.out").read_bytes()
    err_file = EXAMPLES / f"{name}.err"
    assert proc.returncode == (2 if err_file.exists() else 0)
    if err_file.exists():
        assert proc.stderr == err_file.read_bytes()
