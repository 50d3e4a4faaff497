"""The commitment forms: they parse and validate; actions.services writes. Labels are the contract's
(_("Scope"), _("Dimension"), _("What we will do"), _("Owner"), _("Due by"); the button "Publish"), exactly so in
English, and translated like every other text in German, French and Spanish."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Scope
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Dimension

from .models import TEXT_MAX, UPDATE_MAX, Commitment, TrainingModule
from .services import Draft

SCOPE_CHOICES = [
    (Scope.SUPPLIER, _("To the departments we serve (supplier)")),
    (Scope.MANAGEMENT, _("Our management to our own staff (management)")),
]


class CommitmentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=SCOPE_CHOICES, widget=forms.RadioSelect)
    dimension = forms.ChoiceField(label=_("Dimension"))
    text = forms.CharField(
        label=_("What we will do"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One concrete change your internal customers will notice."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, help_text=_("A person of this department."))
    due = forms.DateField(label=_("Due by"), widget=forms.DateInput(attrs={"type": "date"}))
    especially_for = forms.ModelMultipleChoiceField(
        label=_("Especially for (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Supplier scope: the departments that rated you lowest, lowest first."),
    )
    modules = forms.ModelMultipleChoiceField(
        label=_("Training our staff will complete (optional)"),
        queryset=TrainingModule.objects.filter(is_active=True, kind=TrainingModule.Kind.MODULE),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, owners, raters, dimensions: list[Dimension], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda e: f"{e.full_name} ({e.email})"
        self.fields["especially_for"].queryset = raters
        if not self.fields["modules"].queryset.exists():
            del self.fields["modules"]  # no training written yet: nothing to attach
        else:
            self.fields["modules"].label_from_instance = lambda module: module.shown_title
        labels = {d.slug: _(d.label) for d in dimensions}  # the stored English, translated
        self.fields["dimension"].choices = [(slug, labels.get(slug, slug.capitalize())) for slug in SERVICE_DIMENSIONS]

    @classmethod
    def initial_from(cls, commitment: Commitment) -> dict:
        return {
            "scope": commitment.scope,
            "dimension": commitment.dimension,
            "text": commitment.text,
            "owner": commitment.owner_id,
            "due": commitment.due,
            "especially_for": [d.pk for d in commitment.especially_for.all()],
            "modules": [m.pk for m in commitment.modules.all()],  # ignored when there is no training
        }

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            scope=data["scope"],
            dimension=data["dimension"],
            text=data["text"],
            owner=data["owner"],
            due=data["due"],
            especially_for=tuple(data["especially_for"]),
            modules=tuple(data.get("modules", ())),
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Commitment.Status.choices)


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress update"), max_length=UPDATE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
