"""Payout tests use the shared fixtures (campaign, finance, finance2, agent, smtp)."""
