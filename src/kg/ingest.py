"""Ingest: paths, globs, directories, JSON Lines and stdin in; `Article`s out.

A file that cannot be read becomes a `Skipped` record naming the file and the reason; the caller
reports it and goes on with the rest.
"""

from __future__ import annotations

import glob
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path

from kg.errors import InputError
from kg.model import Article
from kg.normalize import strip_pinyin

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

# Encodings tried after UTF-8, in order; charset-normalizer arbitrates between them.
FALLBACK_ENCODINGS = ("gb18030", "big5")
# One article in one file (text, HTML, a day's broadcast) may be this large; JSON Lines files are
# streamed and may be any size, each line up to the same limit.
MAX_ARTICLE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    """An input that was not read: where it is (file, and line for JSON Lines) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    """Something worth telling about an input that was read all the same (an invalid date)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


Item = Article | Skipped | Notice


# ---------------------------------------------------------------- inputs


def expand_inputs(inputs: Iterable[str]) -> Iterator[str | Path]:
    """Files, directories (recursive, known suffixes), globs and '-' (stdin), in a stable order."""
    for raw in inputs:
        if raw == "-":
            yield "-"
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            yield from found
        elif path.exists():
            yield path
        elif glob.has_magic(raw):
            matches = sorted(Path(m) for m in glob.glob(raw, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise InputError(f"{raw}: the pattern matches no file; check the glob")
            yield from files
        else:
            raise InputError(f"{raw}: no such file or directory; check the path")


def read_inputs(inputs: Iterable[str], *, encoding: str | None = None) -> Iterator[Item]:
    """Every article of every input, or a `Skipped` for what could not be read."""
    for source in expand_inputs(inputs):
        if source == "-":
            yield from read_bytes(sys.stdin.buffer.read(), "<stdin>", encoding=encoding)
            continue
        assert isinstance(source, Path)
        yield from read_file(source, encoding=encoding)


def read_file(path: Path, *, encoding: str | None = None) -> Iterator[Item]:
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as handle:
                yield from read_jsonl_lines(handle, name, encoding=encoding)
            return
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            yield Skipped(
                name,
                f"{size / 2**20:.0f} MiB is larger than the {MAX_ARTICLE_BYTES // 2**20} MiB "
                "one article may be; split it into articles (one a line in JSON Lines)",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skipped(name, f"cannot be read ({exc.strerror or exc}); check its permissions")
        return
    yield from read_bytes(data, name, encoding=encoding, suffix=suffix)


def read_bytes(
    data: bytes, name: str, *, encoding: str | None = None, suffix: str | None = None
) -> Iterator[Item]:
    """Articles of one file's bytes; the suffix (or a sniff of the content) picks the format."""
    cut = incomplete_utf8_tail(data) if encoding is None else 0
    if cut:
        data = data[:-cut]
        yield Notice(
            name,
            f"ends in the middle of a UTF-8 character (cut off?); the last {cut} byte(s) were "
            "left out, check that the file is complete",
        )
    try:
        text = decode(data, name, encoding=encoding)
    except InputError as exc:
        yield Skipped(name, str(exc).removeprefix(f"{name}: "))
        return
    kind = _kind(suffix, text)
    if kind == "jsonl":
        yield from parse_jsonl(text, name)
        return
    text = _CONTROL.sub("", text)
    try:
        if kind == "html":
            yield parse_html(text, name)
        elif kind == "broadcast":
            yield from parse_broadcast(text, name)
        else:
            article = parse_text_page(text, name)
            raw_date = _header_date(text)
            if raw_date and article.date is None:
                yield Notice(name, f"date {raw_date!r} is not a valid date; built without a date")
            yield article
    except InputError as exc:
        yield Skipped(name, str(exc).removeprefix(f"{name}: "))


def _kind(suffix: str | None, text: str) -> str:
    head = text.lstrip()[:512].lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in HTML_SUFFIXES or head.startswith(("<!doctype html", "<html")):
        return "html"
    if _BROADCAST_HEADER.match(text.lstrip()):
        return "broadcast"
    if suffix is None and head.startswith("{"):
        return "jsonl"
    return "text"


# ---------------------------------------------------------------- encodings


def decode(data: bytes, name: str, *, encoding: str | None = None) -> str:
    """Text of a file: UTF-8 (BOM or not), else GB18030/GBK or Big5, or the encoding given."""
    if _looks_binary(data):
        raise InputError(f"{name}: a binary file (NUL bytes), not an article; leave it out")
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                f"{name}: cannot be decoded as {encoding} ({exc}); pass another --encoding"
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    candidates: list[tuple[int, str, str]] = []
    for enc in FALLBACK_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_implausibility(text), enc, text))
    if not candidates:
        line = data.count(b"\n", 0, first_bad) + 1
        # Lines before the bad one that read as UTF-8 mean the file mixes encodings.
        mixed = "; the lines before it are UTF-8: mixed encodings?" if line > 1 else ""
        raise InputError(
            f"{name}: not UTF-8, GB18030 or Big5 (first bad byte at {first_bad}, line "
            f"{line}{mixed}); save it as UTF-8 or pass --encoding"
        )
    if len(candidates) > 1:
        best = _charset_normalizer_choice(data)
        for _, enc, text in candidates:
            if enc == best:
                return text
    return min(candidates)[2]


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, more than a stray one in UTF-8 text (which the control filter drops)."""
    sample = data[:8192]
    nuls = sample.count(b"\x00")
    if not nuls or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r")
    if nuls > max(4, len(sample) // 100) or controls * 10 > len(sample):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def incomplete_utf8_tail(data: bytes) -> int:
    """How many bytes at the end start a UTF-8 character that the file cuts off (0 if none).

    Only for data that is UTF-8 up to there: a file cut at a byte limit, say."""
    try:
        data.decode("utf-8")
        return 0
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.end != len(data):
            return 0
        start = exc.start
    try:
        data[:start].decode("utf-8")
    except UnicodeDecodeError:
        return 0
    return len(data) - start


def _charset_normalizer_choice(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=list(FALLBACK_ENCODINGS)).best()
    if match is None:
        return None
    enc = match.encoding.lower().replace("-", "").replace("_", "")
    if enc in {"gb18030", "gbk", "gb2312"}:
        return "gb18030"
    if enc in {"big5", "big5hkscs", "cp950"}:
        return "big5"
    return None


def _implausibility(text: str) -> int:
    """How many characters look like mojibake: private use, rare CJK blocks, control characters."""
    return sum(1 for ch in text if _looks_garbled(ch))


def _looks_garbled(ch: str) -> bool:
    code = ord(ch)
    rare = 0xE000 <= code <= 0xF8FF or 0x3400 <= code <= 0x4DBF or code >= 0x20000
    return rare or (code < 0x20 and ch not in "\n\r\t")


# ---------------------------------------------------------------- formats

_MENU_LINE = re.compile(r"^\s*[-*•·]\s+\S.{0,30}$")
_HEADER_SOURCE = re.compile(
    r"(?:來源|来源)\s*[:：]\s*(?P<source>.*?)(?=\s+(?:日期|點擊|点击)\s*[:：]|$)"
)
_HEADER_DATE = re.compile(
    r"(?:日期|時間|时间|發布時間|发布时间)\s*[:：]\s*(?P<date>[^\s]+(?:\s*\d{1,2}:\d{2})?)"
)
_URL = re.compile(r"https?://\S+")


def _header_date(text: str) -> str | None:
    """The date as a text page's header writes it, valid or not."""
    for line in text.split("\n", 40)[:40]:
        found = _HEADER_DATE.search(strip_pinyin(line))
        if found and len(line) <= 200:
            return found.group("date")
    return None


def parse_text_page(text: str, name: str) -> Article:
    """A text page like the seed: optional site menu, a title line, a 来源/日期 header, the body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines) and (not lines[i].strip() or _MENU_LINE.match(lines[i])):
        i += 1
    if i >= len(lines):
        raise InputError(f"{name}: empty, no article text; leave it out")
    title = strip_pinyin(lines[i].strip().lstrip("#").strip())
    i += 1
    source = date = url = None
    # header lines (来源 / 日期), in any order, directly under the title
    while i < len(lines):
        line = strip_pinyin(lines[i].strip())
        if not line:
            i += 1
            continue
        src = _HEADER_SOURCE.search(line)
        dat = _HEADER_DATE.search(line)
        if not (src or dat) or len(line) > 200:
            break
        if src:
            value = src.group("source").strip()
            found_url = _URL.search(value)
            if found_url:
                url = found_url.group(0)
                value = (value[: found_url.start()] + value[found_url.end() :]).strip()
            source = value or None
        if dat:
            date = parse_date(dat.group("date"))
        i += 1
    body = "\n".join(line.rstrip() for line in lines[i:]).strip()
    if not body:
        body, title = title, ""
    return make_article(title=title, text=body, date=date, source=source, url=url, file=name)


_BROADCAST_HEADER = re.compile(r"#\s*《新闻联播》\s*[（(](\d{8})[）)]")
_STORY = re.compile(r"^###\s+(.+)$", re.M)
_LINK = re.compile(r"\[查看原文\]\((https?://[^)\s]+)\)")
_TAG = re.compile(r"<[^>]+>")


def parse_broadcast(text: str, name: str) -> Iterator[Article]:
    """A day's CCTV 新闻联播 transcript in Markdown: one article per `###` story."""
    header = _BROADCAST_HEADER.match(text.lstrip())
    assert header is not None
    day = parse_date(header.group(1))
    stories = list(_STORY.finditer(text))
    for n, story in enumerate(stories):
        end = stories[n + 1].start() if n + 1 < len(stories) else len(text)
        block = text[story.end() : end]
        link = _LINK.search(block)
        block = _LINK.sub("", block)
        paragraphs = [
            _TAG.sub("", p).strip() for p in re.split(r"</p>|\n", block) if _TAG.sub("", p).strip()
        ]
        if not paragraphs:
            continue
        yield make_article(
            title=story.group(1).strip(),
            text="\n".join(paragraphs),
            date=day,
            source="央视新闻联播",
            url=link.group(1) if link else None,
            file=f"{name}#{n + 1}",
        )


_HTML_DATE_META = re.compile(
    r"<meta[^>]+(?:name|property)=[\"'](?:publishdate|pubdate|article:published_time|"
    r"date|dc\.date|publish_time)[\"'][^>]*content=[\"']([^\"']+)[\"']",
    re.I,
)


def parse_html(text: str, name: str) -> Article:
    """An HTML page: main text, title and date through trafilatura."""
    import trafilatura

    document = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": True, "original_date": True},
    )
    body = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not body:
        raise InputError(f"{name}: an HTML page with no main text; check that it is an article")
    title = (getattr(document, "title", None) or "").strip()
    title = re.split(r"\s*[_|｜]\s*", title)[0] if title else ""
    meta = _HTML_DATE_META.search(text)
    date = parse_date(meta.group(1)) if meta else parse_date(getattr(document, "date", None))
    source = getattr(document, "sitename", None)
    url = getattr(document, "url", None)
    url = url if url and web_address(url) else None
    lines = body.split("\n")
    if title and lines and lines[0].strip() == title:
        body = "\n".join(lines[1:]).strip()
    return make_article(title=title, text=body, date=date, source=source, url=url, file=name)


# C0 control characters other than tab and newlines carry no text and break some RDF formats;
# lone surrogates (which only JSON's \ud800 escapes can make) cannot even be encoded as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean_strings(obj: dict[str, object]) -> dict[str, object]:
    return {k: _CONTROL.sub("", v) if isinstance(v, str) else v for k, v in obj.items()}


def read_jsonl_lines(
    handle: Iterable[bytes], name: str, *, encoding: str | None = None, first_line: int = 1
) -> Iterator[Item]:
    """JSON Lines streamed from a binary file, one line at a time: memory stays flat.

    `first_line` is the number of the first line given (in messages naming a line)."""
    for lineno, raw in enumerate(handle, start=first_line):
        where = f"{name}:{lineno}"
        if len(raw) > MAX_ARTICLE_BYTES:
            yield Skipped(
                where,
                f"a line of {len(raw) / 2**20:.0f} MiB is larger than the "
                f"{MAX_ARTICLE_BYTES // 2**20} MiB one article may be; split the article",
            )
            continue
        try:
            line = raw.decode(encoding or "utf-8")
        except (UnicodeDecodeError, LookupError):
            yield Skipped(
                where,
                f"not {encoding or 'UTF-8'} (JSON Lines are UTF-8); re-encode the file "
                "or pass --encoding",
            )
            continue
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        yield from parse_jsonl_line(line, where)


def parse_jsonl(text: str, name: str) -> Iterator[Item]:
    """One article an object: id, title, date, url, source, text or html. Bad lines are skipped."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        yield from parse_jsonl_line(line, f"{name}:{lineno}")


def parse_jsonl_line(line: str, where: str) -> Iterator[Item]:
    """The article of one JSON Lines line, or why it was skipped."""
    name = where.rsplit(":", 1)[0]
    if not line.strip():
        return
    try:
        obj = json.loads(line, object_hook=_clean_strings)
    except json.JSONDecodeError as exc:
        yield Skipped(where, f"not valid JSON ({exc.msg} at column {exc.colno}); fix the line")
        return
    if not isinstance(obj, dict):
        yield Skipped(where, "not a JSON object; write one article object a line")
        return
    body = obj.get("text")
    if not isinstance(body, str) or not body.strip():
        html = obj.get("html")
        if isinstance(html, str) and html.strip():
            try:
                page = parse_html(html, where)
            except InputError as exc:
                yield Skipped(where, str(exc).removeprefix(f"{where}: "))
                return
            body = page.text
            obj.setdefault("title", page.title)
            obj.setdefault("date", page.date)
        else:
            yield Skipped(where, "has no 'text' or 'html' field; add the article's text")
            return
    given = obj.get("id")
    if given is not None and not isinstance(given, str | int):
        yield Skipped(where, "its 'id' is not a string or number; give a plain id")
        return
    date = parse_date(obj.get("date"))
    if obj.get("date") and date is None:
        yield Notice(where, f"date {obj['date']!r} is not a valid date; built without a date")
    url = _str_or_none(obj.get("url"))
    if url and not web_address(url):
        yield Notice(where, f"url {url[:80]!r} is not an http(s) address; built without it")
        url = None
    yield make_article(
        title=_CONTROL.sub("", str(obj.get("title") or "")).strip(),
        text=_CONTROL.sub("", body).strip(),
        date=date,
        source=_str_or_none(obj.get("source")),
        url=url,
        file=name,
        # Stripped: the article's IRI strips its id, so " a" and "a" must be one id, not two
        # articles written into one graph.
        article_id=_CONTROL.sub("", str(given)).strip() or None if given is not None else None,
    )


def web_address(url: str) -> bool:
    """True for an http(s) URL: an article's address is shown as a link (in kg viz pages, in
    the SPARQL editor), where javascript: or data: would run."""
    return re.match(r"https?://[^\s<>\"{}|\\^`]+$", url, re.I) is not None


def _str_or_none(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


# ---------------------------------------------------------------- dates and ids

_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


# Official documents date themselves in Chinese numerals: 二〇二三年一月十八日.
_CN_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_CN_DATE = re.compile(
    r"(?P<y>[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)


def _cn_number(text: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十 -> 20, 三十一 -> 31; -1 for what is not one of these."""
    tens, ten, ones = text.partition("十")
    if not ten:
        return _CN_DIGITS[text] if len(text) == 1 else -1
    if len(tens) > 1 or len(ones) > 1:
        return -1
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def parse_date(value: object) -> str | None:
    """ISO date (YYYY-MM-DD) of 2023-01-18, 2023年1月18日, 2023/1/18, 20230118 or
    二〇二三年一月十八日; None if invalid."""
    if value is None:
        return None
    text = str(value).strip()
    chinese = _CN_DATE.search(text)
    if chinese:
        year = int("".join(str(_CN_DIGITS[c]) for c in chinese["y"]))
        try:
            return _date(year, _cn_number(chinese["m"]), _cn_number(chinese["d"])).isoformat()
        except ValueError:
            return None
    for form in _DATE_FORMS:
        found = form.search(text)
        if found:
            try:
                return _date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
            except ValueError:
                return None
    return None


def content_id(title: str, text: str) -> str:
    """A stable id from the content: the same article read twice gets the same id."""
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return f"a{digest[:15]}"


def make_article(
    *,
    title: str,
    text: str,
    date: str | None,
    source: str | None,
    url: str | None,
    file: str | None,
    article_id: str | None = None,
) -> Article:
    return Article(
        id=article_id or content_id(title, text),
        title=title,
        text=text,
        date=date,
        source=source,
        url=url,
        file=file,
        id_given=article_id is not None,
    )
