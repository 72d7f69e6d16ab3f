"""Shared test setup; settings come from rabatt.test_settings (throw-away RABATT_HOME)."""
