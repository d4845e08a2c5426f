"""Benchmark of `ntvt consolidate`: a seeded inbox generator (generate.py) and the runner (run.py)."""
