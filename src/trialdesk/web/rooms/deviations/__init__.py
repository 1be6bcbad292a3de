"""Protocol deviations: the study's list, a participant's, decisions and hand entries."""
