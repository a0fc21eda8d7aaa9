"""The engine behind both form layouts: one row per submission, one column per question, resubmissions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ..batch import Answer, Batch, Note
from ..dates import parse_timestamp
from ..errors import Problem
from ..i18n import Advice, Listed, Message, QuotedBoth
from ..notes import linked_item
from ..readers import Cell, Source, Table
from ..text import normalize
from ..values import IGNORE, Invalid, Values, choices, display
from .common import (
    Context,
    Question,
    ambiguous_columns,
    conflicts,
    filled,
    header_columns,
    header_roles,
    name_of,
    question,
    rater_by_values,
    text_of,
)
from .roles import grid, header_role

# Columns a form parser reads besides the questions.
_USED = frozenset({"timestamp", "email", "name", "id", "start", "completed", "modified", "product", "team", "rater"})
_USED = _USED | {"respondent", "round", "tier", "assessed_on", "free_text"}
_SINGLE = ("product", "team", "rater")  # a form names each once: two such columns make the file ambiguous


@dataclass(frozen=True)
class FormLayout:
    """How one form service writes its export."""

    name: str
    required: tuple[str, ...]  # roles that make a row the header
    identity: tuple[str, ...]  # roles naming the respondent, in order of preference
    order: tuple[str, ...]  # roles holding the submission time, in order of preference
    anonymous: tuple[str, ...]  # roles that tell anonymous submissions apart
    ignore: re.Pattern[str] = re.compile(r"$^")
    anonymous_words: frozenset[str] = frozenset({"anonymous", "匿名"})


@dataclass
class _Submission:
    """One form row: who, when, and the answers it gives."""

    row: int
    sheet: str
    when: datetime | None
    key: tuple[str, str, str, str]
    answers: list[Answer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0  # answers of this row left out because of its problems
    notes: list[Note] = field(default_factory=list)  # its free-text answers, kept as comments


def find_header(
    table: Table, layout: FormLayout, limit: int = 10, values: Values | None = None
) -> tuple[int, dict[str, int]] | None:
    """The header row of a form export (0-based) and its roles (a person's choices included), or None."""
    for n, row in enumerate(table.head(limit)):
        roles = header_roles(row, values)
        if all(r in roles for r in layout.required):
            return n, roles
    return None


def parse_form(source: Source, ctx: Context, layout: FormLayout) -> Batch:
    """A Batch from a form export: each row a submission; a later resubmission replaces an earlier one."""
    batch = ctx.batch(layout.name)
    submissions: list[_Submission] = []
    for table in source.tables:
        found = find_header(table, layout, values=ctx.values)
        if found is None:
            if source.kind == "xlsx":
                ctx.once(batch, Message("msg.parse.no_form_header_on_sheet", sheet=table.name, layout=layout.name))
            continue
        submissions.extend(_table(table, found[0], found[1], ctx, layout, batch))
    if not submissions and not batch.problems:
        if any(find_header(t, layout) for t in source.tables):
            batch.problems.append(ctx.problem(Message("msg.parse.no_answers")))
        else:
            key = "msg.parse.no_form_header_any_sheet" if source.kind == "xlsx" else "msg.parse.no_form_header"
            batch.problems.append(ctx.problem(Message(key, need=QuotedBoth(layout.required), layout=layout.name)))
    for sub in _settle_resubmissions(submissions, batch):
        batch.answers.extend(sub.answers)
        batch.notes.extend(sub.notes)
        batch.problems.extend(sub.problems)
        ctx.skipped += sub.skipped
    dates = [s.when.date() for s in submissions if s.when]
    batch.round_date = min(dates) if dates else None
    return batch


def _table(
    table: Table, top: int, roles: dict[str, int], ctx: Context, layout: FormLayout, batch: Batch
) -> list[_Submission]:
    """The submissions of one sheet, with its question columns classified and checked."""
    sheet = table.name
    header = table.rows[top]
    body = table.rows[top + 1 :]
    columns = header_columns(header, ctx.values)
    clash = conflicts(ctx, batch, header, columns, _SINGLE, sheet, top + 1)
    taken = {n for found in columns.values() for n in found}
    by_values = None if "rater" in roles else rater_by_values(header, body, taken, ctx.values)
    if by_values is not None:
        roles = {**roles, "rater": by_values}
        taken.add(by_values)
        ctx.once(batch, Message("msg.parse.rater_by_values", column=display(header[by_values]).strip()))
    general = roles.get("comment")  # a comment column that names no item (コメント, 備考): kept as free text
    roles = {role: n for role, n in roles.items() if role != "comment"}
    role_at = {n: role for role, found in columns.items() for n in found} | {n: r for r, n in roles.items()}
    unclear, refused = ambiguous_columns(ctx, batch, header, roles, taken, sheet, top + 1)
    questions: list[Question] = []
    free: list[tuple[int, str]] = [(n, display(header[n]).strip()) for n in columns.get("free_text", [])]
    seen: dict[tuple[str, str | None, str | None, str | None], str] = {}
    for n, cell in enumerate(header):
        head = display(cell).strip()
        if not head:
            continue
        if n in unclear:
            ctx.column(sheet, head, None, how="ambiguous", candidates=unclear[n])
            continue
        if n == general:  # was dropped as "not tied to an item", with every answer written in it
            free.append((n, head))
            ctx.column(sheet, head, "free_text")
            ctx.once(batch, Message("msg.parse.free_text_kept", column=head))
            continue
        if n in taken:
            how = "conflict" if n in clash else "values" if n == by_values else "header"
            ctx.column(sheet, head, role_at[n], how=how)
            continue
        if layout.ignore.search(normalize(head)):
            ctx.column(sheet, head, "ignore")
            continue
        if grid(head) is None and header_role(head) == "free_text" and ctx.values.role(head) is None:
            free.append((n, head))
            ctx.column(sheet, head, "free_text")
            ctx.once(batch, Message("msg.parse.free_text_kept", column=head))
            continue
        sample = [row[n] for row in body[:200] if n < len(row)]
        found = question(n, cell, ctx.values, sample)
        if isinstance(found, Question):
            key = (found.measure, found.item, found.category, found.rater)
            role = "category_importance" if found.category else found.measure
            ctx.column(sheet, head, role, found.item or found.category)
            if key in seen:
                batch.problems.append(
                    ctx.problem(
                        Message(
                            "msg.parse.same_question_twice",
                            first=seen[key],
                            second=head,
                            measure=Message(f"msg.measure.{found.measure}"),
                            item=found.item or found.category,
                        ),
                        sheet,
                        top + 1,
                        head,
                    )
                )
                continue
            seen[key] = head
            questions.append(found)
        elif found == "unknown":
            ctx.unknown(head)
            ctx.column(sheet, head, None, how="unknown")
            batch.problems.append(ctx.problem(_unknown(head, ctx), sheet, top + 1, head, head))
            ctx.skipped += sum(1 for row in body if n < len(row) and not ctx.values.is_blank(row[n]))
        elif found == "ignored":
            ctx.column(sheet, head, "ignore", how="mapped")
            ctx.once(batch, Message("msg.parse.column_mapped_to_ignore", column=head, ignore=IGNORE))
        else:
            ctx.column(sheet, head, "ignore", how="unknown")
            ctx.once(batch, Message("msg.parse.column_not_an_item", column=head))
    for role, n in roles.items():
        if role not in _USED:
            ctx.once(batch, Message("msg.parse.column_not_tied", column=display(header[n]).strip()))
    if refused:  # a person chooses what the ambiguous column holds before any answer is read
        ctx.skipped += sum(1 for row in body if filled(row))
        return []
    _check_defaults(roles, ctx, batch, sheet, top + 1)
    out = []
    rounds: dict[str, int] = {}
    for offset, row in enumerate(body):
        if not filled(row):
            continue
        number = top + offset + 2
        out.append(_submission(row, number, sheet, header, roles, questions, ctx, layout, tuple(free)))
        round_name = name_of(_cell(row, roles.get("round")))
        if round_name:
            rounds.setdefault(round_name, number)
        tier, product = name_of(_cell(row, roles.get("tier"))), name_of(_cell(row, roles.get("product")))
        if tier and (product or ctx.product):
            batch.tiers.setdefault(product or ctx.product or "", tier)
    if len(rounds) > 1:
        batch.problems.append(ctx.problem(several_rounds(rounds)))
    elif rounds:
        batch.round = next(iter(rounds))
    return out


def _check_defaults(roles: dict[str, int], ctx: Context, batch: Batch, sheet: str, row: int) -> None:
    """Problems for a product or rater that neither the file nor the options give."""
    if "product" not in roles and not ctx.product:
        batch.problems.append(ctx.problem(Message("msg.parse.form_no_product", advice=Advice("product")), sheet, row))
    if "rater" not in roles and not ctx.rater:
        batch.problems.append(ctx.problem(Message("msg.parse.form_no_rater", advice=Advice("rater")), sheet, row))


def _cell(row: list[Cell], index: int | None) -> Cell:
    """The cell at `index`, or "" when there is no such column."""
    return row[index] if index is not None and index < len(row) else ""


def _submission(
    row: list[Cell],
    number: int,
    sheet: str,
    header: list[Cell],
    roles: dict[str, int],
    questions: list[Question],
    ctx: Context,
    layout: FormLayout,
    free: tuple[tuple[int, str], ...] = (),
) -> _Submission:
    """One row as a submission: respondent, time, answers and free-text comments, with its own problems."""
    problems: list[Problem] = []

    def fail(message: Message, column: int | None, value: Cell) -> None:
        problems.append(ctx.problem(message, sheet, number, _cell(header, column), value))

    when = None
    for role in layout.order:
        if role in roles and _cell(row, roles[role]) != "":
            try:
                when = parse_timestamp(_cell(row, roles[role]))
            except Invalid as exc:
                fail(exc.message, roles[role], _cell(row, roles[role]))
            break
    respondent = _respondent(row, roles, ctx, layout, sheet, number)
    product = name_of(_cell(row, roles.get("product"))) or ctx.product or ""
    team = name_of(_cell(row, roles.get("team"))) or ctx.team_for(product)
    rater = ctx.rater
    if "rater" in roles:
        try:
            rater = ctx.values.rater(_cell(row, roles["rater"])) or ctx.rater
            if rater is None:
                fail(Message("msg.parse.rater_empty"), roles["rater"], "")
        except Invalid as exc:
            fail(exc.message, roles["rater"], _cell(row, roles["rater"]))
    if "product" in roles and not product:
        fail(Message("msg.parse.product_empty", advice=Advice("product")), roles["product"], "")
    row_failed = bool(problems)  # who, when or for which product: the whole submission is unusable
    sub = _Submission(number, sheet, when, (respondent, product, team, rater or ""), problems=problems)
    answers: dict[str, dict[str, object]] = {}
    headers: dict[str, dict[str, str]] = {}
    by_category: dict[str, int] = {}
    category_headers: dict[str, str] = {}
    failed: set[str] = set()  # items and categories with an invalid cell: their whole answer is left out
    for q in questions:
        value = _cell(row, q.index)
        if value == "" or value is None:
            continue
        if q.measure == "comment":
            if text_of(value).strip() and q.item:
                answers.setdefault(q.item, {})["comment"] = text_of(value)
                headers.setdefault(q.item, {})["comment"] = q.header
            continue
        if _several(ctx, value):
            problems.append(
                ctx.problem(Message("msg.parse.several_answers", value=value), sheet, number, q.header, value)
            )
            failed.add(q.item or q.category or "")
            continue
        try:
            converted = ctx.values.importance(value) if q.measure == "importance" else None
            if q.measure in ("level", "target"):
                converted = ctx.values.level(value, q.measure)
        except Invalid as exc:
            problems.append(ctx.problem(exc.message, sheet, number, q.header, value))
            failed.add(q.item or q.category or "")
            continue
        if q.category:
            if converted is not None:
                by_category[q.category] = converted
                category_headers[q.category] = q.header
            continue
        assert q.item is not None
        answer = answers.setdefault(q.item, {})
        answer[q.measure] = converted
        headers.setdefault(q.item, {})[q.measure] = q.header
        if q.measure == "level" and converted is None:
            answer["na"] = True
    skipped = {q.item for q in questions if q.item and q.item in failed}
    for item, answer in answers.items():
        category = ctx.model.item(item).category
        if item in failed or category in failed:
            skipped.add(item)
            continue
        importance = answer.get("importance")
        measures = dict(headers.get(item, {}))
        if importance is None and category in by_category:
            importance = by_category[category]
            measures["importance"] = category_headers[category]
        response = Answer(
            product=product,
            team=team,
            respondent=respondent,
            rater=rater or "",
            item=item,
            level=answer.get("level"),  # type: ignore[arg-type]
            target=answer.get("target"),  # type: ignore[arg-type]
            importance=importance,  # type: ignore[arg-type]
            comment=answer.get("comment"),  # type: ignore[arg-type]
            assessed_on=when.date() if when else None,
            sheet=sheet,
            row=number,
        )
        ctx.remember_columns(response, measures)
        sub.answers.append(response)
    if row_failed or not product or not rater:
        skipped |= {r.item for r in sub.answers}
        sub.answers = []
    else:
        for n, head in free:  # a comment of the response: searchable with the workshop notes
            text = text_of(_cell(row, n))
            if text.strip():
                sub.notes.append(Note(text=text, product=product, team=team, group=head, author=respondent,
                                      item=linked_item(text, ctx.model), sheet=sheet, row=number))  # fmt: skip
    sub.skipped = len(skipped)
    return sub


def _several(ctx: Context, value: Cell) -> bool:
    """True for a checkbox answer holding several valid answers (`2;3`), where one is expected."""
    parts = choices(value) if isinstance(value, str) else []
    if len(parts) < 2:
        return False
    try:
        for part in parts:
            ctx.values.level(part)
    except Invalid:
        return False
    return True


def _respondent(
    row: list[Cell], roles: dict[str, int], ctx: Context, layout: FormLayout, sheet: str, number: int
) -> str:
    """The respondent's pseudonym: e-mail or name, else an anonymous token from the row's ID, else from the row.

    A row without anyone's name is a respondent of its own: two such rows are never one person resubmitting,
    even when they share a timestamp.
    """
    for role in layout.identity:
        value = name_of(_cell(row, roles.get(role)))
        if value and normalize(value) not in layout.anonymous_words:
            return ctx.person(value)
    for role in layout.anonymous:
        value = display(_cell(row, roles.get(role))).strip()
        if value:
            return ctx.person(f"anonymous:{value}")
    where = f"{sheet}:{number}" if sheet else str(number)
    return ctx.person(f"anonymous:{ctx.sha256}:{where}")


def _settle_resubmissions(submissions: list[_Submission], batch: Batch) -> list[_Submission]:
    """The last submission per respondent; earlier ones are said to be replaced (or exact duplicates)."""
    groups: dict[tuple[str, str, str, str], list[_Submission]] = {}
    for sub in submissions:
        groups.setdefault(sub.key, []).append(sub)
    kept = []
    for subs in groups.values():
        subs.sort(key=lambda s: (s.when or datetime.min, s.row))
        last = subs[-1]
        kept.append(last)
        for earlier in subs[:-1]:
            same = [_answers(r) for r in earlier.answers] == [_answers(r) for r in last.answers]
            if same:
                at = Message(
                    "msg.settle.at_sheet_row" if last.sheet else "msg.settle.at_row", sheet=last.sheet, row=earlier.row
                )
                batch.messages.append(Message("msg.parse.resubmitted_same", at=at, last=last.row))
            else:
                at = Message(
                    "msg.settle.at_sheet_row" if last.sheet else "msg.settle.at_row", sheet=last.sheet, row=last.row
                )
                batch.messages.append(Message("msg.parse.resubmitted", at=at, earlier=earlier.row))
    kept.sort(key=lambda s: (s.sheet, s.row))
    return kept


def several_rounds(rounds: dict[str, int]) -> Message:
    """The problem of a file whose round column names several rounds, each with its first row."""
    names = [Message("msg.parse.round_at_row", name=name, row=row) for name, row in rounds.items()]
    return Message("msg.parse.several_rounds", names=Listed(names))


def _answers(r: Answer) -> tuple[object, ...]:
    """What a response answers, for comparing two submissions."""
    return (r.item, r.level, r.target, r.importance, r.comment)


def _unknown(head: str, ctx: Context) -> Message:
    """Why a question column names nothing of the model: an importance grid's row (`温度感 [障害]`) is asked to be
    named as a category, any other question as an item."""
    found = grid(head)
    if found is not None and found.role == "importance":
        return Message(
            "msg.value.unknown_importance_row", value=found.row, column=head, advice=Advice("map_importance")
        )
    return ctx.values.unknown_item(head)
