"""Adverse events proposed by lab grades: a participant's proposals as a page (with the
investigator's confirm and dismiss forms) and through the JSON API, same permissions."""
