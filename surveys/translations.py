"""The survey's stored English texts, named here so that makemessages finds them.

The dimensions' labels and questions live in the database (migrations 0002 and 0006) and the
scales' words in surveys.dimensions; surveys.forms translates them at render time with gettext on
the English, so a text edited in the admin falls back to itself. Never imported at run time.
"""

from django.utils.translation import gettext_noop as _

DIMENSION_TEXTS = [
    _("Willingness to help"),
    _("They are willing to help me, whatever their title or department."),
    _("Ownership"),
    _("They own my request: I never hear “that's not my job”; if they can't solve it they bring in who can."),
    _("Responsiveness"),
    _("They respond within the time I need."),
    _("Reliability"),
    _("They do what they promised, consistently."),
    _("Courtesy"),
    _("They treat me with care and respect, never with indifference."),
    _("Communication"),
    _("They keep me informed of progress and decisions."),
    _("What you expected"),
    _("Overall, what level of service did you expect from them this quarter?"),
    _("Overall"),
    _("Overall, I get what I need from {department} to do my job well."),
]
SCALE_WORDS = [
    _("Very poor"),
    _("Poor"),
    _("Acceptable"),
    _("Good"),
    _("Excellent"),
    _("Very low"),
    _("Low"),
    _("Moderate"),
    _("High"),
    _("Very high"),
    _("Strongly disagree"),
    _("Disagree"),
    _("Neither"),
    _("Agree"),
    _("Strongly agree"),
]
