"""Benchmark sections run by scripts/bench.py, one module per area."""
