"""Anonymity by construction, proved on the schema: no path of foreign keys leads from an answer,
a comment or a sealed ballot to a person, and nothing in those rows orders them in time.
(tests/test_anonymity_pairing.py attacks the stored rows themselves.)

The walk follows every forward relation (foreign key, one-to-one, many-to-many) of Answer,
Comment and Ballot, and recursively of every model reached. Reverse relations are not followed: they need a
key *on the other side* pointing here, which is exactly what the forward walk of that model shows.
"""

import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from surveys.models import Answer, Ballot, Comment, Draft, Employee, Participation, SelfViewAnswer

ANONYMOUS = [Answer, Comment, Ballot, SelfViewAnswer]


def person_models() -> set[type[models.Model]]:
    return {Employee, get_user_model(), Participation, Draft}


def reachable(model: type[models.Model]) -> dict[type[models.Model], list[str]]:
    """Every model reachable from `model` through forward relations, with the path that reaches it."""
    paths = {model: [model.__name__]}
    todo = [model]
    while todo:
        current = todo.pop()
        for field in current._meta.get_fields():
            if not field.is_relation or (field.auto_created and not field.concrete):
                continue  # plain columns, and reverse relations (see the module docstring)
            target = field.related_model
            if target is None or target in paths:
                continue
            paths[target] = [*paths[current], f".{field.name} → {target.__name__}"]
            todo.append(target)
    return paths


@pytest.mark.parametrize("model", ANONYMOUS, ids=lambda m: m.__name__)
def test_no_relation_path_leads_from_the_anonymous_rows_to_a_person(model):
    paths = reachable(model)
    leaks = {target.__name__: " ".join(path) for target, path in paths.items() if target in person_models()}
    assert leaks == {}
    # The walk really walks: it reaches what answers are about.
    assert {m.__name__ for m in paths} >= {"Cycle", "Department"}


def test_the_walk_would_catch_a_leak():
    # Participation is who took part: the same walk finds the person from there.
    assert Employee in reachable(Participation)
    assert get_user_model() in reachable(Participation)


@pytest.mark.parametrize("model", ANONYMOUS, ids=lambda m: m.__name__)
def test_anonymous_rows_have_no_date_or_time_anywhere_on_them(model):
    timed = [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField | models.DateTimeField | models.TimeField | models.DurationField)
    ]
    assert timed == []


@pytest.mark.parametrize("model", ANONYMOUS, ids=lambda m: m.__name__)
def test_anonymous_rows_have_a_random_key_not_an_increasing_number(model):
    pk = model._meta.pk
    if model is Answer:
        # Keyed by the question answered: the only part that differs between people is the
        # respondent key, random (surveys.models.new_respondent_key), never counted up.
        assert isinstance(pk, models.CompositePrimaryKey)
        assert [f.name for f in pk.fields] == ["cycle", "respondent", "provider_department", "dimension"]
        assert not pk.fields[1].has_default() and not pk.fields[1].has_db_default()  # no sequence either
    elif model is SelfViewAnswer:
        # The same: keyed by the question, the respondent key random and drawn at the move.
        assert isinstance(pk, models.CompositePrimaryKey)
        assert [f.name for f in pk.fields] == ["cycle", "respondent", "scope", "dimension"]
        assert not pk.fields[1].has_default() and not pk.fields[1].has_db_default()
    else:
        assert isinstance(pk, models.UUIDField)
        assert pk.default is uuid.uuid4
    assert [f.name for f in model._meta.concrete_fields if isinstance(f, models.AutoField)] == []


@pytest.mark.parametrize("model", ANONYMOUS, ids=lambda m: m.__name__)
def test_anonymous_rows_have_no_default_ordering(model):
    # An ordering by insertion would let someone line answers up with participation times.
    assert not model._meta.ordering


def test_only_the_known_models_point_at_people_at_all():
    """Every key to a person in the whole project. A new one must be a conscious decision: check it
    cannot be joined to answers (through a shared cycle *and* time or order), then add it here."""
    people = person_models()
    pointing = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in people
    }
    assert pointing == {
        # Commitments are named promises of a department, never answers: who owns, wrote or was
        # emailed about one, and who completed a training module (shown only as counts).
        ("actions.ActionNotice", "employee"),
        # The identity change log: whose sign-in address changed, who changed it, when; no cycle,
        # no answer, and it writes nothing an answer carries (it deletes the person's draft).
        ("accounts.IdentityChange", "user"),
        ("accounts.IdentityChange", "changed_by"),
        ("actions.Commitment", "created_by"),
        ("actions.Commitment", "owner"),
        ("actions.ProgressUpdate", "written_by"),
        ("actions.TrainingCompletion", "employee"),
        ("admin.LogEntry", "user"),
        # A person's API tokens, who revoked them, when they were made and last read: no cycle,
        # no answer (the API reads only the snapshot, as the person's pages do).
        ("api.ApiToken", "user"),
        ("api.ApiToken", "revoked_by"),
        # Who a live session belongs to (accounts.sessions): Django's session rows already carried
        # the id inside their signed (readable, not encrypted) data; no cycle, no answer, and a
        # session's times say no more than Participation does.
        ("accounts.Session", "user"),
        ("hr.OrgUpload", "uploaded_by"),  # an org file awaiting its uploader's confirmation: no cycle, no answer
        # Who was emailed and when: says no more than Participation (who took part, and when)
        # already does, and answers carry no time or order to join it to.
        ("invitations.Notice", "employee"),
        ("surveys.Draft", "employee"),
        ("surveys.Employee", "user"),
        ("surveys.Participation", "employee"),
        # A person's own training mark: no cycle, never shown but to them (pages show counts per
        # department under the minimum group size rule, actions.training).
        ("actions.TrainingCompletion", "employee"),
    }


def test_comments_do_not_carry_the_respondent_key():
    assert "respondent" not in {f.name for f in Comment._meta.get_fields()}


def test_a_sealed_ballot_carries_no_respondent_key():
    # The key is drawn when the ballot is moved, so the submission's transaction (and its trace in
    # the write-ahead log) never holds the key that groups the person's answers.
    assert "respondent" not in {f.name for f in Ballot._meta.get_fields()}
