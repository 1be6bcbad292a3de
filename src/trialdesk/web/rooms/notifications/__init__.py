"""The notifications room: the safety alerts of the outbox and their delivery state."""
