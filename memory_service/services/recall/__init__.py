"""Session-start recall: what an agent must know about a project, fitted to a token budget:
open handoffs to it and what they cite, current decisions, deliverables for it, and the
memories most relevant to its query."""
