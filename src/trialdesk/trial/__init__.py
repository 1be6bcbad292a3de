"""The audited trial store, in wings that each own their tables: store/ (engine,
migrations, the audit chain), accounts/ (users, sign-in, roles, electronic signatures)
and screening/ (leads, candidates, checklist, consent, enrolment); tables.py gathers them."""
