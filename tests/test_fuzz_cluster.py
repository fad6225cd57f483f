"""Fuzz campaigns on a Dask cluster (gox_program/cluster.py): a local cluster of two worker
processes on loopback, one of them killed in the middle of the campaign, still finds a bug
planted in a copy of the C library (``GOX_NATIVE_LIB``), writes it once, shrunk once, and
counts the programs that met the same bug as duplicates; three ways (``--go``) too."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import distributed
import pytest
from conftest import build_library, go_or_skip, native_library_or_skip
from distributed.diagnostics.plugin import WorkerPlugin

from gox_program import fuzz

if "libasan" in os.environ.get("LD_PRELOAD", ""):  # pragma: no cover - the sanitizer run
    pytest.skip("the reference cannot run under the preloaded ASan runtime", allow_module_level=True)

native_library_or_skip(sched=True)
# gox_string_len panics on a 5-byte string.  In campaign seed 18 with batches of 8 (two-way),
# program 4 (batch 0) and one program of batch 1 meet it: one bug, one key.
PLANT = ("    return o ? (int64_t)o->slots[2] : 0;",
         "    if (o && o->slots[2] == 5) gox_panic_index(R, 5, 5);\n    return o ? (int64_t)o->slots[2] : 0;")


@pytest.fixture(scope="module")
def planted_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """libgox.so built from sources with the planted bug."""
    return build_library(tmp_path_factory.mktemp("planted"), patch=("string.c", *PLANT))


class KillFirstBatch(WorkerPlugin):
    """Kills its worker process when a batch task starts there, the first time in the
    cluster's life (the marker file says it happened): the kill is deterministic, not timed."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "executing" and "gox-batch-" in str(key):
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.write(fd, f"{key}\n".encode())
            os.close(fd)
            os._exit(1)


@pytest.fixture
def cluster(planted_lib: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[distributed.LocalCluster]:
    monkeypatch.setenv("GOX_NATIVE_LIB", str(planted_lib))  # before the workers start: they inherit it
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the plugin, for workers that cannot import us
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cl:
        yield cl


def test_a_killed_worker_loses_no_finding(cluster: distributed.LocalCluster, tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    with distributed.Client(cluster) as c:
        c.register_plugin(KillFirstBatch(str(marker)))
    out = tmp_path / "found"
    s = fuzz.campaign(seed=18, programs=16, batch=8, out_dir=out, scheduler=cluster.scheduler_address,
                      shrink_tests=3)
    assert marker.read_text().startswith("gox-batch-")  # a worker died running a batch
    assert s.programs == 16  # every batch ran to its end, the lost one again elsewhere
    seed = 18 * fuzz.STREAM + 4
    assert [f.seed for f in s.findings] == [seed]  # the lowest seed of the bug's key: batch order
    assert s.duplicates == 1  # batch 1's program: the same panic
    assert s.findings[0].key == "ref/native: stdout differs: panic runtime error: index out of range [N] with length N"
    assert sorted(p.name for p in out.iterdir()) == [f"{seed}.gox"]
    head = (out / f"{seed}.gox").read_text().splitlines()[0]
    assert head.startswith(f"// gox-ref fuzz finding {seed}: stdout differs (shrunk from ")


def test_findings_do_not_depend_on_the_workers(planted_lib: Path, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """In process, the same campaign keeps the same finding and duplicate (no shrinking here)."""
    monkeypatch.setenv("GOX_NATIVE_LIB", str(planted_lib))
    s = fuzz.campaign(seed=18, programs=16, batch=8, out_dir=tmp_path, do_shrink=False)
    assert [f.seed for f in s.findings] == [18 * fuzz.STREAM + 4] and s.duplicates == 1


def test_a_three_way_campaign_on_a_local_cluster_keeps_one_finding_per_key(
        planted_lib: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``--go --workers 2``: three-way batches and the shrink run on a local cluster of two
    forked workers (which inherit GOX_NATIVE_LIB).  In campaign seed 0 with batches of 8,
    programs 4, 6 (batch 0) and 10 (batch 1) meet the planted bug; the native run panics
    where the reference and Go (go1.19.8) agree, so each is one key: kept once, the lowest
    seed, written with its Go twin."""
    go_or_skip()
    monkeypatch.setenv("GOX_NATIVE_LIB", str(planted_lib))
    out = tmp_path / "found"
    s = fuzz.campaign(seed=0, programs=16, batch=8, out_dir=out, workers=2, go=True, shrink_tests=1)
    assert s.programs == 16
    assert [f.seed for f in s.findings] == [4] and s.duplicates == 2
    f = s.findings[0]
    assert f.oracles == "ref/native, native/go"
    panic = "panic runtime error: index out of range [N] with length N"
    assert f.key == f"ref/native, native/go: stdout differs: {panic}; stdout differs: {panic}"
    assert sorted(p.name for p in out.iterdir()) == ["4.go", "4.gox"]
    for name in ("4.gox", "4.go"):
        text = (out / name).read_text()
        assert text.startswith("// gox-ref fuzz finding 4: ref/native: stdout differs; native vs go: stdout differs (")
        # (the library under test is named: the reproduce command needs it)
        assert f"// reproduce: gox-ref diff --go {out / '4.gox'} --seed 4 --lib {planted_lib.resolve()}\n" in text


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from gox_program import cluster
    from gox_program.cli import main as cli_main

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    assert cli_main(["fuzz", "--programs", "1", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)]) == 2
    err = capfd.readouterr().err
    assert "cannot connect to the scheduler tcp://127.0.0.1:1" in err and "Traceback" not in err
    assert cli_main(["fuzz", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)]) == 2
    assert "--workers starts a local cluster" in capfd.readouterr().err
