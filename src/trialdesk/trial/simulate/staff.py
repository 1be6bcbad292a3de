"""The staff accounts a simulated trial is run by: a coordinator who enters the data and
an investigator who signs the eligibility judgments, created through the accounts
service when the store has none by these names.

They share one demo password, printed by the command: it is for a demo store only, and
anyone who reads this file knows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialdesk.errors import InputError
from trialdesk.trial import accounts
from trialdesk.trial.accounts.login import PasswordCheck, check_password
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store

__all__ = ["COORDINATOR", "DEMO_PASSWORD", "INVESTIGATOR", "Staff", "demo_staff"]

DEMO_PASSWORD = "trialdesk-demo-only"  # published on purpose: a demo store only
COORDINATOR = ("sim.coordinator", Role.COORDINATOR, "Simulated Coordinator")
INVESTIGATOR = ("sim.investigator", Role.INVESTIGATOR, "Dr. Simulated Investigator")


@dataclass(frozen=True)
class Staff:
    coordinator: str  # username: the actor of every data entry
    investigator: str
    investigator_id: int
    investigator_name: str  # as printed on signatures and on the injection form
    check: PasswordCheck  # the investigator's password, checked once for every signature
    created: tuple[str, ...]  # the accounts made now (the others existed)


def demo_staff(store: Store) -> Staff:
    """The two accounts, created if absent; an existing one must have the demo password
    (the investigator signs with it)."""
    created = []
    with store.transaction() as session:
        for username, role, full_name in (COORDINATOR, INVESTIGATOR):
            user = accounts.find_user(session, username)
            if user is None:
                accounts.create_user(
                    session, actor="system", username=username, password=DEMO_PASSWORD,
                    role=role, full_name=full_name, reason="simulated trial: demo account",
                )  # fmt: skip
                created.append(username)
            elif user.role is not role:
                raise InputError(
                    f"the account '{username}' exists as a {user.role.value}: the simulation "
                    f"needs it to be a {role.value}; simulate into a new store",
                    field="--database-url",
                )
    with store.read() as session:
        username, _, _ = INVESTIGATOR
        check = check_password(session, username=username, password=DEMO_PASSWORD)
        investigator = accounts.find_user(session, username)
        assert investigator is not None
        if not check.matches:
            raise InputError(
                f"the account '{username}' exists with another password than the demo one: "
                "simulate into a new store",
                field="--database-url",
            )
        return Staff(
            coordinator=COORDINATOR[0],
            investigator=username,
            investigator_id=investigator.id,
            investigator_name=investigator.full_name or username,
            check=check,
            created=tuple(created),
        )
