"""define.xml comments (def:CommentDef, Define-XML 2.1 §5.3.11) on variables, by name.

The default is how trialdesk codes adverse events without a MedDRA licence (sdtm/ae.py,
clinical/ctcae/SOURCE.md): the investigator picks a CTCAE v5.0 term, which NCI publishes
with its MedDRA v20.1 lowest level term (LLT) code and system organ class. The LLT and its
code are submitted as such; the dictionary-derived term is that LLT, not a preferred term
(PT), and the PT code is left null: mapping an LLT to its PT needs the MedDRA dictionary
itself, which is licensed by the MSSO and not shipped. A sponsor with MedDRA recodes
AEDECOD/AEPTCD and the hierarchy before submission (PROTOCOL ASSUMPTION, for the sponsor
to confirm: `DefineStudy.comments`). Each comment applies to the variable wherever it
occurs: AE and ADAE alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import odmlib.define_2_1.model as DEFINE

__all__ = ["AE_CODING", "comment_defs", "comment_oid"]

_CTCAE = "CTCAE v5.0 (NCI, 27 Nov 2017)"
AE_CODING: Mapping[str, str] = {
    "AELLT": f"The {_CTCAE} term the investigator chose: each is a MedDRA v20.1 lowest level term.",
    "AELLTCD": f"The MedDRA v20.1 lowest level term code NCI prints beside the {_CTCAE} term.",
    "AEDECOD": f"The {_CTCAE} term, a MedDRA v20.1 lowest level term: no MedDRA dictionary is"
    " licensed here to give the preferred term (protocol assumption; the sponsor recodes"
    " with MedDRA before submission).",
    "AEPTCD": "Null: the preferred term code needs the licensed MedDRA dictionary (the lowest"
    f" level term to preferred term mapping), which is not shipped. AELLTCD holds the {_CTCAE}"
    " term's MedDRA v20.1 lowest level term code.",
    "AEBODSYS": f"The system organ class NCI prints beside the {_CTCAE} term (MedDRA v20.1).",
    "AESOC": f"The system organ class NCI prints beside the {_CTCAE} term (MedDRA v20.1).",
}


def comment_oid(variable: str) -> str:
    return f"COM.{variable}"


def comment_defs(comments: Mapping[str, str], used: Iterable[str]) -> list[DEFINE.CommentDef]:
    """A CommentDef for each commented variable among ``used`` (ItemDefs name them by
    ``comment_oid``), in the order of ``comments``."""
    wanted = set(used)
    out = []
    for variable, text in comments.items():
        if variable in wanted:
            comment = DEFINE.CommentDef(OID=comment_oid(variable))
            comment.Description = DEFINE.Description(
                TranslatedText=[DEFINE.TranslatedText(_content=text, lang="en")]
            )
            out.append(comment)
    return out
