"""Handoffs: work passed between agents, stored as memories of kind `handoff`, and their
states (open, acknowledged, completed)."""
