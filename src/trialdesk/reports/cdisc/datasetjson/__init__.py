"""Dataset-JSON 1.1 files checked against CDISC's published JSON schema (shipped here
with its source and licence: README.md), the specification's rules the schema cannot
express, and the package's define.xml.

    check_folder(out_dir)  # -> [InputError, ...] naming file and place, empty when valid
"""

from __future__ import annotations

from trialdesk.reports.cdisc.datasetjson.check import (
    SCHEMA,
    DefineRefs,
    check_file,
    check_folder,
    read_define_refs,
    validate_file,
)

__all__ = [
    "SCHEMA",
    "DefineRefs",
    "check_file",
    "check_folder",
    "read_define_refs",
    "validate_file",
]
