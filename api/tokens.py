"""Making, checking and revoking personal API tokens (services; the pages, the command and the
API's authentication call these).

A key is `cs_<prefix>_<secret>`: 8 random characters that find the token's row (indexed, not
secret) and 32 random bytes. The row holds the SHA-256 of the whole key; the check compares it in
constant time. A fast hash is enough here: the secret has 256 bits, there is nothing to guess.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import ApiToken

KEY_RE = re.compile(r"cs_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})")
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # shown once; never stored


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str) -> NewToken:
    """A new live token for `user`, and its key (the only time anyone sees it)."""
    name = (name or "").strip()
    if not name:
        raise ValueError("Give the token a name, e.g. what it is for.")
    if not user.is_active:
        raise ValueError(f"{user.email} is deactivated: a token would not work.")
    while True:
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(8))
        key = f"cs_{prefix}_{secrets.token_urlsafe(32)}"
        if not ApiToken.objects.filter(prefix=prefix).exists():  # 62**8 prefixes: a clash is a fluke
            break
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, key_hash=key_hash(key))
    return NewToken(token=token, key=key)


def token_revoke(*, token_id: int, by, owner=None) -> bool:
    """Revoke a token (only `owner`'s, when given); False when there is no such live token.
    It stops at once: every request checks the row."""
    with transaction.atomic():
        tokens = ApiToken.objects.live().select_for_update().filter(pk=token_id)
        if owner is not None:
            tokens = tokens.filter(user=owner)
        return bool(tokens.update(revoked_at=timezone.now(), revoked_by=by))


def token_user_id(key: str) -> int | None:
    """The id of the active person whose live token `key` is, or None. One query (two when the
    token's last use is written)."""
    found = KEY_RE.fullmatch(key)
    if found is None:
        return None
    row = (
        ApiToken.objects.live()
        .filter(prefix=found.group(1), user__is_active=True)
        .values("pk", "key_hash", "user_id", "last_used_at")
        .first()
    )
    # Without a row, a hash is still compared, so that a wrong prefix takes as long as a wrong secret.
    expected = row["key_hash"] if row else "0" * 64
    if not hmac.compare_digest(expected, key_hash(key)) or row is None:
        return None
    now = timezone.now()
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=row["pk"]).update(last_used_at=now)
    return row["user_id"]
