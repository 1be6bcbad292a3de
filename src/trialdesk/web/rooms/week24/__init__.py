"""The week-24 report room: the report inside the staff layout, with its downloads."""
