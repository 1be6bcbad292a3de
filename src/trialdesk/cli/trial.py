"""Command-line sub-apps for the trial store, mounted by the main CLI as
``trialdesk user ...``, ``trialdesk audit ...``, ``trialdesk db ...`` and
``trialdesk trial ...``.

As in the main CLI, a TrialdeskError is one clear line on stderr and exit code 2.
Changes made here are audited with actor "system" and the OS user in the reason.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Session, Store, open_store

if TYPE_CHECKING:  # the simulation is imported when it is run: the CLI starts fast
    from trialdesk.trial.simulate.run import Simulation

user_app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)
db_app = typer.Typer(help="Create and upgrade the trial store's schema.", no_args_is_help=True)
trial_app = typer.Typer(help="Run a trial in the store: a simulated one, for demos.",
                        no_args_is_help=True)  # fmt: skip

out = Console()
err = Console(stderr=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default $TRIALDESK_DATABASE_URL, else sqlite:///./trialdesk.db).",
        show_default=False,
    ),
]
Reason = Annotated[str | None, typer.Option(help="Why: kept in the audit trail.")]
ACTOR = "system"


def _fail(error: TrialdeskError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _reason(reason: str | None) -> str:
    return f"{reason or 'command line'} (OS user {getpass.getuser()})"


@contextmanager
def _store(url: str | None) -> Iterator[Store]:
    try:
        store = open_store(url)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    try:
        yield store
    finally:
        store.close()


# Typer collapses a one-command app into that command; a callback keeps the group.
@user_app.callback()
def _user() -> None:
    """Manage staff accounts."""


@audit_app.callback()
def _audit() -> None:
    """Check the audit trail."""


@db_app.callback()
def _db() -> None:
    """Create and upgrade the trial store's schema."""


@trial_app.callback()
def _trial() -> None:
    """Run a trial in the store: a simulated one, for demos."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise _fail(InputError("--password-stdin: no password on standard input"))
        return password
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (stored lower-case).")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    full_name: Annotated[
        str | None, typer.Option(help="The name printed on their signatures.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin (scripts).")
    ] = False,
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a staff account; prompts for the password twice, hidden."""
    password = _read_password(password_stdin)
    with _store(database_url) as store:
        try:
            with store.transaction() as session:
                user = accounts.create_user(
                    session,
                    actor=ACTOR,
                    username=username,
                    password=password,
                    role=role,
                    reason=_reason(reason),
                    full_name=full_name,
                )
                name, user_role = user.username, user.role
        except TrialdeskError as exc:
            raise _fail(exc) from None
    out.print(f"added {name} ({user_role.value})", highlight=False)


@user_app.command("list")
def user_list(database_url: DatabaseUrl = None) -> None:
    """List staff accounts."""
    with _store(database_url) as store, store.read() as session:
        users = accounts.list_users(session)
        table = Table(
            "Username", "Full name", "Role", "Active", "Locked until", "Last login", "Created"
        )
        for u in users:
            table.add_row(
                u.username,
                u.full_name or "",
                u.role.value,
                "yes" if u.active else "no",
                f"{u.locked_until:%Y-%m-%d %H:%M}" if u.locked_until else "",
                f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never",
                f"{u.created_at:%Y-%m-%d}",
            )
    out.print(table if users else "no users yet: add one with 'trialdesk user add'")


def _change_user(url: str | None, username: str, change: Callable[[Session, int], object]) -> None:
    """Apply ``change(session, user_id)`` to the named user in one audited transaction."""
    with _store(url) as store:
        try:
            with store.transaction() as session:
                user = accounts.find_user(session, username)
                if user is None:
                    raise accounts.NotFoundError(f"no user named '{username}'")
                change(session, user.id)
        except TrialdeskError as exc:
            raise _fail(exc) from None


def _set_active(username: str, active: bool, reason: str | None, url: str | None) -> None:
    _change_user(
        url,
        username,
        lambda session, user_id: accounts.set_active(
            session, actor=ACTOR, user_id=user_id, active=active, reason=_reason(reason)
        ),
    )
    out.print(f"{'enabled' if active else 'disabled'} {username.strip().lower()}")


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument()],
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Disable an account (it can no longer sign in; open sessions end)."""
    _set_active(username, False, reason, database_url)


@user_app.command("enable")
def user_enable(
    username: Annotated[str, typer.Argument()],
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Enable a disabled account."""
    _set_active(username, True, reason, database_url)


@user_app.command("set-name")
def user_set_name(
    username: Annotated[str, typer.Argument()],
    full_name: Annotated[str, typer.Argument(help="As printed on signatures; '' for none.")],
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set the full name printed on the user's signatures from now on."""
    _change_user(
        database_url,
        username,
        lambda session, user_id: accounts.set_full_name(
            session, actor=ACTOR, user_id=user_id, full_name=full_name, reason=_reason(reason)
        ),
    )
    out.print(f"{username.strip().lower()} now signs as {full_name.strip() or 'their username'}")


@user_app.command("reset-password")
def user_reset_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin (scripts).")
    ] = False,
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a new password; also unlocks the account and ends its sessions."""
    password = _read_password(password_stdin)
    _change_user(
        database_url,
        username,
        lambda session, user_id: accounts.reset_password(
            session, actor=ACTOR, user_id=user_id, password=password, reason=_reason(reason)
        ),
    )
    out.print(f"password reset for {username.strip().lower()}")


@audit_app.command("verify")
def audit_verify(database_url: DatabaseUrl = None) -> None:
    """Recompute the audit hash chain. Exit 0 intact, 1 tampering found, 2 error."""
    from trialdesk.trial.store.audit import verify

    with _store(database_url) as store, store.read() as session:
        report = verify(session)
    if report.ok:
        out.print(
            f"audit trail intact: {report.rows} row(s) checked, head {report.head_id} "
            f"{report.head_hash[:16]}",
            highlight=False,
        )
        return
    table = Table("Row", "Problem", "Detail", title="Audit trail problems")
    for p in report.problems:
        table.add_row(str(p.row_id), p.kind.value, p.message)
    out.print(table)
    out.print(
        f"[bold red]audit trail tampered:[/] {len(report.problems)} problem(s) in "
        f"{report.rows} row(s) checked",
        highlight=False,
    )
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Create the trial store or upgrade its schema to the newest revision."""
    from trialdesk.trial.store.migrate import current_revision

    with _store(database_url) as store:
        revision = current_revision(store.engine)
        out.print(f"{store.url}: schema at revision {revision}", highlight=False)


@db_app.command("current")
def db_current(database_url: DatabaseUrl = None) -> None:
    """Show the schema revision without changing anything."""
    from trialdesk.trial.store.db import database_url as resolve_url
    from trialdesk.trial.store.db import redact, schema_revision
    from trialdesk.trial.store.migrate import head_revision

    try:
        current = schema_revision(database_url)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    shown = redact(resolve_url(database_url))
    out.print(f"{shown}: at {current or 'no revision'}, newest is {head_revision()}")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("-m", "--message", help="What the migration does.")],
    autogenerate: Annotated[
        bool, typer.Option(help="Diff the models against the database (review the result).")
    ] = True,
    database_url: DatabaseUrl = None,
) -> None:
    """For developers: write a new migration under trialdesk/trial/store/migrations/versions."""
    from trialdesk.trial.store.migrate import revision

    with _store(database_url) as store:
        try:
            revision(store.engine, message, autogenerate=autogenerate)
        except TrialdeskError as exc:
            raise _fail(exc) from None


@trial_app.command("simulate")
def trial_simulate(
    participants: Annotated[
        int,
        typer.Option(min=1, help="How many to enrol (at most the study's enrolment target)."),
    ],
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed and as-of date, the same trial.")
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Simulate up to this date, YYYY-MM-DD (default: today at the site)."
        ),
    ] = None,
    study: Annotated[str, typer.Option(help="Bundled study id or a study folder.")] = "NCT06947746",
    database_url: DatabaseUrl = None,
) -> None:
    """Run a synthetic trial into an empty store through the services staff use: candidates
    screened (some fail, some decline), participants enrolled, injected and followed
    visit by visit up to the as-of date. Every person is invented. Creates a demo
    coordinator and investigator to sign in with."""
    import time
    from datetime import UTC, datetime

    from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn

    from trialdesk.cli.options import parse_date
    from trialdesk.study.loader import load_study
    from trialdesk.study.windows import site_today
    from trialdesk.trial.simulate.run import simulate

    try:
        loaded = load_study(study)
        today = site_today(loaded.schedule, datetime.now(UTC))  # the one wall-clock read
        until = parse_date(as_of, "--as-of") or today
        if until > today:
            raise InputError(
                f"{until.isoformat()} is after today at the site ({today.isoformat()}): a "
                "simulated trial is dated in the past",
                field="--as-of",
            )
    except TrialdeskError as exc:
        raise _fail(exc) from None
    started = time.perf_counter()
    with _store(database_url) as store:
        with Progress(
            *Progress.get_default_columns()[:-1],
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as progress:
            task = progress.add_task(f"simulating {loaded.id}", total=None)
            try:
                result = simulate(
                    store, loaded, participants=participants, seed=seed, as_of=until,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )  # fmt: skip
            except TrialdeskError as exc:
                raise _fail(exc) from None
        shown = store.url
    _report_simulation(result, shown, time.perf_counter() - started)


def _report_simulation(result: Simulation, url: str, seconds: float) -> None:
    t = result.tally
    ended = sum(t.ended_early.values())
    out.print(
        f"{result.study_id} simulated up to {result.as_of.isoformat()} (seed {result.seed}) "
        f"into {url} in {seconds:.1f} s",
        highlight=False,
    )
    out.print(
        f"  {t.candidates} candidates: {t.enrolled} enrolled, {t.screen_failed} screen "
        f"failures, {t.declined} declined; {t.facts} facts entered, {t.judgments} judgments "
        "signed",
        highlight=False,
    )
    terms = ", ".join(f"{n} {term.lower()}" for term, n in sorted(t.ended_early.items()))
    out.print(
        f"  {t.injected} injected: {t.completed} completed week 24, {ended} ended early"
        + (f" ({terms})" if terms else "")
        + f", {t.enrolled - t.completed - ended} taking part",
        highlight=False,
    )
    out.print(f"  {t.visits} follow-up visits, {t.missed} missed; {t.forms} forms saved",
              highlight=False)  # fmt: skip
    paused = f"; a stopping rule paused the study {t.pauses} time(s), each resumed by a " \
        "signed safety review" if t.pauses else ""  # fmt: skip
    out.print(f"  {t.adverse_events} adverse events recorded with their causality signed, "
              f"{t.resolved_events} resolved since{paused}", highlight=False)  # fmt: skip
    for note in result.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    staff = result.staff
    from trialdesk.trial.simulate.staff import DEMO_PASSWORD

    out.print(f"Look around: trialdesk serve --database-url {url}, then sign in as",
              highlight=False, soft_wrap=True)  # fmt: skip
    for username, role in (
        (staff.coordinator, "coordinator"),
        (staff.investigator, "investigator"),
    ):
        made = "" if username in staff.created else " (an existing account: password unchanged)"
        out.print(f"  {username} ({role}){made}", highlight=False)
    if staff.created:
        out.print(
            f"  password: [bold]{DEMO_PASSWORD}[/]  [bold yellow]DEMO ONLY:[/] published with "
            "trialdesk; never use these accounts in a store with real data.",
            highlight=False,
        )
