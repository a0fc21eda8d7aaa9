"""Column roles recognised from what a header means, as people write survey questions, and from the values.

A survey export names its columns with the questions people wrote: `対象プロダクト`, `あなたのロール`,
`Which product do you work on?`, `温度感（1=低・3=高） [監視・アラート]`. `header_role` reads such a header:
width, case, spaces, brackets, numbering, a trailing `?`/`：`/`*` and parenthetical hints (`（1=低・3=高）`,
`(任意)`) are ignored; the rest is matched against each role's words in both languages, first whole, then as a
word inside a question (`Which product do you work on` holds `product`). Two roles found inside one header is
no answer (a person chooses in the mapping step). `values_role` recognises a column from its values where the
header says nothing: a column whose every value is a rater word (SRE, 開発, プロダクトチーム（開発・PdM・QA）) is
the rater column.

The roles (ARCHITECTURE.md, `import --map`): product, team, respondent (an e-mail or a name), rater, date,
level, importance, category_importance, target, comment (of one item), free_text (of the response), ignore.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..i18n import Message

ROLES = (
    "product", "team", "respondent", "rater", "date", "level", "importance", "category_importance", "target",
    "comment", "free_text", "ignore",
)  # fmt: skip
ITEM_ROLES = frozenset({"level", "importance", "target", "comment"})  # need an item key (`level:OBS-1`)
CATEGORY_ROLES = frozenset({"category_importance"})  # need a category key
FREE_ROLES = frozenset(ROLES) - ITEM_ROLES - CATEGORY_ROLES  # stand alone

# Words that name a role, compared after `clean`. Whole-header words first; `INSIDE` words also count when a
# longer question holds them (`Which product do you work on` -> product), but only as whole words in Latin text.
WORDS: dict[str, tuple[str, ...]] = {
    "product": ("product", "product name", "プロダクト", "プロダクト名", "対象プロダクト", "サービス", "サービス名",
                "対象サービス", "service", "which product", "your product", "system", "システム", "システム名"),
    "team": ("team", "team name", "チーム", "チーム名", "所属チーム", "担当チーム", "your team", "which team",
             "squad"),
    "respondent": ("respondent", "name", "your name", "full name", "email", "email address", "e-mail", "mail",
                   "mail address", "メール", "メールアドレス", "名前", "お名前", "氏名", "回答者", "回答者名", "記入者",
                   "記入者名", "担当者", "担当者名", "評価者名"),
    "rater": ("rater", "role", "your role", "respondent role", "respondent_role", "ロール", "あなたのロール",
              "役割", "あなたの役割", "立場", "あなたの立場", "回答者ロール", "評価者", "回答者区分", "評価区分",
              "which side", "who is answering"),
    "date": ("date", "assessed on", "assessed_on", "timestamp", "submitted at", "completion time", "日付", "実施日",
             "評価日", "回答日", "タイムスタンプ", "完了時刻", "記入日"),
    "level": ("level", "current level", "score", "現状レベル", "現状", "レベル", "成熟度", "現在のレベル", "スコア",
              "評価", "点数", "maturity"),
    "importance": ("importance", "priority", "温度感", "重要度", "優先度", "関心度", "how important"),
    "target": ("target", "target level", "target_level", "目標", "目標レベル", "目指すレベル"),
    "comment": ("comment", "comments", "コメント", "備考", "メモ", "補足"),
    "free_text": ("自由記述", "自由回答", "自由記入", "ご意見", "ご要望", "要望", "困っていること", "その他",
                  "free text", "anything else", "other comments", "feedback", "remarks", "感想"),
}  # fmt: skip
INSIDE: dict[str, tuple[str, ...]] = {
    "product": ("product", "プロダクト", "service", "サービス"),
    "team": ("team", "チーム"),
    "respondent": ("your name", "e-mail", "email", "お名前", "氏名", "メールアドレス"),
    "rater": ("role", "ロール", "役割", "立場"),
    "importance": ("温度感", "重要度", "優先度", "importance", "priority"),
    "free_text": ("自由記述", "自由回答", "困っていること", "要望", "anything else", "free text"),
}

_HINT = re.compile(r"[(（][^()（）]*[)）]")  # (任意), （1=低・3=高）, (optional)
_NUMBERING = re.compile(r"^(?:q\s*\d+|\d+(?:[.\-]\d+)*|[①-⑳])\s*[.)、:：]?\s*", re.IGNORECASE)
_TRAILER = re.compile(r"[\s?？:：*＊。.]+$")
_GRID = re.compile(r"^(.*?)\s*[\[［]([^\[\]［］]+)[\]］]\s*$", re.S)
_LATIN = re.compile(r"[a-z]")


def clean(header: object) -> str:
    """A header as compared: NFKC, case-folded, numbering, hints and trailing marks dropped, spaces squeezed."""
    text = unicodedata.normalize("NFKC", "" if header is None else str(header)).casefold().strip()
    text = _NUMBERING.sub("", text)
    previous = None
    while previous != text:  # nested or repeated hints
        previous, text = text, _HINT.sub(" ", text)
    text = re.sub(r"\s+", " ", text)
    return _TRAILER.sub("", text).strip()


_WHOLE = {clean(word): role for role, words in WORDS.items() for word in words}


def _inside(text: str) -> set[str]:
    found = set()
    for role, words in INSIDE.items():
        for word in words:
            word = clean(word)
            if _LATIN.search(word):
                if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
                    found.add(role)
            elif word in text:
                found.add(role)
    return found


@dataclass(frozen=True)
class Grid:
    """A grid header `Question [Row]` split: the question's role (if it names one) and the row text."""

    question: str
    row: str
    role: str | None


def grid(header: object) -> Grid | None:
    """The two parts of a `Question [Row]` header (Google Forms grids), or None for a plain header."""
    text = "" if header is None else str(header).strip()
    found = _GRID.match(text)
    if not found or not found.group(1).strip():
        return None
    question, row = found.group(1).strip(), found.group(2).strip()
    return Grid(question, row, header_role(question))


def whole_role(header: object) -> str | None:
    """The role a header names in so many words (`チーム名`), never a word inside a longer question."""
    text = clean(header)
    return (_WHOLE.get(text) or _WHOLE.get(text.replace(" ", ""))) if text else None


def header_role(header: object) -> str | None:
    """The role a plain header names (`対象プロダクト` -> product, `Your role?` -> rater), or None when it names
    none or more than one (`プロダクトチーム名` could be either: a person decides)."""
    found = candidates(header)
    return found[0] if len(found) == 1 else None


def candidates(header: object) -> tuple[str, ...]:
    """Every role a plain header names, in the order of ROLES: one for `対象プロダクト`, two for
    `担当チーム/プロダクト` (product and team: an ambiguous header a person decides), none for `SLOの合意`."""
    text = clean(header)
    if not text:
        return ()
    whole = _WHOLE.get(text) or _WHOLE.get(text.replace(" ", ""))
    if whole:
        return (whole,)
    inside = _inside(text)
    return tuple(role for role in ROLES if role in inside)


def values_role(values: Iterable[object], is_rater: Callable[[object], bool]) -> str | None:
    """`rater` when the non-blank values are rater words: at least two, and at most one in five something else
    (a stray `マネージャー` is then a problem naming the value, not a reason to drop the column), else None."""
    seen = other = 0
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if is_rater(value):
            seen += 1
        else:
            other += 1
    return "rater" if seen >= 2 and other * 5 <= seen + other else None


def parse_mapping(text: str) -> tuple[str, str, str | None]:
    """`HEADER=ROLE[:KEY]` (a `--map` value) as (header, role, key); a ValueError whose argument is a Message
    naming what is wrong.

    An item role without a key (`現状レベル=level`) is the column holding that measure of each row's item (a tidy
    table); a category role always names its category.
    """
    header, sep, target = text.rpartition("=")
    if not sep or not header.strip():
        raise ValueError(Message("msg.map.shape", text=text))
    role_text, _, key_text = target.strip().partition(":")
    role, key = role_text.strip(), key_text.strip() or None
    if role not in ROLES:
        raise ValueError(Message("msg.map.role", role=role, roles=", ".join(ROLES)))
    if role in CATEGORY_ROLES and key is None:
        raise ValueError(Message("msg.map.needs_key", role=role))
    if role in FREE_ROLES and key is not None:
        raise ValueError(Message("msg.map.no_key", role=role))
    return header.strip(), role, key


IGNORED = "-"  # how an ignored column is remembered (values.IGNORE; earlier versions stored it so)


def encode(role: str, key: str | None = None) -> str:
    """A role and its key as one remembered text: `-` for ignore, a bare item key for an item's level (what
    earlier versions remembered), else `role` or `role:KEY`."""
    if role == "ignore":
        return IGNORED
    if role == "level" and key:
        return key
    return f"{role}:{key}" if key else role


def decode(text: str) -> tuple[str, str | None]:
    """(role, key) of a remembered text written by `encode` (a bare item key is that item's level)."""
    text = text.strip()
    if text == IGNORED:
        return "ignore", None
    if text in ROLES:
        return text, None
    role, sep, key = text.partition(":")
    if sep and role in ROLES and key:
        return role, key
    return "level", text


@dataclass(frozen=True)
class Column:
    """What the importer made of one column: its role (and item or category), and how it knew.

    `how` is `header` (its words), `values` (its answers), `mapped` (a person chose), `unknown` (nothing said
    what it is: ignored, or refused when it looks like answers), `conflict` (another column claims the same) or
    `ambiguous` (its header names several roles, the `candidates`, and a person chooses one).
    """

    sheet: str
    header: str
    role: str | None
    key: str | None = None
    how: str = "header"
    candidates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))  # a list when it comes back as JSON

    def to_dict(self) -> dict[str, object]:
        """The command line's JSON for this column (`candidates`: the roles an ambiguous header names)."""
        return {"sheet": self.sheet, "column": self.header, "role": self.role, "key": self.key, "how": self.how,
                "candidates": list(self.candidates)}  # fmt: skip
