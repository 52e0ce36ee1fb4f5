"""Demo data: a plausible quarter of media reports, information pieces, drafting tasks and 参阅
issues, ending today (rows written directly: the demo sends nobody a message)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from models.core import Role, Staff
from models.publicity import (
    Bulletin,
    BulletinItem,
    BulletinStatus,
    DraftingTask,
    DraftKind,
    DraftVersion,
    InfoLevel,
    InfoPiece,
    InfoStatus,
    ItemKind,
    MediaOutlet,
    MediaReport,
    MediaStory,
    ReportKind,
    TaskStatus,
    VersionVerdict,
)
from services import clock
from services.publicity import config, files, media, outlets, parse

#: Correspondents of two more departments (no Telegram account in the sandbox: they only
#: appear in rankings).
CORRESPONDENTS = [
    (1101, "周晓梅", "招商局"),
    (1102, "吴建国", "经济发展局"),
]
#: (days ago, outlet, headline, front page, kind, credit)
REPORTS: list[tuple[int, str, str, bool, ReportKind, str]] = [
    (85, "宜兴日报", "绿谷产业园一季度签约项目12个", False, ReportKind.NEWS, "招商局"),
    (80, "无锡日报", "绿谷产业园打造环保产业高地", True, ReportKind.FEATURE, "经济发展局"),
    (79, "新华日报", "绿谷产业园全力打造环保产业高地", False, ReportKind.FEATURE, "经济发展局"),
    (78, "人民日报", "打造环保产业高地 绿谷产业园这样做", False, ReportKind.FEATURE,
     "经济发展局"),
    (70, "宜兴广电", "绿谷园区组织安全生产大检查", False, ReportKind.NEWS, "规划建设局"),
    (64, "江南晚报", "绿源环保科技新品发布会在绿谷园区举行", False, ReportKind.NEWS, "招商局"),
    (58, "中国环境报", "绿谷产业园污水处理厂提标改造完成", False, ReportKind.NEWS, "规划建设局"),
    (55, "宜兴日报", "绿谷产业园污水处理厂提标改造完成 出水水质达准四类", False,
     ReportKind.NEWS, "规划建设局"),
    (49, "扬子晚报", "谷丰新材料二期项目投产", False, ReportKind.NEWS, "招商局"),
    (44, "无锡日报", "绿谷园区获评省级生态工业园区", True, ReportKind.NEWS, "党政办"),
    (43, "新华日报", "绿谷园区获评省级生态工业园区", False, ReportKind.NEWS, "党政办"),
    (37, "宜兴日报", "绿谷园区举办企业服务日活动", False, ReportKind.NEWS, "经济发展局"),
    (30, "经济日报", "环保产业集群如何“绿”动发展——来自绿谷产业园的观察", False,
     ReportKind.SPECIAL, "经济发展局"),
    (24, "宜兴广电", "绿谷园区举行消防应急演练", False, ReportKind.NEWS, "规划建设局"),
    (18, "新华日报", "评论：以“绿”为底色 走高质量发展之路", False, ReportKind.COMMENT, ""),
    (12, "无锡日报", "清泉水务智慧水厂上线运行", False, ReportKind.NEWS, "招商局"),
    (6, "宜兴日报", "绿谷产业园召开年度工作务虚会", False, ReportKind.NEWS, "党政办"),
    (2, "江南晚报", "绿谷园区企业新获发明专利46项", False, ReportKind.NEWS, "经济发展局"),
]
#: (days ago submitted, author id, title, status, level, 批示, return reason)
PIECES: list[tuple[int, int, str, InfoStatus, InfoLevel | None, bool, str]] = [
    (86, 1004, "规划建设局推进园区道路提档升级", InfoStatus.USED, InfoLevel.DISTRICT, False, ""),
    (82, 1101, "招商局一季度新签约项目12个 总投资38亿元", InfoStatus.USED, InfoLevel.CITY,
     True, ""),
    (77, 1102, "经济发展局“链长制”助推环保产业集群发展", InfoStatus.USED, InfoLevel.PROVINCE,
     False, ""),
    (71, 1004, "园区老旧管网改造提前完工", InfoStatus.USED, InfoLevel.CITY, False, ""),
    (66, 1101, "招商局组织驻点招商活动", InfoStatus.RETURNED, None, False,
     "内容与上周报送重复，请补充新进展后再报"),
    (60, 1102, "园区企业研发投入同比增长21%", InfoStatus.USED, InfoLevel.CITY, False, ""),
    (52, 1005, "规划建设局“一企一策”服务重点项目", InfoStatus.USED, InfoLevel.DISTRICT, False, ""),
    (47, 1101, "招商局引进高端环保装备项目3个", InfoStatus.USED, InfoLevel.CITY, False, ""),
    (40, 1102, "园区推进数字化转型三年行动", InfoStatus.USED, InfoLevel.CITY, True, ""),
    (33, 1004, "园区海绵城市建设试点通过验收", InfoStatus.USED, InfoLevel.PROVINCE, False, ""),
    (26, 1101, "招商局举办环保产业推介会", InfoStatus.USED, InfoLevel.DISTRICT, False, ""),
    (19, 1102, "园区规上工业产值突破300亿元", InfoStatus.USED, InfoLevel.CITY, False, ""),
    (11, 1005, "规划建设局部署工地扬尘专项整治", InfoStatus.RETURNED, None, False,
     "数据口径需与统计部门核对"),
    (3, 1004, "园区启动新一轮城市更新", InfoStatus.SUBMITTED, None, False, ""),
    (1, 1101, "招商局走访在谈项目企业15家", InfoStatus.SUBMITTED, None, False, ""),
]
#: (days ago assigned, kind, title, drafter id, deadline in days from assignment, state)
TASKS: list[tuple[int, DraftKind, str, int, int, str]] = [
    (88, DraftKind.SPEECH, "在一季度经济运行分析会上的讲话", 1003, 5, "accepted"),
    (84, DraftKind.REPORT, "园区一季度工作情况报告", 1003, 7, "accepted"),
    (79, DraftKind.REQUEST, "关于申请环保产业发展专项资金的请示", 1004, 4, "accepted"),
    (74, DraftKind.MINUTES, "党工委会议纪要（第5次）", 1003, 2, "accepted"),
    (68, DraftKind.RESEARCH, "关于园区企业研发投入情况的调研报告", 1005, 14, "accepted"),
    (60, DraftKind.PLAN, "园区安全生产专项整治行动方案", 1004, 6, "accepted"),
    (52, DraftKind.SPEECH, "在企业服务日活动上的致辞", 1003, 3, "accepted"),
    (45, DraftKind.MINUTES, "管委会主任办公会议纪要（第9次）", 1003, 2, "accepted"),
    (38, DraftKind.REPORT, "关于园区生态环境保护工作的汇报", 1005, 7, "accepted"),
    (30, DraftKind.REQUEST, "关于调整园区道路命名的请示", 1004, 5, "accepted"),
    (21, DraftKind.SPEECH, "在年度招商推介会上的讲话", 1003, 6, "accepted"),
    (14, DraftKind.MINUTES, "党工委会议纪要（第7次）", 1003, 2, "accepted"),
    (6, DraftKind.REPORT, "园区全年工作总结", 1003, 10, "returned"),
    (3, DraftKind.SPEECH, "在年度总结表彰大会上的讲话", 1004, 5, "review"),
    (1, DraftKind.PLAN, "春节期间安全保障工作方案", 1005, 4, "open"),
]
#: Issues: (days ago, items as (kind, title, source, body)).
ISSUES: list[tuple[int, str, list[tuple[str, str, str]]]] = [
    (75, "本期摘编国家和省关于环保产业的最新政策，供领导参阅。", [
        ("关于加快推动环保装备制造业高质量发展的指导意见", "工业和信息化部",
         "提出到2027年环保装备制造业产值力争达到1.3万亿元。"),
        ("江苏省生态环境保护产业发展三年行动计划", "江苏省人民政府",
         "聚焦水、气、土壤治理装备，培育一批龙头企业。"),
    ]),
    (45, "", [
        ("新污染物治理行动方案解读", "生态环境部", "明确重点管控新污染物清单和治理路径。"),
        ("长三角生态绿色一体化发展示范区产业政策汇编", "示范区执委会", ""),
        ("兄弟园区推进环保产业集聚的做法", "中国环境报", "介绍三家国家级园区的经验。"),
    ]),
    (12, "近期多地出台支持绿色低碳产业的新举措，值得借鉴。", [
        ("关于支持绿色低碳产业发展的若干措施", "江苏省发展改革委", "共20条，含资金、用地等支持。"),
        ("绿色工厂梯度培育管理办法", "工业和信息化部", ""),
    ]),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), config.tz())


async def _people() -> dict[int, Staff]:
    for uid, name, dept in CORRESPONDENTS:
        await Staff.get_or_create(tg_user_id=uid, defaults={
            "name": name, "role": Role.STAFF, "department": dept})
    return {s.tg_user_id: s for s in await Staff.all()}


async def seed_demo() -> None:
    """Seed a quarter of publicity work ending today (idempotent)."""
    await outlets.ensure_defaults()
    if await MediaReport.exists() or await InfoPiece.exists():
        return
    people = await _people()
    office = people.get(1003) or next(iter(people.values()))
    today = clock.now().astimezone(config.tz()).date()
    await _reports(office, today)
    await _pieces(people, office, today)
    await _tasks(people, today)
    await _issues(office, today)


async def _reports(office: Staff, today: date) -> None:
    for ago, outlet_name, headline, front, kind, credit in REPORTS:
        outlet = await MediaOutlet.get(name=outlet_name)
        day = today - timedelta(days=ago)
        key = parse.headline_key(headline)
        near = await media.candidates(key, None, day)
        story_id = near[0][0].story_id if near and near[0][1] >= media.JOIN_AT else None  # type: ignore[attr-defined]
        if story_id is None:
            story = await MediaStory.create(title=headline, first_on=day, level=outlet.level,
                                            front_page=front, created_at=_at(day))
            story_id = story.id
        await MediaReport.create(outlet=outlet, level=outlet.level, published_on=day,
                                 headline=headline, headline_key=key, kind=kind,
                                 front_page=front, page="1" if front else "",
                                 credit_department=credit, story_id=story_id,
                                 added_by=office, created_at=_at(day, 15))
        await media.recount(story_id)


async def _pieces(people: dict[int, Staff], office: Staff, today: date) -> None:
    for ago, author_id, title, status, level, instructed, reason in PIECES:
        author = people[author_id]
        submitted = _at(today - timedelta(days=ago), 9)
        decided = submitted + timedelta(days=1) if status != InfoStatus.SUBMITTED else None
        await InfoPiece.create(
            author=author, department=author.department, title=title,
            text=f"{title}。（正文略）", status=status, level=level, instructed=instructed,
            instruction="请各部门学习借鉴" if instructed else "", return_reason=reason,
            created_at=submitted, submitted_at=submitted, decided_at=decided,
            decided_by=office if decided else None)


def _docx(title: str) -> bytes:
    from io import BytesIO

    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph("（稿件正文略）")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


async def _tasks(people: dict[int, Staff], today: date) -> None:
    leader = people.get(1002) or people[1003]
    for ago, kind, title, drafter_id, days, state in TASKS:
        drafter = people[drafter_id]
        assigned = _at(today - timedelta(days=ago), 9)
        deadline = datetime.combine((assigned + timedelta(days=days)).date(),
                                    time(17, 30), config.tz())
        status = {"accepted": TaskStatus.ACCEPTED, "returned": TaskStatus.RETURNED,
                  "review": TaskStatus.REVIEW, "open": TaskStatus.OPEN}[state]
        done = deadline - timedelta(hours=6) if status == TaskStatus.ACCEPTED else None
        task = await DraftingTask.create(
            kind=kind, title=title, brief="按党工委要求起草，突出重点、数据准确。", length=3000,
            deadline=deadline, drafter=drafter, assigner=leader, status=status,
            created_at=assigned, assigned_at=assigned, done_at=done,
            returns=1 if state in ("returned", "accepted") and ago % 2 == 0 else 0)
        if status == TaskStatus.OPEN:
            continue
        stored = await files.store(drafter, f"{title}.docx", _docx(title))
        verdict = {"accepted": VersionVerdict.ACCEPTED, "returned": VersionVerdict.RETURNED,
                   "review": VersionVerdict.PENDING}[state]
        await DraftVersion.create(
            task=task, number=1, file=stored, uploaded_at=assigned + timedelta(days=1),
            verdict=verdict, comment="请补充全年主要经济指标。" if state == "returned" else "",
            decided_at=done, decided_by=leader if verdict != VersionVerdict.PENDING else None)


async def _issues(office: Staff, today: date) -> None:
    numbers: dict[int, int] = {}
    for ago, note, entries in ISSUES:
        issued = _at(today - timedelta(days=ago), 16)
        year = issued.year
        numbers[year] = numbers.get(year, 0) + 1
        issue = await Bulletin.create(status=BulletinStatus.ISSUED, year=year,
                                      number=numbers[year], editor_note=note,
                                      created_at=issued - timedelta(days=5), issued_at=issued,
                                      issued_by=office)
        rows: list[BulletinItem] = []
        for position, (title, source, body) in enumerate(entries, start=1):
            rows.append(await BulletinItem.create(
                bulletin=issue, position=position, kind=ItemKind.TEXT, title=title,
                source=source, body=body, added_by=office, added_at=issued))
        from services.publicity import bulletin_docx  # python-docx only when seeding

        content = bulletin_docx.render(issue, rows, config.tz())
        stored = await files.store(office, f"参阅{year}年第{numbers[year]}期.docx", content)
        await Bulletin.filter(id=issue.id).update(file_id=stored.id)
    draft = await Bulletin.create(draft_slot=1, created_at=_at(today))
    extra: dict[str, Any] = {"added_by": office, "added_at": _at(today)}
    await BulletinItem.create(bulletin=draft, position=1, kind=ItemKind.TEXT,
                              title="关于促进环保产业数字化转型的实施意见",
                              source="省工业和信息化厅", body="提出推进环保装备智能化改造。",
                              **extra)
