"""The agentmem commands, one module per group of moments; each imports heavy modules lazily."""
