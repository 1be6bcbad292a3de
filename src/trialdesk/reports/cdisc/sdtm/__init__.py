"""SDTM (SDTMIG 3.4) from the trial store: one module per domain over one source
(source.py), assembled and written by package.py. The study folder is the protocol: the
schedule gives VISITNUM, EPOCH and the trial design, the forms' SDTM targets the mapping."""
