"""Demo data: the park's buildings and rooms for repair reports, and two outside companies."""

from __future__ import annotations

from models.repairs import RepairCompany, RepairPlace

#: (building, spots; "" is the building as a whole)
DEMO_PLACES = [
    ("1号楼", ["", "1楼大厅", "2楼党政办", "3楼第一会议室"]),
    ("2号楼", ["", "1楼展厅", "2楼规划建设局"]),
    ("3号楼", ["", "1楼食堂", "2楼会议室", "3楼机房"]),
    ("园区", ["南门岗亭", "停车场", "污水处理站"]),
]
DEMO_COMPANIES = [
    ("园区物业服务公司", "周经理", "0571-88880001"),
    ("恒达电梯维保公司", "吴师傅", "0571-88880002"),
]


async def seed_demo() -> None:
    """Create the places and the companies (idempotent)."""
    if await RepairPlace.exists():
        return
    for building, spots in DEMO_PLACES:
        for spot in spots:
            await RepairPlace.create(building=building, spot=spot,
                                     name=f"{building} {spot}".strip())
    for name, contact, phone in DEMO_COMPANIES:
        await RepairCompany.create(name=name, contact=contact, phone=phone)
