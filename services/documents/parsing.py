"""Reading documents and what clerks and leaders type: files, 文号, titles, deadlines, names."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from services import workdays
from services.errors import InvalidInput
from services.inputs import normalize, to_int

log = logging.getLogger(__name__)

#: Pages read from a PDF: the head of a document carries its fields.
PDF_PAGES = 6
#: Characters of text kept for reading fields (the rest of a long document adds nothing).
TEXT_LIMIT = 20000
NONE_WORDS = frozenset({"无", "没有", "暂无", "不需要", "不限", "无期限", "否", "none", "no", "-",
                        "—", "/"})
#: Full-width digits, letters and the ideographic space folded (Chinese punctuation is kept).
_FULLWIDTH = {i: i - 0xFEE0 for i in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                     *range(0xFF41, 0xFF5B))} | {0x3000: 0x20}
#: Every full-width character folded (for searching only).
_FOLD_ALL = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
#: Kinds of official documents (文种) a title ends with.
KINDS = ("通知", "通报", "意见", "决定", "报告", "请示", "批复", "函", "纪要", "办法", "方案",
         "规定", "公告", "通告", "决议", "命令", "议案", "细则", "要点", "计划", "安排", "复函")
#: Endings of an authority's name (a sender, a department).
_ORG_END = ("局", "委", "办", "厅", "部", "委员会", "政府", "办公室", "中心", "公司", "院",
            "所", "处", "署", "集团", "党委", "党工委", "管委会", "总队", "支队", "大队", "站",
            "会", "室")
_BRACKETS = str.maketrans({"[": "〔", "［": "〔", "【": "〔", "(": "〔", "（": "〔", "〖": "〔",
                           "]": "〕", "］": "〕", "】": "〕", ")": "〕", "）": "〕", "〗": "〕"})
REF_RE = re.compile(
    r"([\u4e00-\u9fa5A-Za-z]{1,12}?)\s*[〔\[［【(（〖]\s*((?:19|20)\d{2})\s*[〕\]］】)）〗]"
    r"\s*第?\s*(\d{1,5})\s*号")
_TITLE_END = "|".join(sorted(KINDS, key=len, reverse=True))
TITLE_RE = re.compile(rf"(关于[^。；;\n]{{2,120}}?(?:的)?(?:{_TITLE_END}))")
#: Secrecy marks: 绝密★, 机密★1年, 秘密, 密级：机密; and 涉密 said outright.
SECRET_WORDS = ("绝密", "机密", "秘密")
_MARK_RE = re.compile(r"(绝密|机密|秘密)\s*[★☆*＊]|密\s*级\s*[:：]?\s*(绝密|机密|秘密|涉密)")
_STANDALONE_RE = re.compile(r"^\s*[（(【\[]?(绝密|机密|秘密|涉密)[）)】\]]?\s*(?:[★☆*＊].*)?$",
                            re.M)
#: Phrases that speak of secrets without marking the document (保守国家秘密 ...).
_SECRET_TALK = ("国家秘密", "商业秘密", "工作秘密", "保守秘密", "个人隐私")
_DATE_RE = re.compile(
    r"(?:((?:19|20)\d{2})\s*[年\-/.]\s*)?(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*[日号]?")
_VERBS_SUBMIT = ("报送", "上报", "报至", "报告", "提交", "反馈", "报", "送", "交")
_VERBS_DONE = ("完成", "办结", "落实", "整改", "办理")
_DEADLINE_RE = re.compile(
    r"(?:于|在)?\s*((?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号])\s*"
    r"(?:\d{1,2}\s*[:：时点]\s*\d{0,2}\s*分?)?\s*(?:下班)?\s*(前|之前|以前|止)"
    r"([^。；;\n]{0,24})")
_WITHIN_RE = re.compile(
    r"([0-9一二两三四五六七八九十]{1,3})\s*个?\s*(工作日|日|天)\s*(?:内|之内|以内)"
    r"([^。；;\n]{0,24})")
_NUM_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}
#: File kinds the register accepts: text read from pdf and docx, the others attached as they are.
READABLE = ("pdf", "docx")
ATTACH_ONLY = ("doc", "wps", "ofd", "image")
_EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".ofd": "ofd",
               ".jpg": "image", ".jpeg": "image", ".png": "image", ".tif": "image",
               ".tiff": "image", ".bmp": "image", ".heic": "image", ".webp": "image"}


def normalise(text: str) -> str:
    """Fold full-width letters, digits and spaces, and trim."""
    return (text or "").translate(_FULLWIDTH).strip()


def is_none(text: str) -> bool:
    return normalise(text).lower().rstrip("。.") in NONE_WORDS


def normalise_ref(text: str) -> str:
    """A 文号 in one spelling: brackets 〔〕, no spaces, no 第 before the number."""
    found = REF_RE.search(normalise(text))
    if found:
        return f"{found.group(1)}〔{found.group(2)}〕{int(found.group(3))}号"
    return re.sub(r"\s+", "", normalise(text)).translate(_BRACKETS)


def search_form(*parts: str) -> str:
    """Text folded for searching: lower case, full-width folded, brackets in one shape."""
    joined = " ".join(p.translate(_FOLD_ALL).strip() for p in parts if p)
    return joined.lower().translate(_BRACKETS)


# ------------------------------------------------------------------ files


def file_kind(file_name: str, mime: str | None = None) -> str | None:
    """What kind of document file this is (pdf, docx, doc, wps, ofd, image), None for others."""
    name = (file_name or "").lower()
    for ext, kind in _EXTENSIONS.items():
        if name.endswith(ext):
            return kind
    mime = (mime or "").lower()
    if mime == "application/pdf":
        return "pdf"
    if "wordprocessingml" in mime:
        return "docx"
    if mime.startswith("image/"):
        return "image"
    return None


def extract_text(kind: str, content: bytes) -> str:
    """The text of a PDF or DOCX (empty for a scan); a damaged file is refused."""
    try:
        if kind == "pdf":
            return normalize(_pdf_text(content))[:TEXT_LIMIT]
        if kind == "docx":
            return normalize(_docx_text(content))[:TEXT_LIMIT]
    except InvalidInput:
        raise
    except Exception as exc:  # the libraries raise many kinds of errors on a damaged file
        log.info("could not read a %s file: %s", kind, exc)
        raise InvalidInput("documents.error.unreadable", kind=kind.upper()) from None
    return ""


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:
            raise InvalidInput("documents.error.encrypted") from None
    pages = []
    for page in reader.pages[:PDF_PAGES]:
        pages.append(page.extract_text() or "")
    return "\n".join(pages)


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    for section in document.sections:
        lines = [p.text for p in section.header.paragraphs] + lines
    return "\n".join(lines)


# ------------------------------------------------------------------ secrecy


def secrecy_word(text: str) -> str | None:
    """The secrecy level a text is marked with, or 涉密 when it says so; None when unmarked.

    A mark is 机密★1年, 密级：秘密, a line of its own with the word, or the word in the head of
    the document; talk of 国家秘密 in the body (a confidentiality notice) is no mark.
    """
    text = normalise(text)
    if not text:
        return None
    found = _MARK_RE.search(text)
    if found:
        return found.group(1) or found.group(2)
    found = _STANDALONE_RE.search(text)
    if found:
        return found.group(1)
    head = text[:160]
    for talk in _SECRET_TALK:
        head = head.replace(talk, "")
    for word in SECRET_WORDS:
        if word in head:
            return word
    return None


# ------------------------------------------------------------------ fields of a document


@dataclass
class Fields:
    """What was read of a document: each may be empty when not found."""

    sender: str = ""
    ref_no: str = ""
    title: str = ""
    due_on: date | None = None
    due_kind: str = ""
    due_workdays: bool = False
    urgency: str = ""
    attachments: str = ""
    #: Where the deadline came from, as written (for the clerk to check).
    due_text: str = ""
    rest: str = field(default="", repr=False)


def _lines(text: str) -> list[str]:
    return [re.sub(r"\s+", "", normalise(line)) for line in text.splitlines()
            if line.strip()]


def _is_org(line: str) -> bool:
    return 2 <= len(line) <= 40 and line.endswith(_ORG_END) and not line.startswith("关于")


def read_fields(text: str, received: date) -> Fields:
    """Find 文号, title, sender, deadline, urgency and attachments in a document's text."""
    lines = _lines(text)
    flat = "\n".join(lines)
    found = Fields()
    ref = REF_RE.search(flat)
    if ref:
        found.ref_no = normalise_ref(ref.group(0))
    found.title = _title(lines)
    found.sender = _sender(lines, ref.group(0) if ref else "")
    head = flat[:200]
    found.urgency = "特急" if "特急" in head else "加急" if "加急" in head else ""
    attached = re.search(r"附件\s*[:：]\s*([^\n]{1,120})", flat)
    if attached:
        found.attachments = attached.group(1)[:100]
    due = find_deadline(flat, received)
    if due is not None:
        found.due_on, found.due_kind, found.due_workdays, found.due_text = due
    return found


def _title(lines: list[str]) -> str:
    """The title: a line from 关于 to the document's kind (it may run over two lines)."""
    for i, line in enumerate(lines[:40]):
        if "关于" not in line:
            continue
        joined = "".join(lines[i:i + 3])
        match = TITLE_RE.search(joined[joined.index("关于"):])
        if match:
            return match.group(1)[:300]
    for line in lines[:15]:
        if line.endswith(KINDS) and 6 <= len(line) <= 80 and not REF_RE.search(line):
            return line
    return ""


def _sender(lines: list[str], ref: str) -> str:
    """The sender: the masthead (…文件), the signature over the date, or a line by the 文号."""
    for line in lines[:6]:
        if line.endswith("文件") and len(line) > 4:
            name = line[:-2]
            return name[:128]
    for i, line in enumerate(lines):
        if i > 0 and re.fullmatch(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日", line):
            before = lines[i - 1]
            if _is_org(before):
                return before[:128]
    for line in lines[:8]:
        if ref and ref.replace(" ", "") in line:
            continue
        if _is_org(line):
            return line[:128]
    return ""


def _number(word: str) -> int:
    if to_int(word) is not None:
        return int(word)
    if word == "十":
        return 10
    if word.startswith("十"):
        return 10 + _NUM_CN.get(word[1:], 0)
    if "十" in word:
        tens, _, ones = word.partition("十")
        return _NUM_CN.get(tens, 1) * 10 + (_NUM_CN.get(ones, 0) if ones else 0)
    return _NUM_CN.get(word, 0)


def _kind_of(after: str) -> str:
    if any(v in after for v in _VERBS_DONE):
        return "complete"
    return "submit"


def find_deadline(text: str, received: date) -> tuple[date, str, bool, str] | None:
    """The first deadline in a notice: (date, submit/complete, counts workdays, as written)."""
    text = normalise(text)
    best: tuple[int, tuple[date, str, bool, str]] | None = None
    for match in _DEADLINE_RE.finditer(text):
        day = _date_of(match.group(1), received)
        if day is None:
            continue
        after = match.group(3)
        if not any(v in after for v in (*_VERBS_SUBMIT, *_VERBS_DONE)):
            continue
        best = (match.start(), (day, _kind_of(after), False, match.group(0).strip()[:40]))
        break
    for match in _WITHIN_RE.finditer(text):
        if best is not None and best[0] < match.start():
            break
        n = _number(match.group(1))
        after = match.group(3)
        if not 0 < n <= 365 or not any(v in after for v in (*_VERBS_SUBMIT, *_VERBS_DONE)):
            continue
        in_workdays = match.group(2) == "工作日"
        day = add_days(received, n, in_workdays)
        best = (match.start(), (day, _kind_of(after), in_workdays, match.group(0).strip()[:40]))
        break
    return best[1] if best else None


def add_days(start: date, n: int, in_workdays: bool) -> date:
    """The day n days (or n workdays) after start."""
    if not in_workdays:
        return start + timedelta(days=n)
    day = start
    for _ in range(n):
        day = workdays.next_workday(day)
    return day


def _date_of(text: str, reference: date) -> date | None:
    """A written date; without a year, the one nearest after the reference (within a year)."""
    match = _DATE_RE.search(normalise(text))
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if year:
            return date(int(year), int(month), int(day))
        found = date(reference.year, int(month), int(day))
    except ValueError:
        return None
    if found < reference - timedelta(days=180):
        try:
            found = date(reference.year + 1, int(month), int(day))
        except ValueError:
            return None
    return found


# ------------------------------------------------------------------ typed answers


def parse_due(text: str, today: date) -> tuple[date | None, bool]:
    """A typed deadline: 12月20日, 2026-12-20, 5个工作日, 10天; 无 for none.

    Returns (date or None, counts workdays); a past date or an unreadable one is refused.
    """
    text = normalise(text)
    if is_none(text):
        return None, False
    within = re.fullmatch(r"([0-9一二两三四五六七八九十]{1,3})\s*个?\s*(工作日|日|天)"
                          r"\s*(?:内|之内|以内)?\s*(?:前)?", text)
    if within:
        n = _number(within.group(1))
        if not 0 < n <= 365:
            raise InvalidInput("documents.error.due_range")
        in_workdays = within.group(2) == "工作日"
        return add_days(today, n, in_workdays), in_workdays
    match = _DATE_RE.search(text)
    rest = _DATE_RE.sub("", text, count=1).strip() if match else text
    if not match or rest not in ("", "前", "之前", "以前", "止", "截止", "下班前"):
        raise InvalidInput("documents.error.due_format", value=text[:30])
    year, month, day = match.groups()
    try:
        if year:
            found = date(int(year), int(month), int(day))
        else:
            found = date(today.year, int(month), int(day))
            if found < today - timedelta(days=180):
                found = date(today.year + 1, int(month), int(day))
    except ValueError:
        raise InvalidInput("documents.error.due_format", value=text[:30]) from None
    if found < today:
        raise InvalidInput("documents.error.due_past", day=found.isoformat(),
                           today=today.isoformat())
    if found > today + timedelta(days=3 * 366):
        raise InvalidInput("documents.error.due_range")
    return found, False


def parse_past_day(text: str, today: date) -> date:
    """A day that has been (a receipt date): 11月20日, 2026-11-20; a future one is refused."""
    match = _DATE_RE.fullmatch(normalise(text).rstrip("日号"))
    if not match:
        match = _DATE_RE.fullmatch(normalise(text))
    if not match:
        raise InvalidInput("documents.error.day_format", value=normalise(text)[:30])
    year, month, day = match.groups()
    try:
        found = date(int(year) if year else today.year, int(month), int(day))
    except ValueError:
        raise InvalidInput("documents.error.day_format", value=normalise(text)[:30]) from None
    if not year and found > today:
        found = found.replace(year=today.year - 1)
    if found > today:
        raise InvalidInput("documents.error.received_future")
    return found


def split_words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,，、;；]+", normalise(text)) if w]


@dataclass(frozen=True)
class Handling:
    """Handling proposed from an instruction or typed: departments (lead first), people, date."""

    departments: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    due_on: date | None = None
    due_workdays: bool = False
    #: Words that look like a department but are none the bot knows.
    unknown: tuple[str, ...] = ()


_DEPT_WORD = re.compile(r"[\u4e00-\u9fa5]{2,16}?(?:局|委|办|中心|公司|部|处|科|所|院|站|队)")


def propose_handling(text: str, departments: list[str], people: list[str], today: date,
                     *, strict: bool = False) -> Handling:
    """Find known departments and people and a deadline in a text (an instruction, a reply).

    The department followed by 牵头 leads; otherwise the first named. With `strict`, words that
    look like departments but are unknown are returned in `unknown` (typed assignments).
    """
    text = normalise(text)
    named: list[tuple[int, str]] = []
    for dept in sorted(set(departments), key=len, reverse=True):
        for alias in _aliases(dept):
            pos = _handling_mention(text, alias)
            if pos >= 0 and not any(p <= pos < p + len(d) for p, d in named):
                named.append((pos, dept))
                break
    named.sort()
    ordered = [d for _, d in named]
    lead = re.search(r"([\u4e00-\u9fa5]{2,16})(?:牵头|负责|主办|主责)", text)
    if lead:
        for dept in ordered:
            if any(alias in lead.group(1) for alias in _aliases(dept)):
                ordered.remove(dept)
                ordered.insert(0, dept)
                break
    who = [p for p in people if len(p) >= 2 and p in text]
    due: tuple[date, bool] | None = None
    found = find_deadline(text, today)
    if found is not None:
        due = (found[0], found[2])
    else:
        plain = _bare_deadline(text, today)
        if plain is not None:
            due = (plain, False)
    unknown: tuple[str, ...] = ()
    if strict:
        rest = text
        for dept in ordered:
            for alias in _aliases(dept):
                rest = rest.replace(alias, " ")
        for name in who:
            rest = rest.replace(name, " ")
        rest = _DATE_RE.sub(" ", rest)
        unknown = tuple(dict.fromkeys(m.group(0) for m in _DEPT_WORD.finditer(rest)))
    return Handling(tuple(ordered), tuple(who), due[0] if due else None,
                    due[1] if due else False, unknown)


#: Words before a department that make it a recipient of a report, not a handler (报党政办).
_RECIPIENT_BEFORE = ("报", "报送", "送", "抄送", "抄报", "反馈", "反馈给", "告知", "向", "交给")


def _handling_mention(text: str, alias: str) -> int:
    """Where the text names the department as a handler (-1: never, or only as a recipient)."""
    start = text.find(alias)
    while start >= 0:
        if not text[:start].rstrip().endswith(_RECIPIENT_BEFORE):
            return start
        start = text.find(alias, start + 1)
    return -1


def _aliases(dept: str) -> list[str]:
    """A department's name, and without the park's prefix (园区规划建设局 -> 规划建设局)."""
    names = [dept]
    for prefix in ("园区", "管委会"):
        if dept.startswith(prefix) and len(dept) - len(prefix) >= 2:
            names.append(dept[len(prefix):])
    return names


def _bare_deadline(text: str, today: date) -> date | None:
    """A date with 前 in an instruction (12月20日前, 月底前, 本周内)."""
    match = re.search(r"((?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号])\s*"
                      r"(?:前|之前|以前|止)?", text)
    if match:
        return _date_of(match.group(1), today)
    if "月底前" in text or "本月底" in text:
        return (today.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if "本周内" in text or "本周五前" in text:
        return today + timedelta(days=max(0, 4 - today.weekday()))
    return None


# ------------------------------------------------------------------ one line


def read_line(text: str, today: date) -> Fields:
    """Read a one-line registration: sender, 文号, title and a deadline in any order.

    e.g. 市生态环境局 宜环发〔2026〕35号 关于开展冬季大气污染防治专项检查的通知 12月20日前报送
    """
    text = normalise(text)
    found = Fields()
    ref = REF_RE.search(text)
    rest = text
    if ref:
        found.ref_no = normalise_ref(ref.group(0))
        rest = rest.replace(ref.group(0), " ")
    due = find_deadline(rest, today)
    if due is None:
        bare = re.search(r"((?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号])\s*"
                         r"(前|之前|以前|止)\s*(\S{0,8})", rest)
        if bare:
            day = _date_of(bare.group(1), today)
            if day is not None:
                due = (day, _kind_of(bare.group(3)), False, bare.group(0))
    if due is not None:
        found.due_on, found.due_kind, found.due_workdays, found.due_text = due
        rest = rest.replace(due[3], " ")
    title = TITLE_RE.search(rest.replace(" ", ""))
    words = rest.split()
    if title:
        found.title = title.group(1)
        squeezed = rest.replace(" ", "")
        before = squeezed[:squeezed.index(title.group(1))]
        found.sender = before[:128]
        if not found.sender:
            after = squeezed[squeezed.index(title.group(1)) + len(title.group(1)):]
            found.sender = after[:128] if _is_org(after) else ""
    elif words:
        if _is_org(words[0]) and len(words) > 1:
            found.sender, found.title = words[0][:128], "".join(words[1:])[:300]
        else:
            found.title = "".join(words)[:300]
    return found


def merge(first: Fields, second: Fields) -> Fields:
    """Fields of `first`, filled in from `second` where empty (a caption over the file's text)."""
    values = {}
    for name in ("sender", "ref_no", "title", "urgency", "attachments"):
        values[name] = getattr(first, name) or getattr(second, name)
    if first.due_on is None and second.due_on is not None:
        values.update(due_on=second.due_on, due_kind=second.due_kind,
                      due_workdays=second.due_workdays, due_text=second.due_text)
    return replace(first, **values)
