"""The hand-written part of BENCHMARKS.md: what was tried, what limits what is not met."""

FINDINGS = """
## What was tried

(written after the run)
"""
