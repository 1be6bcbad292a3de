"""The CDISC submission package: SDTM (sdtm/), ADaM (adam/), define.xml (define/) and the
conformance checker (check/), all over one dataset shape (dataset.py)."""
