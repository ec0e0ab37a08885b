"""The past of a project: versions and time travel over the event log, checkpoints,
rollback and its undo, and the audit trail."""
