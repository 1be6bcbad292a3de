"""``python -m trialdesk.cli``: the same commands as ``trialdesk`` (benchmarks run it so)."""

from trialdesk.cli import app

app()
