"""Developer tooling, not shipped in the wheel: the demo-data generator and the benchmarks."""
