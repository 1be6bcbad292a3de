"""The safety room: a participant's adverse events (recorded, corrected, the
investigator's signed causality), the study's safety listing and its CSV, the study hold
and the signed safety review that resumes; pages and JSON API side by side."""
