"""The data manager's room: casebook sign-off, freezes and the study database lock."""
