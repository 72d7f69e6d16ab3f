"""Account tests use the shared fixtures of the repository conftest.py."""
