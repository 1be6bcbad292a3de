"""The safety wing: adverse events, the investigator's signed causality assessments, what
is treatment-emergent, and the stopping rules that pause a study until a signed
safety-review decision resumes it. Above conduct: an adverse event belongs to a
participant (trial/conduct/participants.py)."""
