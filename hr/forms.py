"""Forms of the HR workspace: plain input checks; the rules themselves live in the services."""

import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from surveys.models import CYCLE_NAME_RE
from surveys.services.cycles import DEFAULT_OPEN_DAYS

from . import services


def suggested_cycle_name(existing: list[str]) -> str:
    """The quarter after the newest cycle, or the current quarter when there is none."""
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    if existing:
        newest = max(existing)
        year, quarter = int(newest[:4]), int(newest[-1]) + 1
        if quarter == 5:
            year, quarter = year + 1, 1
    return f"{year}-Q{quarter}"


class DateInput(forms.DateInput):
    input_type = "date"


def default_closing_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DEFAULT_OPEN_DAYS)


class CycleCreateForm(forms.Form):
    name = forms.RegexField(
        regex=CYCLE_NAME_RE,
        label=_("Cycle name"),
        help_text=_("A quarter, written YYYY-Qn (for example 2026-Q3)."),
        error_messages={"invalid": _("Write the quarter as YYYY-Qn, for example 2026-Q3.")},
    )
    closes_on = forms.DateField(
        label=_("Closing day"),
        required=False,
        widget=DateInput,
        help_text=format_lazy(
            _("Answers are accepted until the end of this day. Empty: {days} days after opening."),
            days=DEFAULT_OPEN_DAYS,
        ),
    )


class CycleOpenForm(forms.Form):
    closes_on = forms.DateField(
        label=_("Closing day"),
        widget=DateInput,
        help_text=_("Answers are accepted until the end of this day."),
    )


def _megabytes(size: int) -> str:
    """A file size as the reader's language writes it ("20.0 MB", German "20,0 MB")."""
    if size >= 2**20:
        return gettext("%(size)s MB") % {"size": formats.number_format(size / 2**20, 1)}
    count = formats.number_format(size, force_grouping=True)
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": count}


class OrgUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Org file (CSV)"),
        help_text=format_lazy(
            _(
                "UTF-8 CSV with the columns employee_id, email, full_name, department, role (other columns are "
                "ignored), at most {size}. You will see what changes before anything is saved."
            ),
            size=lazy(lambda: _megabytes(services.MAX_UPLOAD_BYTES), str)(),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        # The size comes from the upload handler, which spools anything above
        # FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file: a file above the limit is refused here,
        # before the view reads a byte of it into memory.
        uploaded = self.cleaned_data["file"]
        limit = services.MAX_UPLOAD_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(
                gettext(
                    "This file is %(size)s, larger than the %(limit)s an org file may be: nothing was read or saved. "
                    "Upload the HR system's export without extra columns."
                )
                % {"size": _megabytes(uploaded.size), "limit": _megabytes(limit)}
            )
        return uploaded
