"""The monitor's and the data manager's wing: queries on the data (queries.py, its tables
in store/query_records.py so that a form save can raise an edit check's query), source data
verification (sdv*.py) and protocol deviations (deviation*.py). It sits above safety: it
reads every wing's records to name and validate what it reviews."""
