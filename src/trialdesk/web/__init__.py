"""The web application: the public trial pages and self-check, and the staff application.

``create_app`` builds it; ``trialdesk serve`` runs it. Every route declares who may use it
with :func:`trialdesk.web.access.allow`, the one authorisation mechanism.
"""

from trialdesk.web.app import create_app

__all__ = ["create_app"]
