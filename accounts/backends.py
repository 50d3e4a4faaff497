"""The sign-in throttle as an authentication backend (django-axes), usable without a request."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out (email, address) pair before any password is checked.

    Axes raises when `authenticate()` is called without a request; Django's test client and
    scripts do that, and there is no client address to throttle then, so we let the password
    backend decide. Every sign-in form of the app passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
