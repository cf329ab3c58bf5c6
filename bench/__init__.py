"""Benchmarks: `make bench` (python -m bench). Figures, not pass/fail."""
