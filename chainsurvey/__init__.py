"""Chain Survey project package.

`celery_app` is loaded on first use, not here: importing Celery costs ~0.15-0.3 s, which every
command and the web process would otherwise pay at start-up. The task modules import
`chainsurvey.celery` themselves, so their tasks bind to this app; `celery -A chainsurvey` finds it
in `chainsurvey.celery`.
"""

__all__ = ("celery_app",)


def __getattr__(name):
    if name == "celery_app":
        from .celery import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
