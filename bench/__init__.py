"""Benchmarks and load-test tooling (run as scripts; importable by tests)."""
