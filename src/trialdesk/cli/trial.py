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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trialdesk.errors import InputError, NotFoundError, TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts import second_factor
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Session, Store, open_store
from trialdesk.trial.store.values import utc_now

if TYPE_CHECKING:  # the simulation is imported when it is run: the CLI starts fast
    from trialdesk.trial.simulate.run import Simulation

user_app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)
audit_key_app = typer.Typer(help="The audit chain's key, kept outside the database.",
                            no_args_is_help=True)  # fmt: skip
audit_app.add_typer(audit_key_app, name="key")
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
def _store(url: str | None, *, guarded: bool = True) -> Iterator[Store]:
    try:
        store = open_store(url, guarded=guarded)  # guarded: refused without its audit triggers
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


@audit_key_app.callback()
def _audit_key() -> None:
    """The audit chain's key, kept outside the database."""


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
        two_step = second_factor.states(session)
        table = Table(
            "Username", "Full name", "Role", "Active", "Locked until", "Last login", "Created",
            "Two-step", "Must change password",
        )  # fmt: skip
        for u in users:
            table.add_row(
                u.username,
                u.full_name or "",
                u.role.value,
                "yes" if u.active else "no",
                f"{u.locked_until:%Y-%m-%d %H:%M}" if u.locked_until else "",
                f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never",
                f"{u.created_at:%Y-%m-%d}",
                two_step.get(u.id, "off"),
                "yes" if u.must_change_password else "",
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
    not_temporary: Annotated[
        bool,
        typer.Option(
            "--not-temporary",
            help="The password is the user's own choice (they typed it): do not ask them "
            "for a new one at their next sign-in.",
        ),
    ] = False,
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a temporary password: the user must choose a new one at their next sign-in
    before anything else. Also unlocks the account and ends its sessions."""
    password = _read_password(password_stdin)
    _change_user(
        database_url,
        username,
        lambda session, user_id: accounts.reset_password(
            session, actor=ACTOR, user_id=user_id, password=password, reason=_reason(reason),
            temporary=not not_temporary,
        ),
    )  # fmt: skip
    name = username.strip().lower()
    then = "" if not_temporary else "; they must change it when they next sign in"
    out.print(f"password reset for {name}{then}", highlight=False)


@user_app.command("reset-second-factor")
def user_reset_second_factor(
    username: Annotated[str, typer.Argument()],
    reason: Reason = None,
    database_url: DatabaseUrl = None,
) -> None:
    """End a user's two-step sign-in (a lost phone and lost recovery codes): their next
    sign-in asks only the password, and they can set up a new authenticator app."""
    _change_user(
        database_url,
        username,
        lambda session, user_id: second_factor.reset_by_admin(
            session, actor=ACTOR, user_id=user_id, reason=_reason(reason), now=utc_now()
        ),
    )
    out.print(f"two-step sign-in reset for {username.strip().lower()}", highlight=False)


ExpectHead = Annotated[
    list[str] | None,
    typer.Option(
        "--expect-head",
        help="An anchor from 'trialdesk audit head' (or ID:HASH): the log must still hold "
        "that row with that hash (repeatable).",
        show_default=False,
    ),
]
AnchorFile = Annotated[
    Path | None,
    typer.Option(
        "--anchor-file",
        help="A file of anchors ('serve --anchor-file'): the log must hold every one.",
        show_default=False,
    ),
]


@audit_app.command("verify")
def audit_verify(
    expect_head: ExpectHead = None,
    anchor_file: AnchorFile = None,
    data: CheckData = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Recompute the audit chain, under the store's audit key, and check it against the
    anchors given. Exit 0 intact, 1 tampering found, 2 error (a row that cannot be read
    included)."""
    from trialdesk.trial.store.anchors import Anchor, check_signatures, read_anchor_file
    from trialdesk.trial.store.audit import ProblemKind, verify
    from trialdesk.trial.store.audit_key import key_of_engine, key_place

    try:
        anchors = [Anchor.parse(a) for a in expect_head or ()]
        anchors += read_anchor_file(anchor_file) if anchor_file else []
    except TrialdeskError as exc:
        raise _fail(exc) from None
    with _store(database_url, guarded=False) as store:  # it examines a store without triggers
        try:
            key = key_of_engine(store.engine)
            check_signatures(anchors, key)
            with store.read() as session:
                report = verify(session, anchors=anchors, key=key)
                data_ok = _check_data(session) if data else True
        except TrialdeskError as exc:
            raise _fail(exc) from None
        place = key_place(store.engine.url)
    if key is None:
        err.print(
            f"[yellow]warning:[/] this store has no audit key (looked for "
            f"{escape(str(place))}): anyone who can write to the database can append entries "
            "that verify. Create one with "
            "'trialdesk audit key init' (docs/audit.md).",
            highlight=False,
            soft_wrap=True,
        )
    keyed = f"; keyed: {escape(report.key)}" if report.key else ""
    anchored = f"; {report.anchors} anchor(s) held" if report.anchors else ""
    if report.ok:
        out.print(
            f"audit trail intact: {report.rows} row(s) checked, head {report.head_id} "
            f"{report.head_hash[:16]}{keyed}{anchored}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=0 if data_ok else 1)
    table = Table("Row", "Problem", "Detail", title="Audit trail problems")
    for p in report.problems:
        table.add_row(str(p.row_id), p.kind.value, p.message)
    out.print(table)
    if key is None and any(p.kind is ProblemKind.EDITED for p in report.problems):
        err.print(
            "[yellow]note:[/] checked without a key: if this store's chain is keyed, its keyed "
            "rows all show as edited. Name the key with TRIALDESK_AUDIT_KEY_FILE.",
            highlight=False,
            soft_wrap=True,
        )
    if report.unreadable:
        unread = sorted({p.row_id for p in report.problems if p.kind is ProblemKind.UNREADABLE})
        err.print(
            f"[bold red]error:[/] audit trail not fully checked: row(s) "
            f"{', '.join(map(str, unread))} cannot be read; {len(report.problems)} problem(s) "
            f"in {report.rows} row(s)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=2)
    out.print(
        f"[bold red]audit trail tampered:[/] {len(report.problems)} problem(s) in "
        f"{report.rows} row(s) checked",
        highlight=False,
    )
    raise typer.Exit(code=1)


@audit_app.command("head")
def audit_head(database_url: DatabaseUrl = None) -> None:
    """Print the audit head as an anchor: the newest entry's id and hash, signed with the
    store's audit key, as one token. Keep it outside the store (another machine, a
    notebook, an e-mail); 'audit verify --expect-head TOKEN' then shows a log cut or
    rewritten behind it."""
    from trialdesk.trial.store.anchors import Anchor
    from trialdesk.trial.store.audit import head
    from trialdesk.trial.store.audit_key import key_of_engine

    with _store(database_url) as store:
        try:
            key = key_of_engine(store.engine)
            if key is None:
                raise NotFoundError(
                    "this store has no audit key to sign the anchor with: create it with "
                    "'trialdesk audit key init' (docs/audit.md)"
                )
            with store.read() as session:
                row_id, row_hash = head(session)
        except TrialdeskError as exc:
            raise _fail(exc) from None
    if not row_hash:
        raise _fail(NotFoundError("the audit head row is missing: run 'audit verify'"))
    sys.stdout.write(Anchor.signed(key, row_id, row_hash).token + "\n")
    err.print(
        f"the anchor of row {row_id}, signed with the audit key {key.fingerprint}",
        highlight=False,
    )


@audit_key_app.command("init")
def audit_key_init(database_url: DatabaseUrl = None) -> None:
    """Create the store's audit key (see docs/audit.md for where it goes); entries from the
    next one on are keyed with it. Nothing is changed when the store has a key."""
    from trialdesk.trial.store.audit_key import KEEP_IT, ensure_key

    with _store(database_url) as store:
        try:
            key, made = ensure_key(store.engine, store.url)
        except TrialdeskError as exc:
            raise _fail(exc) from None
    if not made:
        out.print(f"the store already has an audit key: {key.describe()}", markup=False,
                  highlight=False, soft_wrap=True)  # fmt: skip
        return
    out.print(
        f"audit key created: [bold]{escape(str(key.path))}[/] (mode 0600, fingerprint "
        f"{key.fingerprint}). Entries from row {key.keyed_from} on are keyed with it.",
        highlight=False,
        soft_wrap=True,
    )
    out.print(KEEP_IT, highlight=False, soft_wrap=True)


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


CheckData = Annotated[
    bool,
    typer.Option(
        "--data",
        help="Also replay the trail and compare every audited table's rows and every upload "
        "with it (docs/database-roles.md).",
    ),
]


def _check_data(session: Session) -> bool:
    """``audit verify --data``: the rows against the trail, printed (cli/audit_data.py)."""
    from trialdesk.cli.audit_data import check_data  # late: it imports every wing's tables

    return check_data(session, out)


@db_app.command("roles")
def db_roles(
    owner: Annotated[
        str, typer.Option(help="The role that owns the tables and runs 'db upgrade'.")
    ] = "trialdesk_owner",
    app: Annotated[
        str, typer.Option(help="The role 'serve' connects as: no DDL, the audit log append-only.")
    ] = "trialdesk_app",
    schema: Annotated[str, typer.Option(help="The schema of the store's tables.")] = "public",
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Run the SQL on --database-url (a superuser's, or the owner's once the roles "
            "exist) instead of printing it.",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """PostgreSQL: two roles, an owner that migrates and an app role that can neither change
    the audit log nor disable its triggers. Prints the SQL; --apply runs it
    (docs/database-roles.md)."""
    from trialdesk.trial.store import db_roles as roles_sql
    from trialdesk.trial.store.db import create_store_engine
    from trialdesk.trial.store.db import database_url as resolve_url

    try:
        roles = roles_sql.Roles(owner=owner, app=app, schema=schema)
        if not apply:
            sys.stdout.write(roles_sql.script(roles))  # plain text, to read or pipe into psql
            return
        url = resolve_url(database_url)
        roles_sql.apply(url, roles)
        engine = create_store_engine(url)
        try:
            granted = roles_sql.granted(engine, roles.app, roles.schema)
        finally:
            engine.dispose()
    except TrialdeskError as exc:
        raise _fail(exc) from None
    data = sum(1 for t in granted if t not in roles_sql.APP_TABLES)
    order = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")

    def may(table: str) -> str:
        return ", ".join(p for p in order if p in granted.get(table, ())) or "nothing"

    out.print(
        f"{roles.owner} owns schema {roles.schema}'s tables and runs 'trialdesk db upgrade'; "
        f"{roles.app} may {may('audit_log')} on audit_log, {may('audit_head')} on audit_head and "
        f"SELECT, INSERT, UPDATE on {data} data table(s): run 'trialdesk serve' as {roles.app}. "
        "Run 'trialdesk db roles --apply' again after every upgrade.",
        highlight=False,
        soft_wrap=True,
    )


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
