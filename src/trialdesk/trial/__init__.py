"""Trial conduct: the audited store (models, migrations), accounts, sessions, leads."""
