"""Source data verification: the study's progress and a participant's items to verify."""
