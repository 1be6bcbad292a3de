"""The data manager's downloads: the CDISC submission package (SDTM, ADaM, define.xml)."""
