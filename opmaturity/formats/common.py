"""What every layout parser shares: the header vocabulary, the per-file context and question columns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..batch import Answer, Batch
from ..errors import Problem
from ..i18n import Advice, Listed, Message, QuotedBoth
from ..model import Model
from ..pseudonym import pseudonym
from ..readers import Cell
from ..text import compact, visible
from ..values import Invalid, Values, display, shown
from .roles import Column, candidates, clean, grid, header_role, values_role, whole_role

# Column roles and the headers (English or Japanese, compared compacted) that name them.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "タイムスタンプ", "submitted at"),
    "email": ("email address", "email", "e-mail", "メールアドレス", "メール", "mail address"),
    "name": ("name", "名前", "氏名", "お名前"),
    "id": ("id",),
    "start": ("start time", "開始時刻", "開始時間", "start date"),
    "completed": ("completion time", "完了時刻", "完了時間", "end date"),
    "modified": ("last modified time", "最終変更時刻", "最終更新時刻"),
    "product": ("product", "プロダクト", "プロダクト名", "サービス", "サービス名", "service"),
    "team": ("team", "チーム", "チーム名", "担当チーム"),
    "respondent": ("respondent", "回答者", "回答者名", "評価者名", "記入者", "記入者名", "担当者", "担当者名"),
    "rater": ("rater", "respondent_role", "respondent role", "role", "回答者ロール", "ロール", "評価者", "立場"),
    "category": ("category", "カテゴリ", "カテゴリー", "分類", "大項目", "領域"),
    "item": ("item", "項目", "評価項目", "チェック項目", "小項目", "item_key", "item key", "項目名"),
    "level": ("level", "score", "現状レベル", "スコア", "レベル", "現状", "成熟度", "current level", "評価", "点数"),
    "target": ("target", "目標", "目標レベル", "target level", "target_level"),
    "importance": ("importance", "温度感", "重要度", "priority", "優先度"),
    "comment": ("comment", "comments", "コメント", "備考", "メモ", "補足"),
    "assessed_on": ("assessed_on", "assessed on", "実施日", "評価日", "日付", "date", "回答日"),
    "round": ("round", "ラウンド", "実施回"),
    "tier": ("tier", "ティア"),
    "type": ("type", "item type", "種類"),
    "content": ("content", "data.content", "text", "テキスト", "内容", "付箋"),
    "frame": ("frame", "parent", "parent.id", "parent id", "frame title", "フレーム", "group", "section"),
    "colour": ("color", "colour", "fillcolor", "style.fillcolor", "fill color", "色"),
    "tags": ("tags", "tag", "タグ"),
    "author": ("author", "createdby", "created by", "createdby.id", "作成者"),
}
_ROLE_OF = {compact(w): role for role, words in ROLE_WORDS.items() for w in words}
PEOPLE = frozenset({"respondent", "email", "name"})  # roles naming a person: only ever stored as a pseudonym
_OPTIONAL = re.compile(r"[(（](任意|optional|必須|required)[)）]$|[*＊]$")

# The measure a form question asks for, named in the question part of `Question [Row]`.
MEASURE_WORDS: dict[str, tuple[str, ...]] = {
    "level": ("現状レベル", "現状", "レベル", "level", "current level", "score", "スコア", "成熟度", "現在のレベル"),
    "target": ("目標", "目標レベル", "target", "target level"),
    "importance": ("温度感", "重要度", "importance", "priority", "優先度"),
    "comment": ("コメント", "comment", "comments", "備考", "補足"),
}
_MEASURE_OF = {compact(w): m for m, words in MEASURE_WORDS.items() for w in words}
_GRID = re.compile(r"^(.*?)\s*[\[［]([^\[\]［］]+)[\]］]\s*$", re.S)
FOOTER = re.compile(r"^\s*(平均|合計|小計|※|注[:：\s]|average|total|mean)", re.I)


# Roles a survey question may name in its own words (`対象プロダクト`, `Which product do you work on?`,
# `あなたのロール`): read by formats.roles when no header word matches exactly. Never a grid `Question [Row]`.
_QUESTION_ROLES = frozenset({"product", "team", "rater", "respondent"})


def role_of(header: Cell) -> str | None:
    """The column role a header names (`プロダクト` -> product, `対象プロダクト（必須）` -> product), or None."""
    text = display(header).strip()
    if not text:
        return None
    exact = _ROLE_OF.get(compact(_OPTIONAL.sub("", text)))
    if exact or grid(text) is not None:
        return exact
    asked = header_role(text)
    return asked if asked in _QUESTION_ROLES else None


# A role a person chooses (formats.roles.ROLES, without a key) -> the column role the parsers read.
CHOSEN = {"product": "product", "team": "team", "respondent": "respondent", "rater": "rater", "date": "assessed_on",
          "free_text": "free_text", "level": "level", "importance": "importance", "target": "target",
          "comment": "comment"}  # fmt: skip
# A parser's column role -> the role reported for it (`import --json`), where the names differ.
REPORTED = {"timestamp": "date", "start": "date", "completed": "date", "modified": "date", "assessed_on": "date",
            "email": "respondent", "name": "respondent", "id": "respondent"}  # fmt: skip


def column_role(cell: Cell, values: Values | None = None) -> str | None:
    """The parser's role of one header cell: a person's choice first (None when they chose ignore, an item or a
    category), else what its words name."""
    chosen = values.role(cell) if values is not None else None
    if chosen is not None:
        role, key = chosen
        return None if key or role == "ignore" else CHOSEN.get(role)
    named = role_of(cell)
    if named and values is not None and _ROLE_OF.get(compact(display(cell))) is None and values.item(cell):
        return None  # an item's title that holds a role's word (サービスダッシュボード) is that item's question
    return named


def header_columns(row: Iterable[Cell], values: Values | None = None) -> dict[str, list[int]]:
    """Role -> every column index claiming it, for a header row (two for one role is a conflict)."""
    columns: dict[str, list[int]] = {}
    for n, cell in enumerate(row):
        role = column_role(cell, values)
        if role and role in columns and not _plainly(cell, values):
            continue  # `チームの人数` beside `チーム`: a question holding a role's word, not a second team column
        if role:
            columns.setdefault(role, []).append(n)
    return columns


def _plainly(cell: Cell, values: Values | None) -> bool:
    """True when a header names its role in so many words (`現状レベル`, `チーム名`) or a person chose it."""
    text = display(cell).strip()
    chosen = values is not None and values.role(text) is not None
    return chosen or compact(_OPTIONAL.sub("", text)) in _ROLE_OF or whole_role(text) is not None


def header_roles(row: Iterable[Cell], values: Values | None = None) -> dict[str, int]:
    """Role -> first column index, for a header row."""
    return {role: found[0] for role, found in header_columns(row, values).items()}


def item_header(rows: list[list[Cell]], limit: int, values: Values | None = None) -> tuple[int, dict[str, int]] | None:
    """The first of the first `limit` rows (0-based) naming an item column, with its roles, or None."""
    for n, row in enumerate(rows[:limit]):
        roles = header_roles(row, values)
        if "item" in roles:
            return n, roles
    return None


def conflicts(
    ctx: Context,
    batch: Batch,
    header: list[Cell],
    columns: dict[str, list[int]],
    single: Iterable[str],
    sheet: str,
    row: int,
) -> set[int]:
    """A problem for every role two columns claim (`現状レベル` twice), naming both; the columns in conflict."""
    found: set[int] = set()
    for role in single:
        claimed = columns.get(role, [])
        if len(claimed) < 2:
            continue
        heads = [display(header[n]).strip() for n in claimed]
        what = Message(f"msg.role.{REPORTED.get(role, role)}")
        if len({compact(h) for h in heads}) < len(heads):  # one header twice: a choice by header would hit both
            message = Message("msg.parse.same_header_twice", columns=QuotedBoth(heads), role=what)
        else:
            message = Message(
                "msg.parse.same_role_twice", columns=QuotedBoth(heads), role=what, advice=Advice("map_column")
            )
        batch.problems.append(ctx.problem(message, sheet, row, heads[1]))
        found.update(claimed)
    return found


def ambiguous(cell: Cell, values: Values) -> tuple[str, ...]:
    """The roles a header names when it names more than one (`担当チーム/プロダクト`: product and team), else ().

    A grid question, an item's title, a header named in so many words and a person's choice are never ambiguous.
    """
    text = display(cell).strip()
    if not text or grid(text) is not None or values.role(text) is not None or _plainly(cell, values):
        return ()
    found = candidates(text)
    return found if len(found) > 1 and not values.item(text) else ()


def ambiguous_columns(
    ctx: Context, batch: Batch, header: list[Cell], roles: dict[str, int], taken: set[int], sheet: str, row: int
) -> tuple[dict[int, tuple[str, ...]], bool]:
    """The columns nobody took whose header names several roles (index -> the roles), and whether any is a
    problem: one is when a role it names is held by no other column (a person must choose), else a message says
    it was left out. `roles` are the parser's roles found; the caller reports each column (`how` ambiguous)."""
    held = {REPORTED.get(role, role) for role in roles}
    found: dict[int, tuple[str, ...]] = {}
    refused = False
    for n, cell in enumerate(header):
        named = () if n in taken else ambiguous(cell, ctx.values)
        if not named:
            continue
        head = display(cell).strip()
        found[n] = named
        words = Listed(Message(f"msg.role.{role}") for role in named)
        if held.issuperset(named):
            ctx.once(batch, Message("msg.parse.ambiguous_left_out", column=head, roles=words))
            continue
        refused = True
        message = Message("msg.parse.ambiguous_column", column=head, roles=words, advice=Advice("choose_role"))
        batch.problems.append(ctx.problem(message, sheet, row, head))
    return found, refused


def rater_by_values(header: list[Cell], body: list[list[Cell]], taken: set[int], values: Values) -> int | None:
    """The first column nobody claimed whose answers are rater words (SRE, 開発 …) whatever its header says."""

    def is_rater(value: object) -> bool:
        try:
            return values.rater(value) is not None
        except Invalid:
            return False

    for n, cell in enumerate(header):
        text = display(cell).strip()
        if n in taken or not text or values.role(text) is not None or grid(text) is not None:
            continue
        if values_role((row[n] for row in body[:200] if n < len(row)), is_rater) == "rater":
            return n
    return None


def is_filled(value: Cell) -> bool:
    """Whether a cell holds something: not None, not empty, not only spaces."""
    return not (value == "" or value is None or (isinstance(value, str) and not value.strip()))


def filled(row: list[Cell]) -> list[int]:
    """Indexes of the non-empty cells of a row."""
    return [n for n, c in enumerate(row) if is_filled(c)]


def text_of(value: Cell) -> str:
    """A text cell verbatim (comments and notes keep every character); other cells as displayed."""
    return value if isinstance(value, str) else display(value)


def name_of(value: Cell) -> str:
    """A product, team or respondent name: the cell as written, without surrounding blanks or invisible format
    characters (`text.visible`)."""
    return visible(text_of(value))


@dataclass(frozen=True)
class Question:
    """A column holding one measure (level, target, importance, comment) of one item or category."""

    index: int
    header: str
    measure: str
    item: str | None = None
    category: str | None = None
    rater: str | None = None


@dataclass
class Context:
    """Everything a parser needs besides the file: model, value converters, defaults and the pseudonym key."""

    file: str
    sha256: str
    model: Model
    values: Values
    key: bytes
    product: str | None = None
    team: str | None = None
    rater: str | None = None
    unmapped: list[str] = field(default_factory=list)
    defaulted_teams: list[str] = field(default_factory=list)  # products whose team was named after them
    skipped: int = 0  # answers left out because of a problem (what --skip-invalid skips)
    # (sheet, row, item, rater) -> measure -> the header it was read from, so that conflicts can name a column
    columns: dict[tuple[str, int | None, str, str], dict[str, str]] = field(default_factory=dict)
    report: list[Column] = field(default_factory=list)  # every column's role, for `--json` and the mapping step
    _people: dict[str, str] = field(default_factory=dict)
    _said: set[str] = field(default_factory=set)
    _items: dict[tuple[Cell, Cell], str | Invalid | None] = field(default_factory=dict)

    def batch(self, layout: str) -> Batch:
        """An empty Batch for this file."""
        return Batch(file=self.file, layout=layout, sha256=self.sha256)

    def person(self, identity: str) -> str:
        """The pseudonym of an e-mail, a name or an anonymous token (cached per file)."""
        found = self._people.get(identity)
        if found is None:
            found = self._people[identity] = pseudonym(identity, self.key)
        return found

    def group(self, rater: str) -> str:
        """The respondent that stands for a whole rater group when a sheet names no person."""
        return self.person(f"group:{rater}")

    def problem(
        self, message: Message, sheet: str = "", row: int | None = None, column: Cell = "", value: Cell = ""
    ) -> Problem:
        """A Problem located in this file."""
        return Problem(
            message, file=self.file, sheet=sheet, row=row, column=shown(column, 200), value=shown(value, 200)
        )

    def once(self, batch: Batch, message: Message) -> None:
        """Add a message to the batch unless it was said already."""
        if message not in self._said:
            self._said.add(message)
            batch.messages.append(message)

    def team_for(self, product: str) -> str:
        """The team when the file names none: the chosen team, else one named after the product (remembered)."""
        if self.team:
            return self.team
        if product and product not in self.defaulted_teams:
            self.defaulted_teams.append(product)
        return product

    def remember_columns(self, response: Answer, headers: dict[str, str]) -> None:
        """Note which headers a response's measures came from (for conflict messages); `headers` may be shared."""
        self.columns[(response.sheet, response.row, response.item, response.rater)] = headers

    def remember_sheet_columns(self, sheet: str, headers: dict[str, str]) -> None:
        """Note the headers every answer of a sheet took its measures from (one column per measure)."""
        self.columns[(sheet, None, "", "")] = headers

    def column(
        self, sheet: str, header: str, role: str | None, key: str | None = None, how: str = "header",
        candidates: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        """Say what a column was read as (a person's choice shows as `mapped`; an ambiguous one its candidates)."""
        if how == "header" and self.values.role(header) is not None:
            how = "mapped"
        self.report.append(Column(sheet, header, REPORTED.get(role or "", role), key, how, candidates))

    def unknown(self, header: str) -> None:
        """Remember a header or item name that matched no item, for the mapping step."""
        if header not in self.unmapped:
            self.unmapped.append(header)


def measure_of(text: str) -> str | None:
    """level, target, importance or comment when the text names that measure (hints such as `（1=低・3=高）`
    ignored), else None."""
    return _MEASURE_OF.get(compact(_OPTIONAL.sub("", text.strip()))) or _MEASURE_OF.get(compact(clean(text)))


def question(index: int, header: Cell, values: Values, sample: list[Cell]) -> Question | str | None:
    """The Question a form column asks; "unknown" when it looks like a question about no item, "ignored" when a
    person mapped it to IGNORE, None otherwise.

    A hand mapping of a grid header (`温度感 [監視]` -> OBS-1) names the item of its row part only: the
    measure (level, importance, target, comment) and the rater still come from the question part.
    """
    text = display(header).strip()
    if not text:
        return None
    chosen = values.role(text)
    if chosen is not None and chosen[0] == "ignore":
        return "ignored"
    grid = _GRID.match(text)
    asked, row = (grid.group(1).strip(), grid.group(2).strip()) if grid else ("", "")
    measure, rater = _asked(asked, values) if grid else (None, None)
    if chosen is not None:
        role, key = chosen
        if role == "category_importance" and key:
            return Question(index, text, "importance", category=key, rater=rater)
        if role == "level" and key:  # the measure a grid question names still counts (`温度感 [x]` -> OBS-1)
            return Question(index, text, measure or "level", item=key, rater=rater)
        if role in MEASURE_WORDS and key:
            return Question(index, text, role, item=key, rater=rater)
        return None  # a role of the response (product, team …): the caller reads it
    item = values.item(text)
    if item:
        return Question(index, text, "level", item=item)
    if not grid:
        return "unknown" if _mostly_levels(values, sample) and len(text) > 2 else None
    row_item = values.item(row)
    if measure:
        if row_item:
            return Question(index, text, measure, item=row_item, rater=rater)
        category = values.category(row)
        if category and measure in ("importance", "target"):
            return Question(index, text, measure, category=category, rater=rater)
        return "unknown"
    if row_item:
        return Question(index, text, "level", item=row_item)
    return "unknown" if _mostly_levels(values, sample) else None


def _asked(asked: str, values: Values) -> tuple[str | None, str | None]:
    """(measure, rater) the question part of a grid header names: `温度感` -> importance, `SRE評価` -> level by sre."""
    measure = measure_of(asked)
    if measure is None:
        try:
            rater = values.rater(asked)
        except Invalid:
            return None, None
        return ("level", rater) if rater else (None, None)
    return measure, None


def _mostly_levels(values: Values, sample: list[Cell]) -> bool:
    """True when at least half of the answered cells read as levels (a question about no known item)."""
    answered = [v for v in sample if not values.is_blank(v)]
    if not answered:
        return False
    good = 0
    for v in answered:
        try:
            values.level(v)
            good += 1
        except Invalid:
            pass
    return good * 2 >= len(answered)


def item_key(ctx: Context, category: Cell, item: Cell) -> str | Invalid | None:
    """The item key, using the category to disambiguate; Invalid when the category contradicts the item."""
    key = (category, item)
    if key not in ctx._items:
        ctx._items[key] = _item_key(ctx, category, item)
    return ctx._items[key]


def _item_key(ctx: Context, category: Cell, item: Cell) -> str | Invalid | None:
    """item_key, computed (item_key() remembers it per file)."""
    values = ctx.values
    cat_text = display(category).strip()
    if cat_text:
        both = values.item(f"{cat_text}: {display(item)}")
        if both:
            return both
    key = values.item(item)
    if key and cat_text:
        named = values.category(cat_text)
        actual = ctx.model.item(key).category
        if named and named != actual:
            title = ctx.model.category(actual).ja
            return Invalid(
                Message(
                    "msg.parse.wrong_category", item=display(item), key=key, title=title, actual=actual, given=cat_text
                )
            )
    return key
