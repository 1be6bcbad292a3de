"""The screening wing: leads, candidates and their records, entered facts, judgments,
consent, enrolment and the screening log."""
