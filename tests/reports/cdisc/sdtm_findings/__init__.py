"""The SDTM Findings domains, CM and SUPPQUAL made from the case report forms."""
