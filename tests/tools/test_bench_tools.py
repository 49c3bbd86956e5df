"""The benchmark tools' parsing and reporting (tools/bench.py, tools/bench_real.py),
on recorded client output and made-up samples: no benchmark runs here."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import bench  # noqa: E402
import bench_real  # noqa: E402

REDIS_BENCHMARK = ("GET: rps=0.0 (overall: nan) avg_msec=nan (overall: nan)\r"
                   "GET: 90909.09 requests per second, p50=0.471 msec\n")
WRK = """Running 3s test @ http://127.0.0.1:8080/
  1 threads and 50 connections
  240000 requests in 3.00s, 20.14MB read
Requests/sec:  79983.12
Transfer/sec:      6.71MB
"""
AB = """Complete requests:      10000
Failed requests:        0
Keep-Alive requests:    10000
Requests per second:    73748.10 [#/sec] (mean)
"""


def test_client_outputs_parse() -> None:
    assert bench_real._parse_redis("get")(REDIS_BENCHMARK) == (90909.09, 0)
    assert bench_real._parse_wrk(WRK) == (79983.12, 240000)
    assert bench_real._parse_ab(AB) == (73748.10, 10000)


def test_client_failures_are_errors() -> None:
    with pytest.raises(RuntimeError):
        bench_real._parse_redis("set")(REDIS_BENCHMARK)
    with pytest.raises(RuntimeError):
        bench_real._parse_wrk(WRK + "  Socket errors: connect 0, read 3, write 0, timeout 0\n")
    with pytest.raises(RuntimeError):
        bench_real._parse_ab(AB.replace("Failed requests:        0", "Failed requests:        2"))


def test_cpu_seconds_of_this_process() -> None:
    if not os.path.exists(f"/proc/{os.getpid()}/stat"):
        pytest.skip("no /proc")
    first = bench_real.cpu_seconds(os.getpid())
    sum(i * i for i in range(200_000))                # some CPU work
    assert bench_real.cpu_seconds(os.getpid()) > first


def test_workload_commands() -> None:
    get, set_p16, wrk, ab_k, ab = bench_real.WORKLOADS
    assert get.argv(6379, False) == ["redis-benchmark", "-p", "6379", "-c", "50", "-P", "1",
                                     "-n", "100000", "-t", "get", "-q"]
    assert "-P" in set_p16.argv(1, True) and "16" in set_p16.argv(1, True)
    assert wrk.argv(80, True)[-1] == "http://127.0.0.1:80/"
    assert "-k" in ab_k.argv(80, False) and "-k" not in ab.argv(80, False)


def test_report_from_samples() -> None:
    results = {}
    for name, scale in (("nodenet", 1.2), ("asyncio", 1.0), ("node26", 0.8),
                        ("nodenet-2proc", 1.2), ("selectors", 0.5)):
        for workload in bench_real.WORKLOADS:
            bench.record(results, name, f"{workload.label}, req/s", 1000 / scale)
            bench.record(results, name, f"{workload.label}, server CPU us/req", 10 * scale)
        for metric in bench.ECHO_METRICS:
            bench.record(results, name, metric, 100 / scale)
    bench.record(results, "nodenet", "KiB per idle connection (10000)", 2.5)
    bench.record(results, "nodenet", bench.idle_memory_metric(4000), 1900.0)
    bench.record(results, "asyncio-protocol", bench.idle_memory_metric(4000), 1600.0)
    bench.record(results, "client nodenet", "client CPU us/req", 5.0)
    bench.record(results, "client asyncio", "client CPU us/req", 5.0)
    args = argparse.Namespace(rounds=1, quick=True, load_before="0.00")
    text = bench.report(results, args)
    assert "| redis GET -c 50 -P 1: CPU/req ≤ 1.0× asyncio | 1.20× | **not met** |" in text
    assert "| redis GET -c 50 -P 1: CPU/req ≤ 1.2× node26 | 1.50× | **not met** |" in text
    assert "| client CPU/req within 10% of asyncio (≤ 1.1×) | 1.00× | met |" in text
    assert "| ≤ 2 KiB per idle connection (KiB) | 2.50 | **not met** |" in text
    assert ("| ≤ 2 KiB per idle connection, exact (tracemalloc, bytes; KiB = 1,024) | 1,900 "
            "| met |") in text
    assert "| bytes per idle connection (tracemalloc, 4000) | 1,900 | 1,600 |" in text
    assert "| accepts ≥ 0.6× bare loop | 0.42× | **not met** |" in text
    assert "| redis GET -c 50 -P 1 | 1.20× | 1.50× |" in text      # the ratio table
    assert "| redis GET -c 50 -P 1 | 1.00× | — | — |" in text           # 2 processes / 1


def test_help() -> None:
    with pytest.raises(SystemExit) as info:
        bench.main(["--help"])
    assert info.value.code == 0


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="tracemalloc is CPython's")
def test_idle_memory_counts_what_a_held_connection_keeps(tmp_path: Path) -> None:
    # tools/idle_memory.py end to end, small: a bare selectors echo holds far
    # less per connection than nodenet, and both hold something
    import idle_memory

    source = bench.LOADGEN_SRC
    if not source.exists() or not shutil.which("gcc"):
        pytest.skip("needs ../shared/tools/loadgen.c and gcc")
    loadgen = bench.build_loadgen(str(tmp_path))
    found = idle_memory.measure_all(loadgen, ["selectors", "nodenet"], 50)
    assert 0 < found["selectors"] < found["nodenet"] < 20_000
