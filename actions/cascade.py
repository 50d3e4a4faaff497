"""From the top down (CONTRACT.md, Commitments): who may publish commitments on a cycle's results, and when.

The top of the company (the departments holding an executive) may publish as soon as the results
are. Every other department drafts until the top has published a commitment, or until
`CHAINSURVEY_CASCADE_DAYS` days after the results were published, whichever comes first.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.models import Cycle, Employee
from surveys.roles import top_of_company

from .models import Commitment


def top_departments() -> frozenset[int]:
    """Ids of the departments at the top of the company, among active people. One query."""
    return top_of_company(Employee.objects.active().values_list("department_id", "role"))


def results_published_at(cycle: Cycle) -> datetime.datetime | None:
    """When the cycle's results became visible: its publication (history imported from another tool
    is visible once closed), or None while they are not."""
    if not cycle.results_visible:
        return None
    return cycle.published_at or cycle.closed_at or cycle.opens_at


def top_has_published(cycle: Cycle, top: frozenset[int]) -> bool:
    return bool(top) and Commitment.objects.published().filter(cycle=cycle, department_id__in=top).exists()


@dataclass(frozen=True)
class Cascade:
    """Where a department stands in the cascade for one cycle's results."""

    results_visible: bool
    is_top: bool
    top_published: bool
    opens_at: datetime.datetime | None  # when it may publish at the latest (the days rule)
    now: datetime.datetime

    @property
    def may_publish(self) -> bool:
        if not self.results_visible:
            return False
        return self.is_top or self.top_published or (self.opens_at is not None and self.now >= self.opens_at)

    @property
    def explanation(self) -> str:
        """One sentence for the department's page, in its language: which rule applies, and until when."""
        from accounts.templatetags.local_dates import local_format

        if not self.results_visible:
            return _("Commitments open once this cycle's results are published.")
        if self.is_top:
            return _("The top of the company opens the cascade: your published commitments come first.")
        if self.top_published:
            return _("The top of the company has published its commitments: you may publish yours.")
        if self.may_publish:
            days = settings.CHAINSURVEY_CASCADE_DAYS
            return ngettext(
                "%(days)s day has passed since the results: you may publish.",
                "%(days)s days have passed since the results: you may publish.",
                days,
            ) % {"days": days}
        day = timezone.localtime(self.opens_at).date()
        return _(
            "Draft now: you may publish once the top of the company has published a commitment, "
            "or from %(day)s at the latest."
        ) % {"day": date_format(day, local_format("j F Y"))}


def cascade_for(
    *, cycle: Cycle, department_id: int, top: frozenset[int] | None = None, now: datetime.datetime | None = None
) -> Cascade:
    """The cascade state of one department. Two queries at most (fewer when `top` is passed)."""
    now = now or timezone.now()
    published = results_published_at(cycle)
    top = top_departments() if top is None else top
    is_top = department_id in top
    return Cascade(
        results_visible=published is not None,
        is_top=is_top,
        top_published=not is_top and published is not None and top_has_published(cycle, top),
        opens_at=published + datetime.timedelta(days=settings.CHAINSURVEY_CASCADE_DAYS) if published else None,
        now=now,
    )
