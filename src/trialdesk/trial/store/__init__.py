"""The store wing: the engine and sessions, migrations, the audit chain and the shared value
types every other wing builds on."""
