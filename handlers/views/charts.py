"""Every chart the bot draws goes through here: no display, one font set-up with Chinese glyphs.

Charts are drawn on a plain `Figure` (no pyplot state), so they can be drawn off the event loop
in a thread. The font is set up once: a CJK family (fonts-noto-cjk on the servers and in CI) is
put first, and when matplotlib's font cache was written before the fonts were installed the
system's CJK fonts are added to it, so no label falls back to boxes.
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Families with Chinese glyphs, best first.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "Droid Sans Fallback")
#: File names of CJK fonts to add when the font cache does not list them.
_CJK_FILES = ("NotoSansCJK", "SourceHanSans", "wqy-zenhei", "wqy-microhei", "DroidSansFallback",
              "simhei", "msyh")
DPI = 110
#: Telegram shows photos up to 10,000 px (width + height) with sides at most 20:1.
MAX_SIDE = 4000
_lock = threading.Lock()
#: Pictures already drawn, by what they show (the newest CACHE_SIZE kept).
CACHE_SIZE = 64
_drawn: OrderedDict[Hashable, bytes] = OrderedDict()
_pool: ThreadPoolExecutor | None = None


def _thread() -> ThreadPoolExecutor:
    """One thread draws every chart: never on the event loop (a chart takes 50-150 ms, which
    held every other person's update), and one at a time (matplotlib's font and text caches
    are not made for several threads)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
    return _pool


async def drawn(key: Hashable | None, draw: Callable[..., bytes], *args: Any) -> bytes:
    """The PNG `draw(*args)` makes, drawn in the charts thread; kept under `key` (what the
    picture shows), so the same picture asked for again is not drawn again. No key: not kept."""
    if key is not None and key in _drawn:
        _drawn.move_to_end(key)
        return _drawn[key]
    png = await asyncio.get_running_loop().run_in_executor(_thread(), draw, *args)
    if key is not None:
        _drawn[key] = png
        while len(_drawn) > CACHE_SIZE:
            _drawn.popitem(last=False)
    return png


@lru_cache(maxsize=1)
def _matplotlib() -> ModuleType:
    """matplotlib with its Agg backend, imported at the first chart (about 50 MB a replica
    that never draws one does not carry)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure

    return matplotlib


def _font_manager() -> Any:
    _matplotlib()
    from matplotlib import font_manager

    return font_manager


def _known() -> set[str]:
    return {f.name for f in _font_manager().fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The installed family with Chinese glyphs, or None (labels then fall back to ASCII)."""
    with _lock:
        names = _known()
        if not any(n in names for n in CJK_FAMILIES):
            font_manager = _font_manager()
            for path in font_manager.findSystemFonts():
                if any(part.lower() in Path(path).name.lower() for part in _CJK_FILES):
                    try:
                        font_manager.fontManager.addfont(path)
                    except (OSError, RuntimeError, ValueError):
                        continue
            names = _known()
        return next((n for n in CJK_FAMILIES if n in names), None)


def setup() -> None:
    """Put the CJK family first for every chart (idempotent)."""
    font = cjk_font()
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    rcParams = _matplotlib().rcParams
    if rcParams["font.sans-serif"][: len(families)] != families:
        rcParams["font.family"] = "sans-serif"
        rcParams["font.sans-serif"] = families + [
            f for f in rcParams["font.sans-serif"] if f not in families]
        rcParams["axes.unicode_minus"] = False


def label(text: str, fallback: str) -> str:
    """The text, or an ASCII stand-in when no font here can show it."""
    return text if cjk_font() is not None or text.isascii() else fallback


def figure(width: float, height: float) -> Figure:
    """A new figure of this size in inches, with the fonts set up."""
    setup()
    return _matplotlib().figure.Figure(figsize=(width, min(height, MAX_SIDE / DPI)), dpi=DPI)


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    return out.getvalue()


def headroom(top: float, *, whole: bool = True) -> float:
    """An axis' upper limit a little above the largest value (at least 1 for counts)."""
    if top <= 0:
        return 1.0
    limit = top * 1.18
    return float(math.ceil(limit)) if whole and top >= 1 else limit
