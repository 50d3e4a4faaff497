"""The session engine (`SESSION_ENGINE = "accounts.sessions"`): Django's database sessions, read
together with the signed-in person in one statement, which also serves as the request's database
health check.

A signed-in page used to pay three round trips to PostgreSQL before its view ran: Django's
connection health check (`SELECT 1`, CONN_HEALTH_CHECKS), the session row, then the person with
their role (`accounts.backends.RoleLoadingMixin`). Here the session row carries the person's id
in a column of its own (`accounts.models.Session.user`), so one statement returns the session's
signed data and the person's current row; the backend takes that row instead of reading it again
(`prefetched_user`), and Django's checks run on it unchanged: the session data says who is signed
in and with which backend, the backend refuses a deactivated person (`user_can_authenticate`),
and `django.contrib.auth.get_user` compares the session hash (password and address) and flushes a
session that no longer matches. Nothing is cached across requests: every request reads both rows
as they are now, so a sign-out, a password or address change or a deactivation ends the session
at its next request, as before.

The health check: when this read is a request's first use of a kept connection, it runs in place
of Django's `SELECT 1`; if the connection turns out dead, it is closed and the read retried once
on a fresh one, which is what the health check would have done.
"""

import contextlib
import contextvars
import functools

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import InterfaceError, OperationalError, connections, router
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

NOT_PREFETCHED = object()
_session = contextvars.ContextVar("accounts_sessions_current", default=None)


class SessionStore(DatabaseStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._user = NOT_PREFETCHED  # (the id the session data names, that person's User)

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def load(self):
        self._user = NOT_PREFETCHED
        found = self._read()
        if found is None:
            self._session_key = None
            return {}
        raw, user = found
        data = self.decode(raw)
        # The signed data says who is signed in; the row read beside it is taken only if it is
        # that person (else the backend reads them itself, as without this engine).
        if user is not None and str(data.get(SESSION_KEY)) == str(user.pk):
            self._user = (str(user.pk), user)
        return data

    def prefetched_user(self, user_id):
        """The person read with this session, if the session names `user_id`; else NOT_PREFETCHED."""
        if self._user is NOT_PREFETCHED or self._user[0] != str(user_id):
            return NOT_PREFETCHED
        return self._user[1]

    def _read(self):
        """(the session's signed data, the person's row as a User or None), or None when there is
        no such session (expired rows are not found)."""
        alias = router.db_for_read(self.get_model_class())
        reader = _reader(alias)
        params = [*reader.params, self.session_key, timezone.now()]
        connection = connections[alias]
        # In place of Django's health check when this is the request's first use of a kept
        # connection (never inside a transaction: a retry there would not be the same read).
        replaces_check = (
            connection.connection is not None
            and connection.health_check_enabled
            and not connection.health_check_done
            and not connection.in_atomic_block
        )
        if replaces_check:
            connection.health_check_done = True
        try:
            row = _fetch_one(connection, reader.sql, params)
        except (OperationalError, InterfaceError):
            if not replaces_check:
                raise
            connection.close()  # dead: the next statement connects afresh
            row = _fetch_one(connection, reader.sql, params)
        return None if row is None else reader.split(row, connection)


def _fetch_one(connection, sql, params):
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    # PostgreSQL: a prepared statement (planning the join took twice as long as running it). Django
    # binds parameters in the client and prepares nothing; this one statement is bound and prepared
    # by the server, once per connection, through Django's cursor wrapper (errors, query log).
    connection.close_if_health_check_failed()  # a no-op when this read is the check (see _read)
    connection.ensure_connection()
    with _prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@contextlib.contextmanager
def _prepared_cursor(connection):
    import psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    raw = connection.connection
    cursor = _prepared_cursor_class()(raw)
    # As Django's create_cursor: timestamps in the connection's time zone.
    timestamptz = psycopg.adapters.types["timestamptz"].oid
    if connection.timezone != raw.adapters.get_loader(timestamptz, psycopg.pq.Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)
    wrapped = connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
    # Django opens its connections with prepare_threshold None, which turns preparing off altogether;
    # only this cursor's statement is prepared (Django's own cursors bind in the client: never).
    threshold, raw.prepare_threshold = raw.prepare_threshold, _PREPARE_ON_REQUEST
    try:
        with wrapped:
            yield wrapped
    finally:
        raw.prepare_threshold = threshold


@functools.cache
def _prepared_cursor_class():
    import psycopg

    class Prepared(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

    return Prepared


_PREPARE_ON_REQUEST = 1 << 30  # psycopg prepares automatically after that many runs: never


def _user_id(data) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class _Reader:
    """One statement: the person's row and role (`accounts.backends.user_with_role_query`) beside
    the session's data, compiled once per process with what turns its row back into a User (the
    columns' order and the database's converters, which SQLite needs for dates)."""

    def __init__(self, alias: str):
        from django.contrib.auth import get_user_model

        from .backends import user_with_role_query
        from .models import Session

        self.alias, self.model = alias, get_user_model()
        compiler = user_with_role_query().query.get_compiler(using=alias)
        users, params = compiler.as_sql()
        self.attnames = [field.attname for field in self.model._meta.concrete_fields]
        columns = [target for target, _, _ in compiler.select]
        assert [getattr(getattr(c, "target", None), "attname", None) for c in columns[: len(self.attnames)]] == (
            self.attnames
        ), "the user query's columns are not the model's fields in order"
        self.annotations = [name for _, _, name in compiler.select[len(self.attnames) :]]
        self.pk_index = self.attnames.index(self.model._meta.pk.attname)
        self.converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
        quote = connections[alias].ops.quote_name
        table = quote(Session._meta.db_table)
        self.sql = (
            f"SELECT u.*, s.{quote('session_data')} FROM {table} s LEFT JOIN ({users}) u "
            f"ON u.{quote('id')} = s.{quote('user_id')} "
            f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
        )
        self.params = tuple(params)

    def split(self, row, connection):
        """(session data, the User with its annotations, or None when the session names nobody)."""
        data = row[-1]
        if row[self.pk_index] is None:
            return data, None
        values = list(row[:-1])
        for position, functions, expression in self.converters:
            for function in functions:
                values[position] = function(values[position], expression, connection)
        fields = len(self.attnames)
        user = self.model.from_db(self.alias, self.attnames, values[:fields])
        for name, value in zip(self.annotations, values[fields:], strict=True):
            setattr(user, name, value)
        return data, user


@functools.cache
def _reader(alias: str) -> _Reader:
    return _Reader(alias)


@contextlib.contextmanager
def reading_user_of(session):
    """While Django's `auth.get_user` runs for a request: the backend may take the person read
    with that request's session (`prefetched_user`)."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


def prefetched_user(user_id):
    """For `accounts.backends`: the person of the current request's session, read in the same
    statement as the session; NOT_PREFETCHED outside `reading_user_of` or for another id."""
    session = _session.get()
    if session is None or not hasattr(session, "prefetched_user"):
        return NOT_PREFETCHED
    return session.prefetched_user(user_id)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, except that `request.user` is read while the backend may use the person read
    with the session (`reading_user_of`)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        with reading_user_of(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user
