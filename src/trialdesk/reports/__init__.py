"""Reports made from the trial store and the study: the CONSORT diagram now; the endpoint
and safety tables, their plots and the CDISC exports beside it."""
