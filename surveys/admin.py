"""Admin for HR: the org, cycles and dimensions. Answers and comments are deliberately absent:
nobody browses raw answers, in the admin or anywhere else (anonymity)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.identity import EmailChange, identity_change
from accounts.lockout import sign_in_unlock
from accounts.models import IdentityChange

from .models import Cycle, CycleHeadcount, Department, Dimension, Employee, Participation
from .roles import MANAGE_CYCLES, assign_role_groups, is_staff_for
from .services.cycles import CycleError, cycle_close, cycle_open, cycle_publish


class NoDeleteMixin:
    """People, departments and cycles are history: they are deactivated or closed, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyMixin(NoDeleteMixin):
    """Records the app writes itself (participations, roll-up runs): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "is_executive_office", "active_employees"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(active_count=Count("employees", filter=Q(employees__user__is_active=True)))
        )

    @admin.display(description="active employees", ordering="active_count")
    def active_employees(self, obj):
        return obj.active_count

    def get_readonly_fields(self, request, obj=None):
        # The slug is in report URLs and exports: renaming a department must not break old links.
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only slug is not a form field: prepopulating it made every change page a 500.
        return {} if obj else super().get_prepopulated_fields(request, obj)


class EmployeeForm(forms.ModelForm):
    """Edits the person's sign-in account (email, name) together with their place in the org."""

    full_name = forms.CharField(max_length=200)
    email = forms.EmailField(
        help_text="The address they sign in with. Changing it signs them out everywhere, voids any password-set "
        "link sent before, deletes their unsubmitted survey answers, tells the old address, and is written to "
        "the identity change log."
    )

    class Meta:
        model = Employee
        fields = ["employee_id", "full_name", "email", "department", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["full_name"].initial = self.instance.user.full_name
            self.fields["email"].initial = self.instance.user.email

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = get_user_model().objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise forms.ValidationError("Another account already uses this email address.")
        return email


@admin.register(Employee)
class EmployeeAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = EmployeeForm
    list_display = ["employee_id", "name", "email", "department", "role", "active"]
    list_filter = ["department", "role", ("user__is_active", admin.BooleanFieldListFilter)]
    search_fields = ["employee_id", "user__full_name", "user__email"]
    list_select_related = ["user", "department"]
    list_per_page = 100
    actions = ["deactivate", "reactivate", "unlock_sign_in"]

    @admin.display(description="name", ordering="user__full_name")
    def name(self, obj):
        return obj.user.full_name

    @admin.display(description="email", ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="active", boolean=True, ordering="user__is_active")
    def active(self, obj):
        return obj.user.is_active

    def save_model(self, request, obj, form, change):
        User = get_user_model()
        with transaction.atomic():
            moved = None
            if change:
                user = obj.user
                if user.email != form.cleaned_data["email"]:
                    moved = EmailChange(user.pk, user.email, form.cleaned_data["email"])
                user.email = form.cleaned_data["email"]
                user.full_name = form.cleaned_data["full_name"]
            else:
                # People set their own password through "Set your password" on the sign-in page.
                user = User(email=form.cleaned_data["email"], full_name=form.cleaned_data["full_name"])
                user.set_unusable_password()
            user.is_staff = is_staff_for(obj.role, is_superuser=user.is_superuser)
            user.save()
            obj.user = user
            super().save_model(request, obj, form, change)
            assign_role_groups({user.pk: obj.role})
            if moved is not None:
                # Sessions end, password-set links and drafts are void, the old address is told,
                # and the change is logged (accounts.identity).
                identity_change(changes=[moved], by=request.user, via=IdentityChange.Via.PEOPLE_ADMIN)
        if moved is not None:
            if user.pk == request.user.pk:
                request.session.flush()  # their own address: this session ended with the others
            self.message_user(
                request,
                f"{user.full_name} now signs in as {user.email}: they were signed out, their unsubmitted answers were "
                f"deleted, {moved.old_email} is told, and the change is in the identity change log.",
                messages.WARNING,
            )

    @admin.action(description="Deactivate the selected people (they keep their history)", permissions=["change"])
    def deactivate(self, request, queryset):
        count = get_user_model().objects.filter(employee__in=queryset).update(is_active=False)
        self.message_user(request, f"{count} people deactivated.", messages.SUCCESS)

    @admin.action(description="Reactivate the selected people", permissions=["change"])
    def reactivate(self, request, queryset):
        count = get_user_model().objects.filter(employee__in=queryset).update(is_active=True)
        self.message_user(request, f"{count} people reactivated.", messages.SUCCESS)

    @admin.action(
        description="Unlock sign-in of the selected people (after too many wrong passwords)", permissions=["change"]
    )
    def unlock_sign_in(self, request, queryset):
        emails = list(queryset.values_list("user__email", flat=True))
        cleared = sign_in_unlock(emails=emails)
        self.message_user(
            request,
            f"Sign-in unlocked for {len(emails)} people ({cleared} record{'s' if cleared != 1 else ''} of wrong "
            "passwords cleared). They can sign in again now.",
            messages.SUCCESS,
        )


class HeadcountInline(admin.TabularInline):
    model = CycleHeadcount
    fields = ["department", "eligible"]
    readonly_fields = ["department", "eligible"]
    extra = 0
    can_delete = False
    verbose_name_plural = "Headcount when the cycle opened"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Cycle)
class CycleAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "opens_at",
        "closes_on",
        "closed_at",
        "published_at",
        "min_group_size",
        "participants",
        "is_historical",
    ]
    list_filter = ["status", "is_historical"]
    search_fields = ["name"]
    actions = ["open_cycles", "close_cycles", "publish_cycles"]
    inlines = [HeadcountInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(participant_count=Count("participations"))

    @admin.display(description="participants", ordering="participant_count")
    def participants(self, obj):
        return obj.participant_count

    def get_readonly_fields(self, request, obj=None):
        # Status and its dates change only through the actions; the group size is fixed when
        # the cycle is created, and a name is how exports and URLs refer to past results.
        fields = ["status", "opens_at", "closed_at", "published_at", "min_group_size", "is_historical", "created_at"]
        if obj is not None:
            fields.insert(0, "name")
            if obj.status not in (Cycle.Status.DRAFT, Cycle.Status.OPEN):
                fields.append("closes_on")
        return fields

    def has_manage_cycles_permission(self, request):
        return request.user.has_perm(MANAGE_CYCLES)

    def _transition(self, request, queryset, verb, apply):
        for cycle in queryset:
            try:
                apply(cycle)
            except CycleError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Cycle {cycle.name} {verb}.", messages.SUCCESS)

    @admin.action(description="Open the selected cycle for answers", permissions=["manage_cycles"])
    def open_cycles(self, request, queryset):
        def apply(cycle):
            # A closing day HR set on the draft is kept; a missing or stale one becomes the default.
            keep = cycle.closes_on if cycle.closes_on and cycle.closes_on >= timezone.localdate() else None
            cycle_open(name=cycle.name, closes_on=keep)

        self._transition(request, queryset, "opened", apply)

    @admin.action(description="Close the selected cycles and roll them up", permissions=["manage_cycles"])
    def close_cycles(self, request, queryset):
        from surveys.rollups import rollup_outlook

        for cycle in queryset:
            try:
                cycle_close(cycle=cycle, by=request.user)
            except CycleError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                # Read back from the run record: says truthfully whether the broker got the roll-up.
                as_expected, outlook = rollup_outlook(cycle_id=cycle.pk)
                level = messages.SUCCESS if as_expected else messages.WARNING
                self.message_user(request, f"Cycle {cycle.name} closed; {outlook}", level)

    @admin.action(description="Publish the selected closed cycles", permissions=["manage_cycles"])
    def publish_cycles(self, request, queryset):
        self._transition(request, queryset, "published", lambda c: cycle_publish(cycle=c))


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "question", "is_expectation"]
    fields = ["slug", "label", "question", "is_expectation", "position"]
    readonly_fields = ["slug", "is_expectation", "position"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who took part and when (never what they answered)."""

    list_display = ["employee", "department", "cycle", "submitted_at"]
    list_filter = ["cycle", "department"]
    search_fields = ["employee__employee_id", "employee__user__full_name", "employee__user__email"]
    list_select_related = ["employee__user", "department", "cycle"]
