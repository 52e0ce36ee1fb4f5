"""Demo data of the opinion duty officer: the park's watch terms, two feeds, a few items."""

from __future__ import annotations

from models.opinion import OpinionSource, SourceKind, TermKind
from services.opinion import pipeline, sources, terms

PARK_TERMS = {
    TermKind.NAME: ["绿谷环保科技产业园", "绿谷园区", "绿谷产业园", "绿谷管委会"],
    TermKind.COMPANY: ["绿源环保科技有限公司", "绿源环保", "谷丰新材料", "清泉水务"],
    TermKind.INCLUDE: ["园区污水处理厂"],
    TermKind.EXCLUDE: ["绿谷小区", "绿谷公园"],
}
DEMO_SOURCES = [
    ("环保资讯网", "https://news.example.org/env/rss.xml", 30),
    ("本地论坛", "https://bbs.example.org/forum/atom.xml", 60),
]
DEMO_ITEMS = [
    pipeline.Candidate(
        title="网友投诉绿谷园区企业夜间偷排，附近居民称异味严重",
        text="多名居民反映，绿谷环保科技产业园内一家企业夜间偷排污水，河道出现异味。",
        url="https://bbs.example.org/forum/t/1001", source_name="本地论坛"),
    pipeline.Candidate(
        title="绿谷产业园荣获国家级绿色工业园区称号",
        text="绿谷环保科技产业园近日获评国家级绿色工业园区。",
        url="https://news.example.org/env/2001", source_name="环保资讯网"),
    pipeline.Candidate(
        title="绿谷小区开展垃圾分类宣传",
        text="绿谷小区物业组织居民学习垃圾分类知识。",
        url="https://news.example.org/env/2002", source_name="环保资讯网"),
]


async def seed_demo() -> None:
    """Add the demo park's terms, sources and items (idempotent)."""
    for kind, words in PARK_TERMS.items():
        await terms.add_terms(None, kind, words)
    for name, url, interval in DEMO_SOURCES:
        if not await OpinionSource.exists(name=name):
            await sources.add_source(name, url, interval_minutes=interval)
    await pipeline.ingest(DEMO_ITEMS, via=SourceKind.API)
