"""Benchmarks: `make bench` (python -m bench): each figure beside its bare-stack twin, measured
in the same run, ending with one table of ratios and goals (docs/performance.md)."""
