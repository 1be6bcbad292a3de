"""The ground vocabulary every layer shares: a patient's record as dated facts (codings,
quantities, doses, kinds of fact), the code systems codes come from, and which side of the
body a code or text names. It imports nothing else of trialdesk but its errors; the
adapters (patients), the calculators and value sets (clinical), the criteria and the study
all build on it."""
