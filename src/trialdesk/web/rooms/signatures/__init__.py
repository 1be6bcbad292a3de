"""The investigator's signatures: the queue of what waits for a signature, and signing
several eligibility criteria of a candidate in one act."""
