"""Queries on the data: the study's queries page, a participant's queries with their
threads and forms, the form page's badge, the dashboard's counts, and the JSON API."""
