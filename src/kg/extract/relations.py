"""Relations: normalized text, its sentences, the entity mentions and the article's subject in;
typed relations between canonical entity names, each with its sentence as evidence, out.

The rules read one sentence at a time, split into clauses at commas, semicolons and colons, and
look at the mentions in order and at the short stretches of text between them:

- an entity's own name (包头稀土高新区 -> 包头: locatedIn; 雄安新区启动区 -> 雄安新区: partOf;
  《A、B关于……的意见》 -> issuedBy A and B);
- cue words between mentions, read from `data/relation_cues.csv` (落户, 所辖, 主办, 支持, 与……共建,
  role words between an organisation and a person ...);
- ownership by position: an industry belongs to the nearest zone, place or enterprise before it
  in its clause, else to the subject carried over from the clauses before, else to the article's
  subject; the same goes for programmes and talent policies, which only zones and organisations
  run or adopt.

Relations whose ends do not have the types ANNOTATION.md allows are dropped; the same relation
found twice is returned once with all its evidence.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from operator import attrgetter

from kg.gazetteer import place_by_name, zone_by_name
from kg.model import Evidence, Mention, Relation
from kg.resources import data_file

# predicate -> (subject types, object types), as corpus/ANNOTATION.md has them.
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "locatedIn": (
        frozenset({"Zone", "Enterprise", "Organization"}),
        frozenset({"Place", "Zone"}),
    ),
    "developsIndustry": (frozenset({"Zone", "Place"}), frozenset({"Industry"})),
    "operatesIn": (frozenset({"Enterprise"}), frozenset({"Industry"})),
    "hostsProgramme": (frozenset({"Zone", "Organization"}), frozenset({"Programme"})),
    "adoptsTalentPolicy": (frozenset({"Zone", "Organization"}), frozenset({"TalentPolicy"})),
    "supports": (
        frozenset({"Zone", "Organization", "PolicyDocument"}),
        frozenset({"Enterprise", "Programme", "Zone"}),
    ),
    "holdsPositionIn": (frozenset({"Person"}), frozenset({"Organization", "Zone"})),
    "issuedBy": (frozenset({"PolicyDocument"}), frozenset({"Organization"})),
    "cooperatesWith": (
        frozenset({"Enterprise", "Organization"}),
        frozenset({"Enterprise", "Organization"}),
    ),
}
# partOf joins two entities of the same type, one of these.
_PART_OF_TYPES = frozenset({"Zone", "Industry", "Organization"})


def types_allowed(predicate: str, subject_type: str, object_type: str) -> bool:
    """Whether ANNOTATION.md allows `predicate` between entities of these types."""
    if predicate == "partOf":
        return subject_type == object_type and subject_type in _PART_OF_TYPES
    signature = SIGNATURES.get(predicate)
    if signature is None:
        return False
    return subject_type in signature[0] and object_type in signature[1]


# ---------------------------------------------------------------- cue words


@cache
def cue_words() -> dict[str, tuple[str, ...]]:
    """The cue words of `data/relation_cues.csv`, by kind."""
    path = data_file("relation_cues.csv")
    table: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            cue, kind = (row.get("cue") or "").strip(), (row.get("kind") or "").strip()
            if cue and kind:
                table.setdefault(kind, []).append(cue)
    return {kind: tuple(words) for kind, words in table.items()}


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class _Patterns:
    role: re.Pattern[str]
    role_link: re.Pattern[str]
    role_then_unnamed: re.Pattern[str]
    enum: re.Pattern[str]
    enterprise_head: re.Pattern[str]
    not_owner: re.Pattern[str]
    host: re.Pattern[str]
    held: re.Pattern[str]
    guide: re.Pattern[str]
    support: re.Pattern[str]
    locate: re.Pattern[str]
    locate_end: re.Pattern[str]
    establish: re.Pattern[str]
    attract: re.Pattern[str]
    issue: re.Pattern[str]
    cooperate: re.Pattern[str]
    with_end: re.Pattern[str]
    part_tail: re.Pattern[str]
    part_by: re.Pattern[str]
    copula: re.Pattern[str]
    subordinate: re.Pattern[str]
    plural: re.Pattern[str]
    in_zone: re.Pattern[str]
    topic_clause: re.Pattern[str]
    contain_end: re.Pattern[str]
    subfield: re.Pattern[str]
    sub_zones: re.Pattern[str]
    object_marker: re.Pattern[str]
    programme_subject: re.Pattern[str]
    unnamed: re.Pattern[str]
    post_owner: re.Pattern[str]
    guide_gap: re.Pattern[str]
    all_projects: re.Pattern[str]
    anaphor: re.Pattern[str]
    anaphor_before: frozenset[str]
    org_heads: tuple[str, ...]
    host_or_guide: re.Pattern[str]
    unnamed_head: re.Pattern[str]
    person_subject: re.Pattern[str]
    participants: re.Pattern[str]
    owned_by_unnamed: re.Pattern[str]
    unnamed_in_gap: re.Pattern[str]
    beneficiary: re.Pattern[str]
    bare_enterprises: re.Pattern[str]
    speech: re.Pattern[str]
    not_developed_after: re.Pattern[str]
    defining: re.Pattern[str]
    industry_subject: re.Pattern[str]
    develop: re.Pattern[str]
    project_to: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    cues = cue_words()

    def alt(kind: str) -> str:
        return _alt(cues.get(kind, ()))

    role = rf"(?:{alt('role_prefix')})*(?:{alt('role')})"
    return _Patterns(
        role=re.compile(role),
        role_link=re.compile(rf"{role}[、,]"),
        role_then_unnamed=re.compile(rf"({role})、[^,;:。、]{{1,12}}?{role}"),
        enum=re.compile(r"(?:、|和|及|与|以及|或|乃至|及其|、以及|和、)?"),
        enterprise_head=re.compile(rf"[^,;:。]{{0,8}}?(?:{alt('enterprise_head')})"),
        not_owner=re.compile(alt("not_owner")),
        host=re.compile(alt("host")),
        held=re.compile(rf"^[^,;:。]{{0,3}}?(?:{alt('held')})"),
        guide=re.compile(alt("guide")),
        support=re.compile(alt("support")),
        locate=re.compile(alt("locate")),
        locate_end=re.compile(rf"(?:{alt('locate')}).?$"),
        establish=re.compile(rf"^(?:了)?(?:{alt('establish')})"),
        attract=re.compile(alt("attract")),
        issue=re.compile(alt("issue")),
        cooperate=re.compile(rf"^[^,;:。]{{0,8}}?(?:{alt('cooperate')})"),
        with_end=re.compile(rf"(?:{alt('with')}|联合|携手)$"),
        part_tail=re.compile(rf"^(?:的)?[^,;:。]{{0,8}}?(?:{alt('part')})"),
        part_by=re.compile(rf"^为(?:{alt('part')})"),
        copula=re.compile(r"(?:也|既|还|已|则|就)?(?:是|作为|为|系|成为|属于)"),
        subordinate=re.compile(rf"(?:{alt('subordinate')})(?:的)?"),
        plural=re.compile(alt("plural")),
        in_zone=re.compile(alt("in_zone")),
        topic_clause=re.compile(rf"(?:在|从|围绕)?(?:{alt('topic')})?(?:上|中)?"),
        contain_end=re.compile(rf"(?:{alt('contain')})(?:了)?$"),
        subfield=re.compile(
            rf"(?:等|等?[一二三四五六七八九十两几多\d]+[个大项类])(?:{alt('subfield')})"
        ),
        sub_zones=re.compile(
            r"^(?:等[^,;:。]{0,4}?(?:片区|分园|功能区|组团)"
            r"|[两三四五六七八九十]+[大个](?:片区|分园|园区|功能区|组团))"
        ),
        object_marker=re.compile(
            r"(?:与|和|同|跟|向|对|给|从|来自|到|赴|落户|入驻|迁驻|位于|支持|扶持|依托|携手"
            rf"|联合|面向|把|为|在|{alt('object_verb')})$"
        ),
        programme_subject=re.compile(r"(?:本届|本次|首届|第[^,;:。]{1,3}届|今年|\d{4}年?)?"),
        unnamed=re.compile(r"(?:一家|这家|该|某|多家|一批)[^,;:。]{0,4}$"),
        owned_by_unnamed=re.compile(r"(?:企业|公司)$"),
        unnamed_head=re.compile(r"[^,;:。]{0,4}?(?:企业|公司|厂商|工厂)"),
        participants=re.compile(alt("participants")),
        person_subject=re.compile(rf"(?:^|[,;:。“”\s])(?:{alt('person_pronoun')})"),
        unnamed_in_gap=re.compile(r"(?:一家|这家|该|某)[^,;:。]{0,12}(?:企业|公司)"),
        beneficiary=re.compile(r"[^,;:。]{0,4}?(?:提供|服务|赋能|注入)"),
        bare_enterprises=re.compile(r"(?:相关|上下游)?(?:企业|公司)"),
        speech=re.compile(r"(?:说|表示|介绍|强调|指出|认为|告诉|称|坦言|透露|在|对|谈)"),
        not_developed_after=re.compile(r"等(?:技术|手段)|[^,;:。]{0,8}?等?领域的"),
        defining=re.compile(r"是指|指的是"),
        industry_subject=re.compile(r"(?:产业|行业)?(?:包括|包含|是|指|分为|主要分)"),
        develop=re.compile(alt("develop")),
        project_to=re.compile(rf"[^,;:。]{{0,12}}?项目[^,;:。]{{0,8}}?(?:{alt('locate')}|布局)"),
        post_owner=re.compile(r"(?:产业|产业链)?(?:是|为)"),
        guide_gap=re.compile(r"(?:对[^,;:。]{0,6}给予|负责)?"),
        all_projects=re.compile(
            rf"(?:所有|全部)[^,;:。]{{0,6}}项目[^,;:。]{{0,6}}?(?:{alt('locate')}|在)"
        ),
        # a bare zone or committee word after a boundary, a preposition or a verb of placing
        anaphor=re.compile(f"{alt('zone_anaphor')}|{alt('org_anaphor')}"),
        anaphor_before=frozenset("".join(cues.get("anaphor_before", ()))),
        org_heads=cues.get("org_anaphor", ()),
        host_or_guide=re.compile(_alt([*cues.get("host", ()), *cues.get("guide", ())])),
    )


_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』《》〈〉 \t\r\n\u3000")
_QUOTE_CHARS = re.compile("[“”‘’\"'「」『』《》〈〉 \t\r\n\u3000]")
_CLAUSE_BREAK = re.compile(r"[,;:!?。]")
_BREAKS = frozenset(",;:!?。")

# A mention can own an industry (or run a programme) when it has one of these types.
_OWNER_TYPES = frozenset({"Zone", "Place", "Enterprise", "Programme"})
_ZONE_ORG = frozenset({"Zone", "Organization"})
_ENT_ORG = frozenset({"Enterprise", "Organization"})
_ENT_ORG_ZONE = frozenset({"Enterprise", "Organization", "Zone"})
_ZONE_PLACE = frozenset({"Zone", "Place"})
_ZONE_PLACE_ENT = frozenset({"Zone", "Place", "Enterprise"})
# the types that can be a clause's doer (subject)
_DOER_TYPES = _OWNER_TYPES | {"Organization"}
# mentions that stand between a doer and its verb without being the doer (X的Y产业……落户)
_PASSED = frozenset({"Industry", "Person"})


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _clean(gap: str) -> str:
    # Most gaps hold no quote mark or space: a regex search is far cheaper than translate().
    return gap.translate(_QUOTES) if _QUOTE_CHARS.search(gap) else gap


# ---------------------------------------------------------------- collecting


@dataclass
class _Found:
    role: str | None
    # (start, end, component, confidence) of each sentence that states it; the evidence is made
    # once, when the relations are returned
    evidence: list[tuple[int, int, str, float]] = field(default_factory=list)
    seen: set[tuple[int, str]] = field(default_factory=set)


class _Collector:
    """Relations as they are found, checked for types and merged by (subject, predicate, object)."""

    def __init__(self, text: str, types: dict[str, str]) -> None:
        self.text = text
        self.types = types
        self.found: dict[tuple[str, str, str], _Found] = {}

    def add(
        self,
        subject: str | None,
        predicate: str,
        obj: str | None,
        span: tuple[int, int],
        rule: str,
        confidence: float,
        role: str | None = None,
    ) -> None:
        if not subject or not obj or subject == obj:
            return
        s_type, o_type = self.types.get(subject), self.types.get(obj)
        if s_type is None or o_type is None or not types_allowed(predicate, s_type, o_type):
            return
        key = (subject, predicate, obj)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = _Found(role)
        elif found.role is None and role:
            found.role = role
        component = "relations:" + rule
        if (span[0], component) in found.seen:
            return
        found.seen.add((span[0], component))
        found.evidence.append((span[0], span[1], component, confidence))

    def relations(self) -> list[Relation]:
        out = []
        text = self.text
        for (subject, predicate, obj), found in self.found.items():
            spans = found.evidence
            if len(spans) > 1:
                spans = sorted(spans, key=lambda e: (-e[3], e[0]))
            evidence = tuple(Evidence(text[a:b], a, b, c, conf) for a, b, c, conf in spans)
            out.append(Relation(subject, predicate, obj, found.role, evidence))
        return out


# ---------------------------------------------------------------- one sentence


@dataclass
class _Article:
    """What the rules carry from sentence to sentence."""

    fallback: str | None
    fallback_type: str | None
    # mentions of the fallback: a zone named once is too weak to run every programme
    strength: int = 0
    paragraph_subject: str | None = None
    previous_industries: list[str] = field(default_factory=list)
    zone_group: list[str] = field(default_factory=list)
    programme: str | None = None
    # the last zone the sentence before named (这条街/该园区… at the start of the next one)
    previous_zone: str | None = None


class _Sentence:
    """The mentions of one sentence with their clauses and enumeration groups."""

    def __init__(self, text: str, span: tuple[int, int], mentions: list[Mention]) -> None:
        self.text = text
        self.span = span
        self.ms = mentions
        # every surface of every zone of the article -> the zone's name (set by the caller)
        self.zones_named: dict[str, str] = {}
        start, end = span
        bounds = [start]
        for found in _CLAUSE_BREAK.finditer(text, start, end - 1):
            bounds.append(found.end())
        bounds.append(end)
        self.clauses = list(pairwise(bounds))
        self.clause_starts = bounds[:-1]
        self.clause_texts = [text[a:b] for a, b in self.clauses]
        n = len(mentions)
        self._cb: list[str | None] = [None] * n
        self._ca: list[str | None] = [None] * n
        if len(self.clauses) == 1:
            self.clause_of = [0] * n
            self.clause_ranges = [range(n)]
        else:
            self.clause_of = [bisect_left(self.clause_starts, m.start + 1) - 1 for m in mentions]
            self.clause_ranges = [
                range(bisect_left(self.clause_of, c), bisect_left(self.clause_of, c + 1))
                for c in range(len(self.clauses))
            ]
        # enumeration groups: neighbours of one type in one clause joined by 、/和/及
        p = _patterns()
        enum = p.enum
        clause_of = self.clause_of
        self.group_of: list[int] = []
        self.groups: list[list[int]] = []
        for k, m in enumerate(mentions):
            if k and clause_of[k] == clause_of[k - 1]:
                prev = mentions[k - 1]
                if prev.type == m.type and enum.fullmatch(_clean(text[prev.end : m.start])):
                    self.groups[-1].append(k)
                    self.group_of.append(len(self.groups) - 1)
                    continue
            self.groups.append([k])
            self.group_of.append(len(self.groups) - 1)
        # a clause after a semicolon starts afresh: subjects are not carried into it
        self.after_semicolon = [cs > start and text[cs - 1] == ";" for cs in self.clause_starts]
        # the subject of each clause: its first owner-type mention that no preposition governs;
        # only mentions that can be doers are looked at
        self.marked = [False] * n
        for g in self.groups:
            if mentions[g[0]].type in _DOER_TYPES and p.object_marker.search(self.cb(g[0])[-6:]):
                for k in g:
                    self.marked[k] = True
        self.clause_subject: list[int | None] = [None] * len(self.clauses)
        self.clause_entorg: list[int | None] = [None] * len(self.clauses)
        for k, m in enumerate(mentions):
            if m.type not in _DOER_TYPES:
                continue
            c = clause_of[k]
            if self.marked[k]:
                # 在甘肃,兰州新区……: a clause that only says where is about that place
                if self.clause_subject[c] is None and m.type in _ZONE_PLACE:
                    rest = _clean(self.clause_text(c).replace(m.text, "", 1))
                    if rest.rstrip(",;:") == "在":
                        self.clause_subject[c] = k
                continue
            if m.type == "Programme" and not p.programme_subject.fullmatch(self.cb(k)):
                continue
            if m.type in _OWNER_TYPES and self.clause_subject[c] is None:
                self.clause_subject[c] = k
            if m.type in _ENT_ORG and self.clause_entorg[c] is None:
                self.clause_entorg[c] = k

    # -- text around mentions

    def before(self, k: int) -> str:
        """Text between the previous mention of the clause (or the clause start) and mention k."""
        c = self.clause_of[k]
        left = self.clauses[c][0]
        if k and self.clause_of[k - 1] == c:
            left = self.ms[k - 1].end
        return self.text[left : self.ms[k].start]

    def after(self, k: int) -> str:
        """Text between mention k and the next mention of the clause (or the clause end)."""
        c = self.clause_of[k]
        right = self.clauses[c][1]
        if k + 1 < len(self.ms) and self.clause_of[k + 1] == c:
            right = self.ms[k + 1].start
        elif self.text[right - 1 : right] in _BREAKS:
            right -= 1
        return self.text[self.ms[k].end : right]

    def clause_text(self, c: int) -> str:
        return self.clause_texts[c]

    def cb(self, k: int) -> str:
        """`before(k)` without quote marks and white space."""
        found = self._cb[k]
        if found is None:
            found = self._cb[k] = _clean(self.before(k))
        return found

    def ca(self, k: int) -> str:
        """`after(k)` without quote marks and white space."""
        found = self._ca[k]
        if found is None:
            found = self._ca[k] = _clean(self.after(k))
        return found

    def members(self, k: int) -> list[Mention]:
        return [self.ms[i] for i in self.groups[self.group_of[k]]]

    def group_last(self, k: int) -> int:
        return self.groups[self.group_of[k]][-1]

    def group_first(self, k: int) -> int:
        return self.groups[self.group_of[k]][0]

    def in_clause(self, c: int) -> range:
        """The indices of the mentions in clause c."""
        return self.clause_ranges[c]

    def carried(self, c: int) -> int | None:
        """The subject a clause c without its own takes from the clauses before it (not across a
        semicolon)."""
        if self.after_semicolon[c]:
            return None
        for i in range(c - 1, -1, -1):
            if self.clause_subject[i] is not None:
                return self.clause_subject[i]
            if self.after_semicolon[i]:
                return None
        return None


# ---------------------------------------------------------------- the rules


def find_relations(
    text: str,
    sentences: list[tuple[int, int]],
    mentions: list[Mention],
    subject: str | None,
) -> list[Relation]:
    """Relations among the mentioned entities of a normalized text.

    `subject` (the canonical name of the zone or organisation the article is about) fills in
    left-out subjects.
    """
    if not sentences:
        return []
    ms = sorted((m for m in mentions if m.end > m.start), key=lambda m: (m.start, -m.end))
    types: dict[str, str] = {}
    for m in ms:
        types.setdefault(m.name, m.type)
    if subject:
        # a subject the caller knows but the text never names is taken to be a zone
        types.setdefault(subject, "Zone")
    out = _Collector(text, types)
    if not ms:
        return []
    cues = _patterns()
    fallback, strength = _fallback(sentences, ms, subject)
    article = _Article(fallback, types.get(fallback) if fallback else None, strength)
    _by_name(ms, sentences, out)
    # nested mentions (a place inside a zone's name) serve the name rules only
    flat: list[Mention] = []
    for m in ms:
        if not flat or m.start >= flat[-1].end:
            flat.append(m)
    flat = _with_anaphors(text, flat, article)
    starts = [m.start for m in flat]
    zones_named = {s: m.name for m in ms if m.type == "Zone" for s in (m.text, m.name)}
    previous_end = 0
    everyone_in: tuple[str, tuple[int, int]] | None = None
    for span in sentences:
        if "\n" in text[previous_end : span[0] + 1] or previous_end == 0:
            article.paragraph_subject = None
        previous_end = span[1]
        lo, hi = bisect_left(starts, span[0]), bisect_left(starts, span[1])
        inside = [m for m in flat[lo:hi] if m.end <= span[1]]
        if not inside:
            continue
        sent = _Sentence(text, span, inside)
        sent.zones_named = zones_named
        for g in sent.groups:
            if len(g) > 1 and sent.ms[g[0]].type == "Zone":
                names = list(dict.fromkeys(sent.ms[i].name for i in g))
                if len(names) > 1:
                    article.zone_group = names
        present: defaultdict[str, int] = defaultdict(int)
        for m in inside:
            present[m.type] += 1
        # each rule runs only where the types (or cues) it needs are there
        if present["Person"]:
            _positions(sent, out)
        if present["PolicyDocument"] and present["Organization"]:
            _issued(sent, out)
        if present["Zone"]:
            _zone_parts(sent, article, out)
        if present["Zone"] or present["Place"] or present["Enterprise"]:
            _located(sent, article, out)
        if present["Industry"]:
            _industries(sent, article, out)
        sentence = text[span[0] : span[1]]
        if (
            present["Programme"]
            or present["TalentPolicy"]
            or (article.programme and cues.host_or_guide.search(sentence))
        ):
            _programmes(sent, article, out)
        if cues.support.search(sentence):
            _supports(sent, article, out)
        if present["Enterprise"] + present["Organization"] >= 2:
            _cooperation(sent, out)
        if sentence.lstrip().startswith("其中") and len(article.previous_industries) == 1:
            _among(sent, article.previous_industries[0], out)
        article.previous_industries = list(
            dict.fromkeys(m.name for m in inside if m.type == "Industry")
        )
        article.previous_zone = next((m.name for m in reversed(inside) if m.type == "Zone"), None)
        if present["Zone"] and cues.all_projects.search(sentence):
            everyone_in = _all_projects(sent, cues) or everyone_in
        for k in sent.clause_subject:
            if k is not None and sent.ms[k].type == "Zone" and not sent.marked[k]:
                article.paragraph_subject = sent.ms[k].name
                break
    if everyone_in is not None:
        # every enterprise the article names and places nowhere else is in that zone
        zone, span = everyone_in
        placed = {s for (s, pred, _) in out.found if pred == "locatedIn"}
        for name, etype in types.items():
            if etype == "Enterprise" and name not in placed:
                out.add(name, "locatedIn", zone, span, "all-projects", 0.55)
    return out.relations()


def _with_anaphors(text: str, flat: list[Mention], article: _Article) -> list[Mention]:
    """The mentions plus the bare words that stand for an entity already named: 高新区 or 园区
    for the article's zone, 管委会 for the one management committee the article names."""
    p = _patterns()
    orgs: dict[str, set[str]] = {}
    for m in flat:
        if m.type == "Organization":
            for head in p.org_heads:
                if m.name.endswith(head) and len(m.name) > len(head):
                    orgs.setdefault(head, set()).add(m.name)
    zone = article.fallback if article.fallback_type == "Zone" else None
    starts = [m.start for m in flat]
    extra: list[Mention] = []
    for found in p.anaphor.finditer(text):
        word = found.group()
        start, end = found.span()
        # a bare word after a boundary, a preposition or a verb of placing; after other
        # characters it ends a longer noun (国家级高新区, 兄弟园区)
        if start and _is_cjk(text[start - 1]) and text[start - 1] not in p.anaphor_before:
            continue
        i = bisect_left(starts, end)
        if i and flat[i - 1].end > start:
            continue
        if word in orgs:
            if len(orgs[word]) == 1:
                name = next(iter(orgs[word]))
                extra.append(Mention(start, end, "Organization", word, name, "relations", 0.6))
        elif zone:
            extra.append(Mention(start, end, "Zone", word, zone, "relations", 0.6))
    if not extra:
        return flat
    return sorted([*flat, *extra], key=attrgetter("start"))


def _fallback(
    sentences: list[tuple[int, int]], ms: list[Mention], subject: str | None
) -> tuple[str | None, int]:
    """Who a subject-less clause is about, and how often the article names it: the article's
    subject, unless the title (the first sentence) names a zone or place at least as often, or a
    place dominates the article, as in stories about a province or city."""
    counts = Counter(m.name for m in ms)
    title_end = sentences[0][1] if sentences else 0
    in_title = [m for m in ms if m.end <= title_end]
    zones = Counter(m.name for m in ms if m.type == "Zone")
    if subject and any(m.name == subject for m in in_title):
        # unless the article talks about another zone far more often
        if zones:
            zone, count = zones.most_common(1)[0]
            if count >= 3 and count > 2 * counts[subject]:
                return zone, count
        return subject, counts[subject] + 2
    own = counts[subject] if subject else 0
    for etype in ("Zone", "Place"):
        # the most named of them: 安徽合肥 in a title is a story about 合肥
        named = [m.name for m in in_title if m.type == etype and counts[m.name] >= own]
        if named:
            best = max(named, key=lambda name: counts[name])
            return best, counts[best] + 2
    places = Counter(m.name for m in ms if m.type == "Place")
    if places:
        place, count = places.most_common(1)[0]
        if count > 3 * own:
            return place, count
    return subject, own


def _sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    i = bisect_left([s for s, _ in sentences], pos + 1) - 1
    return sentences[max(i, 0)]


def _by_name(ms: list[Mention], sentences: list[tuple[int, int]], out: _Collector) -> None:
    """Relations that an entity's own name states: the place in a zone's name, the zone a
    sub-zone's name begins with, the organisations a document's name begins with."""
    surfaces: dict[str, dict[str, Mention]] = {}
    for m in ms:
        surfaces.setdefault(m.type, {}).setdefault(m.text, m)
        surfaces[m.type].setdefault(m.name, m)
    places = sorted(surfaces.get("Place", {}).items(), key=lambda kv: -len(kv[0]))
    zones = surfaces.get("Zone", {})
    for surface, zm in zones.items():
        span = _sentence_of(sentences, zm.start)
        # the place named last in the zone's name is the most specific one (中国(江苏)…南京片区)
        best: tuple[int, Mention] | None = None
        taken: list[tuple[int, int]] = []
        for psurface, pm in places:
            at = surface.rfind(psurface)
            # a place heads the name, or follows a bracket or a wider area (中国(江苏)自由贸易
            # 试验区南京片区); 中印尼两国双园 is not in 印尼
            if (
                at < 0
                or len(psurface) < 2
                or (at and surface[at - 1] not in ")区省市" and surface[:at] not in _LEVELS)
            ):
                continue
            if any(a <= at < b for a, b in taken):
                continue
            taken.append((at, at + len(psurface)))
            if pm.name in _NOT_A_LOCATION:
                continue  # 中国声谷, 中国（绵阳）科技城: 中国 brands the name
            if best is None or at > best[0]:
                best = (at, pm)
        if best is not None:
            out.add(zm.name, "locatedIn", best[1].name, span, "name-place", 0.8)
        else:
            # the city the national zone lists give, when the article names that city
            known = zone_by_name(surface) or zone_by_name(zm.name)
            city = place_by_name(known.city) if known and known.city else None
            # a zone named after a county (昆山高新区) is not said to be in the county's city
            if city is not None and not _named_after_place(surface):
                for name in city.names:
                    named = surfaces.get("Place", {}).get(name)
                    if named is not None:
                        out.add(zm.name, "locatedIn", named.name, span, "gazetteer-city", 0.75)
                        break
        for other, om in zones.items():
            if (
                om.name != zm.name
                and len(other) >= 3
                and len(surface) > len(other) + 1
                and surface.startswith(other)
            ):
                out.add(zm.name, "partOf", om.name, span, "name-zone", 0.7)
    orgs = surfaces.get("Organization", {})
    for surface, dm in surfaces.get("PolicyDocument", {}).items():
        head = surface.split("关于", 1)[0] if "关于" in surface else ""
        for part in head.split("、"):
            issuer = orgs.get(part)
            if issuer is not None:
                out.add(
                    dm.name,
                    "issuedBy",
                    issuer.name,
                    _sentence_of(sentences, dm.start),
                    "name-issuer",
                    0.8,
                )


# Places a zone's name begins with that say its rank, not where it is.
_NOT_A_LOCATION = frozenset({"中国"})
# Words of level a zone's name may begin with before its place (国家级洛阳经济技术开发区).
_LEVELS = frozenset({"国家级", "省级", "市级", "国家", "中国"})


def _named_after_place(name: str) -> bool:
    """Whether a name begins with the name of an administrative place."""
    return any(place_by_name(name[:n]) is not None for n in (2, 3, 4) if len(name) > n)


def _positions(sent: _Sentence, out: _Collector) -> None:
    """Organisation, role, person: 稀土高新区党工委书记邬军军; chains joined by 、."""
    p = _patterns()
    ms = sent.ms
    for k, person in enumerate(ms):
        if person.type != "Person" or k == 0:
            continue
        j = k - 1
        gap = _clean(sent.text[ms[j].end : person.start])
        if ms[j].type not in _ZONE_ORG:
            continue
        if not p.role.fullmatch(gap):
            # X党工委书记、Y主任Z with Y not recognised: X's role still stands
            partial = p.role_then_unnamed.fullmatch(gap)
            if partial:
                out.add(
                    person.name,
                    "holdsPositionIn",
                    ms[j].name,
                    sent.span,
                    "position",
                    0.75,
                    partial.group(1),
                )
            continue
        out.add(person.name, "holdsPositionIn", ms[j].name, sent.span, "position", 0.9, gap)
        while j > 0:
            link = _clean(sent.text[ms[j - 1].end : ms[j].start])
            if ms[j - 1].type not in _ZONE_ORG or not p.role_link.fullmatch(link):
                break
            j -= 1
            role = link[:-1]
            out.add(person.name, "holdsPositionIn", ms[j].name, sent.span, "position", 0.9, role)


def _issued(sent: _Sentence, out: _Collector) -> None:
    """An organisation issues a document: 管委会印发《……》."""
    p = _patterns()
    ms = sent.ms
    for k, doc in enumerate(ms):
        if doc.type != "PolicyDocument" or k == 0:
            continue
        gap = sent.cb(k)
        verb = p.issue.search(gap)
        if not verb or verb.end() < len(gap) - 2:
            continue
        j = k - 1
        while j >= 0 and sent.clause_of[j] == sent.clause_of[k] and ms[j].type == "Person":
            j -= 1
        if j < 0 or sent.clause_of[j] != sent.clause_of[k] or ms[j].type != "Organization":
            continue
        if len(_clean(sent.text[ms[j].end : doc.start])) > 8:
            continue
        out.add(doc.name, "issuedBy", ms[j].name, sent.span, "issue", 0.85)


def _zone_parts(sent: _Sentence, article: _Article, out: _Collector) -> None:
    """Zones within zones: X是Y的核心区, 作为Y的核心区,X……, Y所辖的X, 以X为核心区建设Y."""
    p = _patterns()
    ms = sent.ms
    for k, whole in enumerate(ms):
        if whole.type != "Zone":
            continue
        c = sent.clause_of[k]
        tail = sent.ca(k)
        before = sent.cb(k)
        if p.part_tail.match(tail):
            parts: list[str] = []
            j = sent.group_first(k) - 1
            if (
                j >= 0
                and sent.clause_of[j] == c
                and ms[j].type == "Zone"
                and p.copula.fullmatch(_clean(sent.text[ms[j].end : ms[j + 1].start]))
            ):
                parts = [m.name for m in sent.members(j)]
            if not parts and p.plural.search(before):
                parts = list(article.zone_group)
            elif not parts and before.endswith("作为") and c + 1 < len(sent.clauses):
                nxt = sent.in_clause(c + 1)
                if len(nxt) and ms[nxt[0]].type == "Zone":
                    parts = [ms[nxt[0]].name]
            for name in parts:
                out.add(name, "partOf", whole.name, sent.span, "zone-part", 0.85)
        # 以X为核心区……建设Y
        if before.endswith("以") and p.part_by.match(tail):
            for j in range(k + 1, len(ms)):
                if sent.clause_of[j] != c:
                    break
                if ms[j].type == "Zone":
                    out.add(whole.name, "partOf", ms[j].name, sent.span, "zone-core", 0.75)
                    break
        # Y所辖的X、X
        sub = p.subordinate.fullmatch(tail)
        nxt_k = sent.group_last(k) + 1
        if sub and nxt_k < len(ms) and ms[nxt_k].type == "Zone":
            for m in sent.members(nxt_k):
                out.add(m.name, "partOf", whole.name, sent.span, "zone-subordinate", 0.85)
        if k == sent.group_first(k) and p.subordinate.fullmatch(before) and c > 0:
            owner = sent.carried(c)
            if owner is not None and ms[owner].type == "Zone":
                for m in sent.members(k):
                    out.add(m.name, "partOf", ms[owner].name, sent.span, "zone-subordinate", 0.8)
        # X、Y等片区, X和Y两大园区
        if k == sent.group_last(k) and p.sub_zones.match(tail):
            owner_name = _zone_in_focus(sent, c, article)
            for m in sent.members(k):
                if owner_name and m.name != owner_name:
                    out.add(m.name, "partOf", owner_name, sent.span, "zone-subareas", 0.6)
        # 某高新区依托东湾园区、西岭园区……: parks named by a short stem and 园区 that a zone
        # subject of the clause lists are its parts
        if k == sent.group_first(k) and len(sent.members(k)) > 1:
            members = sent.members(k)
            subject = sent.clause_subject[c]
            if (
                subject is not None
                and subject < k
                and ms[subject].type == "Zone"
                and all(_SUB_PARK.fullmatch(m.text) for m in members)
            ):
                for m in members:
                    if m.name != ms[subject].name:
                        out.add(m.name, "partOf", ms[subject].name, sent.span, "zone-parks", 0.6)


# A park named by a short stem (a district, a direction) and 园区/分园/片区: part of a bigger zone.
_SUB_PARK = re.compile(r"[\u4e00-\u9fff]{2,3}(?:园区|分园|片区)")


def _zone_in_focus(sent: _Sentence, c: int, article: _Article) -> str | None:
    """The zone a clause is about: the nearest zone subject of this or an earlier clause of the
    sentence, else the article's zone."""
    for i in range(c, -1, -1):
        k = sent.clause_subject[i]
        if k is not None and sent.ms[k].type == "Zone":
            return sent.ms[k].name
    return article.fallback if article.fallback_type == "Zone" else None


def _located(sent: _Sentence, article: _Article, out: _Collector) -> None:
    """Where zones, enterprises and organisations are: 落户X, 位于X, 在X设立, 区内企业, 来自X的,
    在X,Y……, X的Y园."""
    p = _patterns()
    ms = sent.ms
    text = sent.text
    n = len(ms)
    header_in_zone = False
    for c in range(len(sent.clauses)):
        ks = sent.in_clause(c)
        ctext = sent.clause_text(c)
        if c == 0 and ctext.endswith(":") and p.in_zone.search(ctext):
            header_in_zone = True
        # 区内企业表现亮眼:A……;B……
        if header_in_zone and c > 0 and len(ks):
            doers = [k for k in ks if ms[k].type != "Industry"]
            if doers and ms[doers[0]].type == "Enterprise":
                zone = _zone_in_focus(sent, c, article)
                out.add(ms[doers[0]].name, "locatedIn", zone, sent.span, "in-zone", 0.75)
        # 在X,Y……
        if (
            len(ks) == 1
            and ctext.lstrip()[:1] == "在"
            and ms[ks[0]].type in _ZONE_PLACE
            and c + 1 < len(sent.clauses)
        ):
            only = ks[0]
            if _clean(ctext.replace(ms[only].text, "", 1)).rstrip(",") == "在":
                nxt = sent.in_clause(c + 1)
                if len(nxt) and ms[nxt[0]].type in _ENT_ORG_ZONE and len(sent.cb(nxt[0])) <= 2:
                    out.add(ms[nxt[0]].name, "locatedIn", ms[only].name, sent.span, "at-place", 0.7)
    for k, m in enumerate(ms):
        if m.type not in _ZONE_PLACE_ENT:
            continue
        c = sent.clause_of[k]
        # A 落户/位于/迁驻 B
        if m.type in _ZONE_PLACE:
            before = sent.cb(k)
            after = sent.ca(k)
            if p.locate_end.search(before[-6:]):
                subj = _nearest(sent, k, _ENT_ORG_ZONE, skip=_PASSED)
                subjects = sent.members(subj) if subj is not None else []
                if not subjects and after == "的":
                    # 位于B的(X)企业E
                    j = k + 1
                    while j < n and sent.clause_of[j] == c and ms[j].type == "Industry":
                        j += 1
                    if j < n and sent.clause_of[j] == c and ms[j].type in _ENT_ORG_ZONE:
                        subjects = [ms[j]]
                if (
                    not subjects
                    and _clean(sent.clause_text(c)).startswith("作为")
                    and c + 1 < len(sent.clauses)
                ):
                    # 作为第一家迁驻B的企业,E……
                    nxt = sent.in_clause(c + 1)
                    if len(nxt) and ms[nxt[0]].type in _ENT_ORG_ZONE:
                        subjects = [ms[nxt[0]]]
                for s in subjects:
                    out.add(s.name, "locatedIn", m.name, sent.span, "locate", 0.85)
            # 在B设立/建设 ……
            if before.endswith("在") and p.establish.match(after):
                subj = _nearest(sent, k, _ENT_ORG, skip=_PASSED)
                if subj is not None and ms[subj].type in _ENT_ORG:
                    for s in sent.members(subj):
                        out.add(s.name, "locatedIn", m.name, sent.span, "establish", 0.75)
                else:
                    j = k + 1
                    if j < n and sent.clause_of[j] == c and ms[j].type in _ENT_ORG_ZONE:
                        out.add(ms[j].name, "locatedIn", m.name, sent.span, "establish", 0.7)
                    elif len(sent.in_clause(c)) == 1 and c > 0:
                        prev = sent.in_clause(c - 1)
                        if (
                            len(prev)
                            and ms[prev[-1]].type in _ENT_ORG_ZONE
                            and len(sent.ca(prev[-1])) <= 1
                        ):
                            out.add(
                                ms[prev[-1]].name, "locatedIn", m.name, sent.span, "establish", 0.65
                            )
            # 来自B的……E
            if before.endswith("来自") and "的" in after:
                j = k + 1
                while j < n and sent.clause_of[j] == c and ms[j].type == "Industry":
                    j += 1
                if j < n and sent.clause_of[j] == c and ms[j].type == "Enterprise":
                    out.add(ms[j].name, "locatedIn", m.name, sent.span, "from", 0.75)
            # B的Z
            if after == "的" and k + 1 < n and sent.clause_of[k + 1] == c:
                z = ms[k + 1]
                if z.type == "Zone":
                    out.add(z.name, "locatedIn", m.name, sent.span, "of-place", 0.65)
            # A 引进 E、E
            if m.type in _ZONE_PLACE and p.attract.search(after):
                j = k + 1
                while j < n and sent.clause_of[j] == c and ms[j].type != "Enterprise":
                    j += 1
                if j < n and sent.clause_of[j] == c:
                    for e in sent.members(j):
                        out.add(e.name, "locatedIn", m.name, sent.span, "attract", 0.65)
        # 区内(龙头)企业E
        if m.type == "Enterprise":
            j = k - 1
            while j >= 0 and sent.clause_of[j] == c and ms[j].type == "Industry":
                j -= 1
            left = ms[j].end if j >= 0 and sent.clause_of[j] == c else sent.clauses[c][0]
            if p.in_zone.search(text[left : m.start]):
                zone = _zone_in_focus(sent, c, article)
                out.add(m.name, "locatedIn", zone, sent.span, "in-zone", 0.8)


def _among(sent: _Sentence, parent: str, out: _Collector) -> None:
    """其中…… after a sentence about one industry: the enterprises this sentence is about work
    in it, and the industries it names (that no enterprise owns) are parts of it."""
    ms = sent.ms
    for k in sent.clause_subject:
        if k is not None and ms[k].type == "Enterprise":
            out.add(ms[k].name, "operatesIn", parent, sent.span, "among", 0.6)
    for k, m in enumerate(ms):
        if m.type != "Industry":
            continue
        owner = sent.clause_subject[sent.clause_of[k]]
        if owner is None or ms[owner].type != "Enterprise":
            out.add(m.name, "partOf", parent, sent.span, "among", 0.6)


def _all_projects(sent: _Sentence, p: _Patterns) -> tuple[str, tuple[int, int]] | None:
    """The zone of 所有签约项目均将落户Z, with the sentence that says so."""
    found = p.all_projects.search(sent.text, *sent.span)
    if found is None:
        return None
    c = bisect_left(sent.clause_starts, found.start() + 1) - 1
    for k, m in enumerate(sent.ms):
        if m.start >= found.end() - 1 and m.type == "Zone" and sent.clause_of[k] == c:
            return m.name, sent.span
    return None


def _nearest(
    sent: _Sentence, k: int, want: frozenset[str], skip: frozenset[str] = frozenset()
) -> int | None:
    """The nearest mention before k in k's clause whose type is wanted, passing over `skip`."""
    c = sent.clause_of[k]
    j = k - 1
    while j >= 0 and sent.clause_of[j] == c:
        t = sent.ms[j].type
        if t in want:
            return j
        if t not in skip:
            return None
        j -= 1
    return None


def _industries(sent: _Sentence, article: _Article, out: _Collector) -> None:
    """Who develops or works in each industry, and industries within industries."""
    p = _patterns()
    ms = sent.ms
    n = len(ms)
    nclauses = len(sent.clauses)
    topic_of_clause: dict[int, list[Mention]] = {}
    for c in range(nclauses):
        ks = sent.in_clause(c)
        if len(ks) and all(ms[k].type == "Industry" for k in ks):
            rest = sent.clause_text(c)
            for k in ks:
                rest = rest.replace(ms[k].text, "", 1)
            if p.topic_clause.fullmatch(_clean(rest).rstrip(",;:")):
                topic_of_clause[c] = [ms[k] for k in ks]
    seen_group: set[int] = set()
    for k, m in enumerate(ms):
        if m.type != "Industry" or sent.group_of[k] in seen_group:
            continue
        seen_group.add(sent.group_of[k])
        group = sent.members(k)
        last = sent.group_last(k)
        c = sent.clause_of[k]
        after = sent.ca(last)
        before = sent.cb(k)
        # X企业E / 专注X的E
        j = last + 1
        if (
            j < n
            and sent.clause_of[j] == c
            and ms[j].type == "Enterprise"
            and p.enterprise_head.fullmatch(after)
        ):
            for x in group:
                out.add(ms[j].name, "operatesIn", x.name, sent.span, "industry-enterprise", 0.85)
            continue
        # parts of industries
        _industry_parts(sent, k, group, after, before, topic_of_clause, out)
        # the owner
        owners, rule, conf = _industry_owner(sent, k, c, topic_of_clause, article)
        if rule in (
            "industry-article",
            "industry-carried",
            "industry-paragraph",
        ) and (
            p.not_owner.search(sent.clause_text(c))
            or p.participants.search(sent.text, sent.span[0], sent.clauses[c][1])
            or p.person_subject.search(sent.text[sent.span[0] : sent.clauses[c][1]])
        ):
            # participants' fields, demand, the world; or what a person (他的团队) does
            continue
        for owner in owners:
            pred = "operatesIn" if out.types.get(owner) == "Enterprise" else "developsIndustry"
            for x in group:
                out.add(owner, pred, x.name, sent.span, rule, conf)
        # E是……的X企业: the enterprise the clause is about is one of X
        subject = sent.clause_subject[c]
        if (
            subject is not None
            and ms[subject].type == "Enterprise"
            and subject < k
            and sent.ca(subject).startswith("是")
            and p.bare_enterprises.match(after)
        ):
            for x in group:
                out.add(ms[subject].name, "operatesIn", x.name, sent.span, "industry-is", 0.7)


def _industry_owner(
    sent: _Sentence,
    k: int,
    c: int,
    topic_of_clause: dict[int, list[Mention]],
    article: _Article,
) -> tuple[list[str], str, float]:
    """Who develops (or, an enterprise, works in) the industry group at mention k."""
    p = _patterns()
    ms = sent.ms
    first, last = sent.group_first(k), sent.group_last(k)
    before = sent.cb(first)
    after = sent.ca(last)
    nxt = last + 1 if last + 1 < len(ms) and sent.clause_of[last + 1] == c else None
    # X等技术 (a means), 为X提供 (a beneficiary), 一家X企业 (an enterprise left unnamed)
    if p.not_developed_after.match(after) or before.endswith(
        ("依托", "借助", "利用", "通过", "运用")
    ):
        return [], "", 0.0
    if before.endswith("为") and p.beneficiary.match(after):
        return [], "", 0.0
    if (p.unnamed.search(before[-10:]) and p.unnamed_head.match(after)) or (
        p.owned_by_unnamed.search(before[-4:])
    ):
        return [], "", 0.0
    owners: list[str] = []
    # X产业是P重点打造的……; 以X为主的Z
    if (
        nxt is not None
        and ms[nxt].type in _ZONE_PLACE
        and (p.post_owner.fullmatch(after) or (after == "为主的" and before.endswith("以")))
    ):
        owners += [m.name for m in sent.members(nxt)]
    if nxt is not None and p.project_to.fullmatch(after):
        # X项目……落户/布局 Z(和Z)
        j = nxt
        while j < len(ms) and sent.clause_of[j] == c and ms[j].type == "Industry":
            j += 1
        if j < len(ms) and sent.clause_of[j] == c and ms[j].type == "Zone":
            owners += [m.name for m in sent.members(j)]
    # the nearest zone, place or enterprise before it in its clause; one after 在 (在X建设……)
    # gives way to an earlier one that is the clause's doer
    found: int | None = None
    located: int | None = None
    j = first - 1
    while j >= 0 and sent.clause_of[j] == c:
        t = ms[j].type
        gap_before = sent.cb(sent.group_first(j))
        if t == "Person" and not p.speech.match(sent.ca(j)):
            return owners, "industry-after", 0.75
        if t == "Organization" and not sent.marked[j]:
            zone = _zone_of_org(sent, j)
            if zone is None:
                return owners, "industry-after", 0.75
            found = j
            break
        if t in _OWNER_TYPES and not gap_before.endswith("来自"):
            if _clean(sent.text[ms[sent.group_last(j)].end : ms[first].start]).startswith("等"):
                j = sent.group_first(j) - 1
                continue
            if not gap_before.endswith("在"):
                found = j
                break
            if located is None:
                located = j
        j = sent.group_first(j) - 1
    if found is None:
        found = located
    if found is not None:
        t = ms[found].type
        if t == "Programme":
            return owners, "industry-after", 0.75
        if t == "Organization":
            zone = _zone_of_org(sent, found)
            return [*owners, zone] if zone else owners, "industry-owner", 0.75
        gap = _clean(sent.text[ms[sent.group_last(found)].end : ms[first].start])
        if p.unnamed_in_gap.search(gap):
            # 秦皇岛的一家企业研制出X: the enterprise, not the city, makes X
            return owners, "industry-after", 0.75
        marker = sent.cb(sent.group_first(found))
        if marker.endswith("为") and not marker.endswith("作为") and not p.develop.search(gap):
            return owners, "industry-after", 0.75
        owners += [m.name for m in sent.members(found)]
        if t == "Place" and p.copula.search(sent.cb(found)):
            zone = _copula_zone(sent, found, c)
            if zone:
                owners.append(zone)
        return owners, "industry-owner", 0.8
    if owners:
        return owners, "industry-after", 0.75
    if p.unnamed_in_gap.search(sent.text, sent.clauses[c][0], ms[first].start):
        # 这家太阳能企业正在生产……X: the unnamed enterprise's, not the zone's
        return [], "", 0.0
    if c in topic_of_clause and c + 1 < len(sent.clauses):
        for j in sent.in_clause(c + 1):
            if ms[j].type in _OWNER_TYPES:
                name = ms[j].name if ms[j].type != "Programme" else None
                return ([name] if name else []), "industry-topic", 0.75
    # a clause that says what an industry is (光子产业包括……, X是指……) is not about who has it
    if p.defining.search(sent.text, *sent.span) or _defining_clause(sent, c):
        return [], "", 0.0
    # enterprises of X, with no one said to build them up (令焦化企业头疼)
    if p.bare_enterprises.match(after) and not p.develop.search(
        sent.text, sent.clauses[c][0], ms[first].start
    ):
        return [], "", 0.0
    # 建立X研究院,重点开展……: the organisation or enterprise the clause before ends with
    pivot = _pivot(sent, c)
    if pivot is not None:
        if ms[pivot].type == "Enterprise":
            return [ms[pivot].name], "industry-pivot", 0.65
        return [], "", 0.0
    if (
        article.previous_zone
        and _DEMONSTRATIVE_AREA.match(sent.text, sent.span[0])
        and not any(ms[j].type in _OWNER_TYPES for j in range(first))
    ):
        # ……同在开发区的X园。这条街聚集了A、B等企业: the area just named
        return [article.previous_zone], "industry-demonstrative", 0.7
    carried = sent.carried(c)
    if carried is not None:
        if ms[carried].type == "Programme":
            return [], "", 0.0
        return [ms[carried].name], "industry-carried", 0.7
    # 在X，围绕……: a sentence that opens with the scene gives the later clauses their subject
    frame = _frame(sent, c)
    if frame is not None:
        return [ms[frame].name], "industry-frame", 0.75
    if article.paragraph_subject:
        return [article.paragraph_subject], "industry-paragraph", 0.6
    if (
        article.fallback
        and article.fallback_type in _ZONE_PLACE
        and p.develop.search(sent.text, *sent.span)
    ):
        return [article.fallback], "industry-article", 0.55
    return [], "", 0.0


# A sentence that opens with a demonstrative and a kind of area (这条街, 该园区, 这里) speaks of
# the area the sentence before named.
_DEMONSTRATIVE_AREA = re.compile(
    r"\s*(?:(?:这|该|此)[条个座片处]?(?:街区|街|园区|产业园|园|基地|小镇|片区|新区|开发区|区)|这里)"
)
_FRAME_END = re.compile(r"(?:内|里|境内|这里|当地)?")


def _frame(sent: _Sentence, c: int) -> int | None:
    """The zone or place of a first clause 在X， that only sets the scene of the sentence."""
    if c == 0:
        return None
    ks = list(sent.in_clause(0))
    if not ks:
        return None
    last = ks[-1]
    if sent.ms[last].type not in _ZONE_PLACE:
        return None
    if not all(sent.group_of[k] == sent.group_of[last] or sent.ms[k].type == "Place" for k in ks):
        return None
    lead = _clean(sent.text[sent.clauses[0][0] : sent.ms[ks[0]].start])
    tail = _clean(sent.text[sent.ms[last].end : sent.clauses[0][1]]).rstrip(",;:，；：")
    if lead != "在" or not _FRAME_END.fullmatch(tail):
        return None
    return last


def _defining_clause(sent: _Sentence, c: int) -> bool:
    """Whether clause c, or one before it in its stretch of the sentence, opens with an industry
    that it defines (光子产业包括……,是……)."""
    p = _patterns()
    for i in range(c, -1, -1):
        ks = sent.in_clause(i)
        if len(ks):
            k = ks[0]
            if (
                sent.ms[k].type == "Industry"
                and sent.cb(k) == ""
                and p.industry_subject.match(sent.ca(sent.group_last(k)))
            ):
                return True
            if sent.clause_subject[i] is not None:
                return False
        if sent.after_semicolon[i]:
            return False
    return False


def _pivot(sent: _Sentence, c: int) -> int | None:
    """An organisation or enterprise that ends clause c-1 and so does what clause c says, when
    clause c has no subject of its own (在新乡建立X研究院,重点开展……)."""
    if c == 0 or sent.after_semicolon[c] or sent.clause_subject[c] is not None:
        return None
    prev = sent.in_clause(c - 1)
    if not len(prev):
        return None
    k = prev[-1]
    if sent.ms[k].type in _ENT_ORG and sent.ca(k) == "":
        return k
    return None


def _zone_of_org(sent: _Sentence, k: int) -> str | None:
    """The zone an organisation belongs to by its name (合肥高新区管委会 -> 合肥高新区)."""
    name = sent.ms[k].name
    for m in sent.zones_named:
        if name.startswith(m) and len(name) > len(m):
            return sent.zones_named[m]
    return None


def _copula_zone(sent: _Sentence, place: int, c: int) -> str | None:
    """The zone that 是/作为 "P's X hub" speaks of (西海岸新区是青岛海洋经济发展的主阵地, 作为深圳
    集成电路产业核心承载区的深圳高新区)."""
    ms = sent.ms
    for j in range(place - 1, -1, -1):
        if sent.clause_of[j] != c:
            break
        if ms[j].type == "Zone" and not sent.marked[j]:
            return ms[j].name
    for j in range(place + 1, len(ms)):
        if sent.clause_of[j] != c:
            break
        if ms[j].type == "Zone":
            return ms[j].name
    if _clean(sent.clause_text(c)).startswith("作为") and c + 1 < len(sent.clauses):
        for j in sent.in_clause(c + 1):
            if ms[j].type == "Zone":
                return ms[j].name
            break
    carried = sent.carried(c)
    if carried is not None and ms[carried].type == "Zone":
        return ms[carried].name
    return None


def _industry_parts(
    sent: _Sentence,
    k: int,
    group: list[Mention],
    after: str,
    before: str,
    topic_of_clause: dict[int, list[Mention]],
    out: _Collector,
) -> None:
    p = _patterns()
    ms = sent.ms
    n = len(ms)
    last = sent.group_last(k)
    c = sent.clause_of[k]
    parent: Mention | None = None
    rule = ""
    j = last + 1
    nxt = ms[j] if j < n and sent.clause_of[j] == c else None
    if nxt is not None and nxt.type == "Industry" and after == "等":
        parent, rule = nxt, "industry-kinds"
    elif nxt is not None and nxt.type == "Industry" and after == "为主的" and before.endswith("以"):
        parent, rule = nxt, "industry-mainly"
    elif p.subfield.match(after):
        parent, rule = _industry_before(sent, k, c - 1), "industry-subfield"
    elif p.contain_end.search(before[-6:]):
        parent, rule = _industry_before(sent, k, 0), "industry-contains"
    elif c > 0 and c - 1 in topic_of_clause:
        owner = sent.clause_subject[c]
        if owner is None or ms[owner].type != "Enterprise":
            parent, rule = topic_of_clause[c - 1][0], "industry-topic"
    elif c > 0 and _clean(sent.clause_text(c)).startswith("其中"):
        prev = [ms[i] for i in sent.in_clause(c - 1) if ms[i].type == "Industry"]
        if prev:
            parent, rule = prev[0], "industry-among"
    if parent is None:
        return
    for x in group:
        if x.name != parent.name:
            out.add(x.name, "partOf", parent.name, sent.span, rule, 0.7)


def _industry_before(sent: _Sentence, k: int, c: int) -> Mention | None:
    """The nearest industry before mention k, in clause c or after it."""
    first = sent.group_first(k)
    for j in range(first - 1, -1, -1):
        if sent.clause_of[j] < c:
            return None
        if sent.ms[j].type == "Industry":
            return sent.ms[j]
    return None


def _programmes(sent: _Sentence, article: _Article, out: _Collector) -> None:
    """Who runs a programme (由X主办, 在X举行, or the zone the clause is about) and who adopts a
    talent policy; 指导 makes an organisation a supporter of the programme."""
    p = _patterns()
    ms = sent.ms
    n = len(ms)
    progs = [k for k, m in enumerate(ms) if m.type == "Programme"]
    # explicit hosts and guides, for the programme nearest to the cue
    cues = p.host_or_guide.search(sent.text, *sent.span)
    for c in range(len(sent.clauses)) if cues else ():
        ctext = sent.clause_text(c)
        for pattern, predicate in ((p.host, "hostsProgramme"), (p.guide, "supports")):
            for cue in pattern.finditer(ctext):
                pos = sent.clauses[c][0] + cue.start()
                prog = _programme_near(sent, progs, pos, article)
                if prog is None:
                    continue
                hosts = _hosts_before(sent, c, pos, predicate == "supports")
                if predicate == "hostsProgramme" and ("联合" in ctext or "共同" in ctext):
                    partners = _partners(sent, c, pos)
                    if not hosts and partners:
                        focus = _zone_in_focus(sent, c, article)
                        hosts = [focus] if focus else []
                    hosts += partners
                for h in hosts:
                    out.add(h, predicate, prog, sent.span, "programme-" + predicate, 0.85)
    for k in progs:
        article.programme = ms[k].name
        c = sent.clause_of[k]
        # P在X举行
        for j in range(k + 1, n):
            if sent.clause_of[j] != c:
                break
            if ms[j].type == "Zone" and sent.cb(j).endswith("在") and p.held.match(sent.ca(j)):
                out.add(ms[j].name, "hostsProgramme", ms[k].name, sent.span, "programme-held", 0.85)
    for k, m in enumerate(ms):
        if m.type not in ("Programme", "TalentPolicy"):
            continue
        predicate = "hostsProgramme" if m.type == "Programme" else "adoptsTalentPolicy"
        c = sent.clause_of[k]
        for owner, rule, conf in _runners(sent, k, c, article):
            out.add(owner, predicate, m.name, sent.span, rule, conf)


def _runners(sent: _Sentence, k: int, c: int, article: _Article) -> list[tuple[str, str, float]]:
    """Who runs the programme or policy at mention k: the zones a plural subject (三地) stands
    for, the nearest zone of the clause, the carried subject, else the article's zone."""
    p = _patterns()
    ms = sent.ms
    clause_head = _clean(sent.text[sent.clauses[c][0] : ms[k].start])
    if p.plural.match(clause_head):
        found = [(z, "policy-plural", 0.7) for z in article.zone_group]
        focus = _zone_in_focus(sent, c, article)
        if focus:
            found.append((focus, "policy-plural", 0.7))
        return found
    j = k - 1
    while j >= 0 and sent.clause_of[j] == c:
        t = ms[j].type
        if not sent.marked[j]:
            if t == "Zone":
                return [(ms[j].name, "policy-owner", 0.75)]
            if t == "Place":
                return []
        j -= 1
    carried = sent.carried(c)
    if carried is not None:
        t = ms[carried].type
        if t == "Zone":
            return [(ms[carried].name, "policy-carried", 0.7)]
        if t == "Place":
            return []
    if article.fallback_type in _ZONE_ORG and article.fallback and article.strength >= 2:
        return [(article.fallback, "policy-article", 0.6)]
    return []


def _programme_near(sent: _Sentence, progs: list[int], pos: int, article: _Article) -> str | None:
    if progs:
        best = min(progs, key=lambda k: abs(sent.ms[k].start - pos))
        return sent.ms[best].name
    return article.programme


def _hosts_before(sent: _Sentence, c: int, pos: int, guide: bool) -> list[str]:
    """The zone or organisation group right before a cue at `pos` in clause c (for 指导, an
    organisation right before it: X指导, X对活动给予指导)."""
    ms = sent.ms
    hosts: list[str] = []
    for j in reversed(sent.in_clause(c)):
        if ms[j].end > pos:
            continue
        gap = _clean(sent.text[ms[j].end : pos])
        if guide:
            if ms[j].type == "Organization" and _patterns().guide_gap.fullmatch(gap):
                hosts = [m.name for m in sent.members(j)]
        elif ms[j].type in _ZONE_ORG and len(gap) <= 8:
            hosts = [m.name for m in sent.members(j) if m.type in _ZONE_ORG]
        break
    return hosts


def _partners(sent: _Sentence, c: int, pos: int) -> list[str]:
    """Zones or organisations named after 与/联合/携手 before a cue at `pos` in the sentence."""
    p = _patterns()
    ms = sent.ms
    found: list[str] = []
    for j, m in enumerate(ms):
        if m.start >= pos or sent.clause_of[j] > c:
            break
        if m.type in _ZONE_ORG and j == sent.group_first(j) and p.with_end.search(sent.cb(j)[-4:]):
            found += [x.name for x in sent.members(j)]
    return found


def _supports(sent: _Sentence, article: _Article, out: _Collector) -> None:
    """X支持/扶持 Y: Y an enterprise, programme or zone named right after the cue."""
    p = _patterns()
    ms = sent.ms
    n = len(ms)
    for cue in p.support.finditer(sent.text, *sent.span):
        pos = cue.start()
        c = bisect_left(sent.clause_starts, pos + 1) - 1
        ks = sent.in_clause(c)
        # the supporter: nearest zone, organisation or document before the cue
        supporter: str | None = None
        undecided = True
        for j in reversed(ks):
            if ms[j].end > pos:
                continue
            t = ms[j].type
            if t in ("Zone", "Organization", "PolicyDocument"):
                supporter, undecided = ms[j].name, False
                break
            if t in ("Place", "Enterprise"):
                undecided = False
                break
        if undecided:
            carried = sent.carried(c) if c > 0 else None
            if carried is not None and ms[carried].type == "Zone":
                supporter = ms[carried].name
            elif carried is None and article.fallback_type in _ZONE_ORG:
                supporter = article.fallback
        if supporter is None:
            continue
        # the supported: first enterprise, programme or zone after the cue, and its list
        first: int | None = None
        for j in ks:
            if ms[j].start < cue.end():
                continue
            if ms[j].start - cue.end() > 30:
                break
            if ms[j].type in ("Industry", "Place"):
                continue
            if ms[j].type in ("Enterprise", "Programme", "Zone"):
                first = j
            break
        if first is None:
            continue
        targets = [ms[first]]
        last_end = ms[first].end
        for j in range(first + 1, n):
            if sent.clause_of[j] != c:
                break
            if ms[j].type == "Industry":
                continue
            if ms[j].type != ms[first].type or sent.text[last_end : ms[j].start][:1] not in (
                "、",
                "和",
                "及",
            ):
                break
            targets.append(ms[j])
            last_end = ms[j].end
        for target in targets:
            out.add(supporter, "supports", target.name, sent.span, "support", 0.8)


def _cooperation(sent: _Sentence, out: _Collector) -> None:
    """A与B共建/合作/签署 ……, A联合B ……; 双方 …… 合作 for the two parties of the sentence."""
    p = _patterns()
    ms = sent.ms
    for k, b in enumerate(ms):
        if b.type not in _ENT_ORG or k != sent.group_first(k):
            continue
        c = sent.clause_of[k]
        if not p.with_end.search(sent.cb(k)[-4:]):
            continue
        if not p.cooperate.match(sent.ca(sent.group_last(k))):
            continue
        a = _nearest(sent, k, _ENT_ORG, skip=frozenset({"Industry", "Person", "Place"}))
        if a is None:
            for i in range(c - 1, -1, -1):
                if sent.clause_entorg[i] is not None:
                    a = sent.clause_entorg[i]
                    break
                if sent.clause_subject[i] is not None:
                    break
        if a is None:
            continue
        for m in sent.members(k):
            out.add(ms[a].name, "cooperatesWith", m.name, sent.span, "cooperate", 0.8)
    for c in range(len(sent.clauses)):
        ctext = sent.clause_text(c)
        if "双方" in ctext and p.cooperate.search(ctext.split("双方", 1)[1]):
            parties = [m for m in ms if m.type in _ENT_ORG and m.start < sent.clauses[c][0]]
            names = list(dict.fromkeys(m.name for m in parties))
            if len(names) == 2:
                out.add(names[0], "cooperatesWith", names[1], sent.span, "cooperate-both", 0.65)
