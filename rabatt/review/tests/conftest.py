"""The desk's tests use the shared fixtures of the repository's conftest.py."""
