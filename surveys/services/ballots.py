"""The ballot box: submitted surveys wait sealed, then join the answer tables in shuffled batches.

A submission writes its Participation (who took part) and a Ballot (what they answered, with no
person key) in one transaction. What a database reader could pair is whatever shares that
transaction, its neighbours in time, or the physical order of rows, so answers never go in there:
`ballots_move` later moves a department's waiting ballots into Answer and Comment only once at
least the cycle's minimum group size of them are waiting, all in one transaction, rows in random
order, each ballot under a fresh random respondent key drawn at that moment, and deletes the
ballots. Every answer or comment row then shares its transaction, its neighbours and its position
with at least N people of its department. When the cycle closes, whatever is left moves too, even
fewer than N (SECURITY.md says what that means).

Every writer here (submission, move, close, draft save) locks the cycle row first, so a move sees
a stable set of ballots and a close moves every ballot submitted before it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Count

from ..models import Answer, Ballot, Comment, Cycle, SelfViewAnswer, new_respondent_key

logger = logging.getLogger(__name__)

# Shuffling must not be predictable from the process state: the OS's generator.
_shuffle = random.SystemRandom().shuffle


def ballot_seal(
    *,
    cycle: Cycle,
    rater_department_id: int,
    answers: Iterable[tuple[int, int, int]],
    comments: Iterable[tuple[int, str]],
    self_views: Iterable[tuple[str, int, int]] = (),
) -> Ballot:
    """Store a submitted survey until the ballot box moves it: (provider, dimension, score) per
    answer, (provider, text) per comment and (scope, dimension, score) per self-view answer (about
    the rater's own department). Call inside the submission's transaction."""
    return Ballot.objects.create(
        cycle=cycle,
        rater_department_id=rater_department_id,
        answers=[list(a) for a in answers],
        comments=[list(c) for c in comments],
        self_views=[list(v) for v in self_views],
    )


def ballots_ready(*, cycle_id: int, rater_department_id: int, min_group_size: int) -> bool:
    """Whether the department holds enough waiting ballots for a batch (one query)."""
    waiting = Ballot.objects.filter(cycle_id=cycle_id, rater_department_id=rater_department_id).count()
    return waiting >= min_group_size


def ballots_move(*, cycle_id: int, final: bool = False) -> int:
    """Move the waiting ballots of every department that holds at least the cycle's minimum group
    size of them (with `final`, every waiting ballot) into Answer and Comment, in one transaction.

    Returns the number of ballots moved. A fixed number of queries whatever the batch's size.
    """
    # Only a move that is its own transaction may commit asynchronously (see _move_in_sql).
    asynchronous = not final and not connection.in_atomic_block
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
        waiting = Ballot.objects.filter(cycle=cycle)
        if not final:
            if cycle.status != Cycle.Status.OPEN:
                return 0  # the close moved everything; nothing can be sealed after it
            full = (
                waiting.order_by()
                .values("rater_department")
                .annotate(waiting=Count("id"))
                .filter(waiting__gte=cycle.min_group_size)
                .values("rater_department")
            )
            waiting = waiting.filter(rater_department__in=full)
        if connection.vendor == "postgresql":
            moved = _move_in_sql(waiting, asynchronous=asynchronous)
        else:
            moved = _move_in_python(waiting, cycle_id=cycle.pk)
        if moved and connection.vendor != "postgresql":
            # The same filter as the read: under the cycle lock no ballot can arrive in between.
            waiting.delete()
    if moved:
        logger.info("Ballot box: %d ballot(s) of cycle %s moved%s", moved, cycle.name, " at close" if final else "")
    return moved


def _move_in_sql(waiting, *, asynchronous: bool) -> int:
    """PostgreSQL: one statement unpacks, keys and shuffles the rows and deletes the ballots, so no
    row passes through Python. Respondent keys come from Python's CSPRNG; the shuffle orders by
    gen_random_uuid(), PostgreSQL's strong random source."""
    ids = [str(pk) for pk in waiting.values_list("pk", flat=True)]
    if not ids:
        return 0
    keys = [new_respondent_key() for _ in ids]
    # The self-views get keys of their own: they must not lead to their author's ratings.
    self_keys = [new_respondent_key() for _ in ids]
    ballots, answers, comments, self_views = (m._meta.db_table for m in (Ballot, Answer, Comment, SelfViewAnswer))
    keyed = f"unnest(%s::uuid[], %s::bigint[]) AS k(ballot_id, respondent) JOIN {ballots} b ON b.id = k.ballot_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH moved_answers AS (INSERT INTO {answers} (cycle_id, respondent, rater_department_id, "
            f"provider_department_id, dimension_id, score) SELECT b.cycle_id, k.respondent, "
            f"b.rater_department_id, (a.value->>0)::bigint, (a.value->>1)::integer, (a.value->>2)::integer "
            f"FROM {keyed}, jsonb_array_elements(b.answers) a ORDER BY gen_random_uuid() RETURNING 1), "
            f"moved_comments AS (INSERT INTO {comments} (id, cycle_id, rater_department_id, provider_department_id, "
            f"text) SELECT gen_random_uuid(), b.cycle_id, b.rater_department_id, (c.value->>0)::bigint, c.value->>1 "
            f"FROM {keyed}, jsonb_array_elements(b.comments) c ORDER BY gen_random_uuid() RETURNING 1), "
            f"moved_self_views AS (INSERT INTO {self_views} (cycle_id, respondent, department_id, scope, "
            f"dimension_id, score) SELECT b.cycle_id, k.respondent, b.rater_department_id, v.value->>0, "
            f"(v.value->>1)::integer, (v.value->>2)::integer "
            f"FROM {keyed}, jsonb_array_elements(b.self_views) v ORDER BY gen_random_uuid() RETURNING 1) "
            f"DELETE FROM {ballots} WHERE id = ANY(%s::uuid[]) "
            # The commit need not wait for the disk: losing it in a crash loses nothing, as the
            # ballots are then still waiting and move again. (The close's commit stays synchronous.)
            f"RETURNING set_config('synchronous_commit', COALESCE(%s, current_setting('synchronous_commit')), true)",
            [ids, keys, ids, keys, ids, self_keys, ids, "off" if asynchronous else None],
        )
        return len(cursor.fetchall())


def _move_in_python(waiting, *, cycle_id: int) -> int:
    """Other databases (SQLite): the same, with the rows built and shuffled in Python."""
    ballots = list(waiting.values_list("rater_department_id", "answers", "comments", "self_views"))
    if not ballots:
        return 0
    answers, comments, self_views = _unsealed(cycle_id, ballots)
    Answer.objects.bulk_create(answers)
    if comments:
        Comment.objects.bulk_create(comments)
    if self_views:
        SelfViewAnswer.objects.bulk_create(self_views)
    return len(ballots)


def _unsealed(
    cycle_id: int, ballots: Sequence[tuple[int, list, list, list]]
) -> tuple[list[Answer], list[Comment], list[SelfViewAnswer]]:
    """The ballots' rows, each ballot under a fresh respondent key (and another one for its
    self-views), in random order."""
    answers: list[Answer] = []
    comments: list[Comment] = []
    self_views: list[SelfViewAnswer] = []
    for rater_department_id, sealed_answers, sealed_comments, sealed_self_views in ballots:
        self_respondent = new_respondent_key()
        self_views += [
            SelfViewAnswer(
                cycle_id=cycle_id,
                respondent=self_respondent,
                department_id=rater_department_id,
                scope=scope,
                dimension_id=dimension_id,
                score=score,
            )
            for scope, dimension_id, score in sealed_self_views
        ]
        respondent = new_respondent_key()
        answers += [
            Answer(
                cycle_id=cycle_id,
                respondent=respondent,
                rater_department_id=rater_department_id,
                provider_department_id=provider_id,
                dimension_id=dimension_id,
                score=score,
            )
            for provider_id, dimension_id, score in sealed_answers
        ]
        comments += [
            Comment(
                cycle_id=cycle_id,
                rater_department_id=rater_department_id,
                provider_department_id=provider_id,
                text=text,
            )
            for provider_id, text in sealed_comments
        ]
    # Rows are stored in the order they are inserted: shuffled, a batch's physical order says
    # nothing of whose rows sit next to whose, nor of the order the ballots came in.
    _shuffle(answers)
    _shuffle(comments)
    _shuffle(self_views)
    return answers, comments, self_views


def ballots_move_waiting() -> int:
    """The beat's sweep: `ballots_move` for every open cycle that has ballots waiting."""
    cycle_ids = Cycle.objects.filter(status=Cycle.Status.OPEN).values_list("pk", flat=True)
    return sum(ballots_move(cycle_id=cycle_id) for cycle_id in cycle_ids)


def ballots_waiting(*, cycle: Cycle) -> int:
    """How many submitted surveys of `cycle` still wait in the ballot box."""
    return Ballot.objects.filter(cycle=cycle).count()
