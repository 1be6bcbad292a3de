"""The conduct wing: from day 1 to the end of participation. Each participant's visits
(dated or missed), the case report forms entered at them with their derived scores, visit
sign-off, and how participation ended."""
