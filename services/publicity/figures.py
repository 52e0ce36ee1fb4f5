"""The feature's figures over a period, for /weekly, /monthly and /annual."""

from __future__ import annotations

from datetime import date

from services.publicity import bulletin, drafting, info, media

#: In report order: media stories (once, at their highest level) and front pages, information
#: pieces, drafting tasks done by kind, bulletin issues.
METRICS = (
    "reports", "front_pages", "central", "province", "higher_city", "city",
    "info_submitted", "info_used", "info_instructed",
    "drafts_done", "drafts_speech", "drafts_report", "drafts_request", "drafts_research",
    "drafts_minutes", "drafts_plan", "drafts_other",
    "bulletins",
)  # fmt: skip


async def publicity_figures(first: date, after: date) -> dict[str, int]:
    """Every figure of the feature over the local days [first, after)."""
    found: dict[str, int] = {}
    found.update(await media.figures(first, after))
    found.update(await info.figures(first, after))
    found.update(await drafting.figures(first, after))
    found.update(await bulletin.figures(first, after))
    return {key: found.get(key, 0) for key in METRICS}
