"""The conduct room: participants from day 1 to the end of participation: calendar,
visits, forms, signatures, end of participation."""
