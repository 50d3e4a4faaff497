"""Identity changes: what follows when the email address a person signs in with changes.

Everyone who can change an address (the people admin, the accounts admin, the HR upload of the
org file and `import_org`) calls `identity_change`, in the transaction that writes the new
addresses. Whoever controls the new address can become that person through "Set your password",
so the change must bring them nothing the person left behind, and must be seen:

- every session of the account ends (the database sessions are deleted here; a session that
  began too late to be found is refused anyway, because the session hash covers the address:
  `User.get_session_auth_hash`);
- every password-set link sent before is void: Django's token hashes the address (and the
  password), so a link made for the old address no longer matches the account;
- what the other apps hold of the person that only they may read goes: `identity_changed` is
  sent, and surveys deletes the unsubmitted drafts (their named answers);
- one `IdentityChange` row per person records who changed it, when, how, old → new; nobody can
  change or delete it in the admin;
- once the transaction commits, the old address is told (the row notes when it was).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .mail import absolute_url, email_message, language_of, send_in_order
from .models import IdentityChange

logger = logging.getLogger(__name__)

# Sent inside the changing transaction with `user_ids` (a frozenset): receivers delete what only
# the person may read (surveys: their unsubmitted drafts). A receiver that raises undoes the change.
identity_changed = Signal()

_SESSION_DELETE_CHUNK = 500  # keys per DELETE (SQLite's variable limit, and short statements)


@dataclass(frozen=True)
class EmailChange:
    """One account's address, before and after."""

    user_id: int
    old_email: str
    new_email: str


def identity_change(*, changes: Sequence[EmailChange], by=None, via: str) -> list[IdentityChange]:
    """Apply the consequences of `changes` (the new addresses already written, same transaction).

    `by` is the signed-in user who made the change (None for a command), `via` an
    `IdentityChange.Via`. Changes that change nothing are ignored. A fixed number of queries
    whatever the number of changes, plus one pass over the live sessions.
    """
    changes = [c for c in changes if c.old_email != c.new_email]
    if not changes:
        return []
    via = IdentityChange.Via(via)
    user_ids = frozenset(c.user_id for c in changes)
    with transaction.atomic():
        sessions_end(user_ids=user_ids)
        identity_changed.send(sender=IdentityChange, user_ids=user_ids)
        rows = IdentityChange.objects.bulk_create(
            IdentityChange(
                user_id=c.user_id,
                old_email=c.old_email,
                new_email=c.new_email,
                changed_by=by,
                changed_by_email=by.email if by is not None else "",
                via=via,
            )
            for c in changes
        )
        ids = [row.pk for row in rows]  # PostgreSQL and SQLite (3.35+) return the new keys
        transaction.on_commit(lambda: old_addresses_notify(change_ids=ids), robust=True)
    return rows


def sessions_end(*, user_ids: frozenset[int] | set[int]) -> int:
    """Delete every live session of these users; returns how many.

    The app's sessions (accounts.sessions) name their person in a column: one DELETE. Django's
    own tables carry the user only inside their signed data, so there each live session is
    decoded once (one streamed read, whatever the number of users), and the matches are deleted
    in a few statements. Engines that keep no table (cache, signed cookies) cannot be listed: for
    them the session hash, which covers the address, ends the sessions at their next request.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    if any(field.name == "user" for field in model._meta.concrete_fields):
        ended = 0
        ids = sorted(user_ids)
        for start in range(0, len(ids), _SESSION_DELETE_CHUNK):
            ended += model.objects.filter(user_id__in=ids[start : start + _SESSION_DELETE_CHUNK]).delete()[0]
        return ended
    wanted = {str(pk) for pk in user_ids}
    decoder = store_class()
    live = model.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    keys = [key for key, data in live.iterator(chunk_size=2000) if str(decoder.decode(data).get(SESSION_KEY)) in wanted]
    if getattr(store_class, "cache_key_prefix", None):  # cached_db: the cache holds a copy of each
        for key in keys:
            store_class(session_key=key).delete()
        return len(keys)
    for start in range(0, len(keys), _SESSION_DELETE_CHUNK):
        model.objects.filter(session_key__in=keys[start : start + _SESSION_DELETE_CHUNK]).delete()
    return len(keys)


def old_addresses_notify(*, change_ids: Sequence[int]) -> int:
    """Tell each change's old address what happened (one connection); returns how many were sent.

    Runs after the change commits. A refusal by the mail server is logged (counts only) and leaves
    `old_address_notified_at` empty on the rows not sent, so the log shows who was not told.
    """
    rows = list(
        IdentityChange.objects.filter(pk__in=change_ids, old_address_notified_at=None)
        .select_related("user__employee")
        .order_by("pk")
    )
    sent, refused = send_in_order(rows, _message)
    if sent:
        IdentityChange.objects.filter(pk__in=[row.pk for row in sent]).update(old_address_notified_at=timezone.now())
    if refused is not None:
        logger.warning(
            "identity change notices: %d of %d not sent (%s)", len(rows) - len(sent), len(rows), type(refused).__name__
        )
    return len(sent)


# How each way of changing an address reads after "through the" in the email, in its reader's language.
_VIA = {
    IdentityChange.Via.PEOPLE_ADMIN: pgettext_lazy("changed through the …", "people admin"),
    IdentityChange.Via.ACCOUNTS_ADMIN: pgettext_lazy("changed through the …", "accounts admin"),
    IdentityChange.Via.ORG_UPLOAD: pgettext_lazy("changed through the …", "org file upload (HR workspace)"),
    IdentityChange.Via.IMPORT_ORG: pgettext_lazy("changed through the …", "import_org command"),
}


def _message(row: IdentityChange):
    context = {
        "name": row.user.full_name or row.old_email,
        "old_email": row.old_email,
        "new_email": row.new_email,
        "changed_at": row.changed_at,
        "changed_by": row.changed_by_email,
        "via": _VIA.get(row.via, row.get_via_display()),
        "sign_in_url": absolute_url("/accounts/login/"),
    }
    person = getattr(row.user, "employee", None)  # the reader's language: the org file's, else their choice
    return email_message("identity_changed", context, to=row.old_email, language=language_of(person))
