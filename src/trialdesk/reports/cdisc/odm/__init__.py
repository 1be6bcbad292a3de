"""The study's forms and collected data as CDISC ODM 1.3.2 (issue 16, part 5), so a site
can open the definitions in an EDC such as REDCap or OpenClinica, and a CSV per form.

- metadata.py, items.py: the schedule and forms as an ODM Study (MetaDataVersion);
- clinical_data.py: the casebooks (trial/review/casebook.py) as ClinicalData;
- write.py: the document, validated against the ODM 1.3.2 XSD, written;
- form_csv.py: one CSV per form and a data dictionary;
- oids.py: the stable, readable OIDs all of them share.
"""

from trialdesk.reports.cdisc.odm.write import odm_document, write_odm

__all__ = ["odm_document", "write_odm"]
