"""factory_boy factories for the org, cycles and answers."""

import datetime

import factory
from django.utils import timezone

from accounts.models import User
from surveys.models import Cycle, Department, Employee
from surveys.roles import Role


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    department = factory.SubFactory(DepartmentFactory)
    role = Role.EMPLOYEE

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            from surveys.roles import assign_role_groups, is_staff_for

            assign_role_groups({obj.user.pk: obj.role})
            obj.user.is_staff = is_staff_for(obj.role, is_superuser=obj.user.is_superuser)
            obj.user.save(update_fields=["is_staff"])


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"{2000 + n // 4}-Q{n % 4 + 1}")
    status = Cycle.Status.DRAFT


class OpenCycleFactory(CycleFactory):
    status = Cycle.Status.OPEN
    opens_at = factory.LazyFunction(timezone.now)
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
