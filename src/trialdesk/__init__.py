"""trialdesk: a clinical trial's participant pipeline from one protocol definition."""

__version__ = "0.1.0"
