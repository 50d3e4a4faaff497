"""The mail helpers of invitations and reminders (and of the commitments' notices, actions.notices).

They are `accounts.mail`'s, re-exported here: the lowest app holds them so that every layer can
send mail (an identity change notifies the old address from `accounts`). What is invitations' own
is the error its senders raise for a refused batch.
"""

from accounts.mail import SEND_ERRORS, absolute_url, email_message, language_of, send_in_order

__all__ = ["SEND_ERRORS", "NoticeSendError", "absolute_url", "email_message", "language_of", "send_in_order"]


class NoticeSendError(Exception):
    """The mail server refused or could not be reached; the unsent notices wait for a retry."""
