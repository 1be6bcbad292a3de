"""The checker's tests: a small clean SDTM submission to seed defects into."""
