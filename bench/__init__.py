"""Benchmarks of the reference runtime (not tests): ``python -m bench.bench_ref``."""
