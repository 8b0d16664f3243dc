"""Build examples/sample-store, a small realistic jvspatial 0.2.2 JsonDB store.

    python examples/make_sample_store.py [OUT_DIR]      (default: examples/sample-store)

Everything goes through jvspatial's own API (GraphContext, Node, Edge, Object, Walker,
DBTrailStore); only the damage at the end uses the low-level `Database.delete("node", id)`,
the way an application that bypasses `Node.delete(cascade=True)` leaves dangling edges.
Ids are passed explicitly and datetimes are fixed, so re-running gives identical files.

What is in it:
  * node:   Root + 20 cities (strings, ints incl. one above 2**64, floats, bools, nulls,
            lists, nested dicts, datetimes) -- two of them deleted again at the end, and
            one city that nothing connects to (an orphan).
            Two cities are saved with JVSPATIAL_TEXT_NORMALIZATION_ENABLED=false so that
            non-ASCII text survives. By default jvspatial's entity layer folds text to ASCII
            before it saves (utils/normalization.py): "São Paulo" -> "Sao Paulo", and what has
            no ASCII form becomes "?" ("東京" -> "??"). Zürich keeps its umlaut and Tokyo its
            alias "東京", as an application that turned the folding off would store them.
  * edge:   generic Edge from Root, Highway and Railway edges in every direction shape
            (connect out / connect in (not swapped) / connect both / Edge(..., direction="in")
            (swapped)), and 3 dangling edges.
  * object: two Config objects and one Country object.
  * w:      one Tourist walker (GraphContext.save puts walkers in collection "w").
  * walker_trail: two steps written by DBTrailStore.
"""

import asyncio
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from jvspatial.core import Edge, GraphContext, Node, Object, Root, Walker
from jvspatial.core.context import set_default_context
from jvspatial.core.entities.walker_components.trail_store import DBTrailStore
from jvspatial.db.jsondb import JsonDB

NORMALIZE = "JVSPATIAL_TEXT_NORMALIZATION_ENABLED"


class City(Node):
    name: str = ""
    country: str = ""
    population: int = 0
    area_km2: float = 0.0
    is_capital: bool = False
    elevation_m: Optional[int] = None
    tags: List[str] = []
    meta: Dict[str, Any] = {}
    founded: Optional[datetime] = None
    checksum: int = 0


class Highway(Edge):
    name: str = ""
    distance_km: float = 0.0
    lanes: int = 2
    toll: bool = False


class Railway(Edge):
    line: str = ""
    electrified: bool = True
    stops: List[str] = []


class Config(Object):
    key: str = ""
    value: Dict[str, Any] = {}


class Country(Object):
    code: str = ""
    name: str = ""
    languages: List[str] = []
    eu_member: Optional[bool] = None


class Tourist(Walker):
    budget: int = 0
    visited: List[str] = []
    preferences: Dict[str, Any] = {}


def city_id(i: int) -> str:
    return f"n.City.{i:024x}"


def edge_id(kind: str, i: int) -> str:
    return f"e.{kind}.{i:024x}"


# name, country, population, area, capital, elevation, tags, meta, founded year (or None)
CITIES = [
    ("São Paulo", "BR", 12_325_232, 1521.11, False, 760, ["metro", "inland"], {"geo": {"lat": -23.55, "lon": -46.63}}, 1554),
    ("Rio de Janeiro", "BR", 6_747_815, 1200.27, False, 2, ["coastal"], {"geo": {"lat": -22.91, "lon": -43.17}}, 1565),
    ("Brasília", "BR", 3_055_149, 5802.0, True, 1172, ["planned"], {"geo": {"lat": -15.79, "lon": -47.88}, "architect": "Lúcio Costa"}, 1960),
    ("Zürich", "CH", 421_878, 87.88, False, 408, ["finance", "lake"], {"geo": {"lat": 47.37, "lon": 8.54}, "districts": 12}, None),
    ("Bern", "CH", 134_591, 51.62, True, 540, [], {"geo": {"lat": 46.95, "lon": 7.45}}, 1191),
    ("Tokyo", "JP", 13_960_236, 2194.07, True, 40, ["metro", "coastal"], {"geo": {"lat": 35.68, "lon": 139.69}, "alias": "東京"}, 1457),
    ("Kyoto", "JP", 1_464_890, 827.83, False, None, ["historic"], {"geo": {"lat": 35.01, "lon": 135.77}, "temples": 1600}, 794),
    ("Reykjavík", "IS", 131_136, 273.0, True, 0, ["coastal", "geothermal"], {"geo": {"lat": 64.15, "lon": -21.94}}, 874),
    ("Kraków", "PL", 779_115, 326.85, False, 219, ["historic"], {"geo": {"lat": 50.06, "lon": 19.94}}, None),
    ("Warsaw", "PL", 1_793_579, 517.24, True, 100, [], {"geo": {"lat": 52.23, "lon": 21.01}}, None),
    ("Montréal", "CA", 1_762_949, 431.5, False, 233, ["bilingual"], {"geo": {"lat": 45.5, "lon": -73.57}, "languages": ["fr", "en"]}, 1642),
    ("Ottawa", "CA", 1_017_449, 2790.3, True, 70, [], {"geo": {"lat": 45.42, "lon": -75.7}}, 1826),
    ("Nairobi", "KE", 4_397_073, 696.0, True, 1795, ["highland"], {"geo": {"lat": -1.29, "lon": 36.82}}, 1899),
    ("Mombasa", "KE", 1_208_333, 219.9, False, 50, ["port", "coastal"], {"geo": {"lat": -4.04, "lon": 39.67}}, None),
    ("Perth", "AU", 2_085_973, 6417.9, False, 31.5, ["remote"], {"geo": {"lat": -31.95, "lon": 115.86}, "isolation_rank": 1}, 1829),
    ("Canberra", "AU", 453_558, 814.2, True, 578, ["planned"], {"geo": {"lat": -35.28, "lon": 149.13}}, 1913),
    ("Atlantis", "XX", 0, 0.0, False, -5000, ["myth"], {"source": "Plato", "found": None}, None),
    ("El Dorado", "XX", 0, 1e-07, False, None, ["myth", "gold"], {"source": None}, None),
    ("Ushuaia", "AR", 82_615, 9390.0, False, 23, ["southernmost"], {"geo": {"lat": -54.8, "lon": -68.3}, "nickname": "Fin del Mundo"}, 1884),
    ("Null Island", "ZZ", 0, 0.0, False, 0, [], {}, None),
]


async def build(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    os.environ[NORMALIZE] = "true"
    ctx = GraphContext(database=JsonDB(str(out)))
    set_default_context(ctx)
    db = ctx.database

    root = await Root.get()
    cities: List[City] = []
    for i, (name, country, pop, area, cap, elev, tags, meta, year) in enumerate(CITIES, start=1):
        founded = datetime(year, 1, 1, tzinfo=timezone.utc) if year else None
        fields: Dict[str, Any] = dict(
            id=city_id(i), name=name, country=country, population=pop, area_km2=float(area),
            is_capital=cap, elevation_m=None if elev is None else int(elev), tags=tags,
            meta=meta, founded=founded,
        )
        if name == "Tokyo":
            fields["checksum"] = 2**64 + 12_345  # an int beyond 64 bits
        if name == "Kyoto":
            fields["checksum"] = -(2**63)
        if name in ("Zürich", "Tokyo"):
            # an application that turned the entity layer's text folding off
            os.environ[NORMALIZE] = "false"
            cities.append(await City.create(**fields))
            os.environ[NORMALIZE] = "true"
        else:
            cities.append(await City.create(**fields))
    by_name = {row[0]: city for row, city in zip(CITIES, cities)}

    def c(name: str) -> City:
        return by_name[name]

    n = 0

    def nid(kind: str) -> str:
        nonlocal n
        n += 1
        return edge_id(kind, n)

    # generic edges from Root (Node.connect default: direction="out")
    for capital in ("Brasília", "Bern", "Tokyo", "Reykjavík", "Warsaw", "Ottawa", "Nairobi", "Canberra", "Atlantis"):
        await root.connect(c(capital), id=nid("Edge"))
    # highways in every shape
    await c("São Paulo").connect(c("Rio de Janeiro"), Highway, name="BR-116", distance_km=429.0, lanes=4, toll=True, id=nid("Highway"))
    await c("Rio de Janeiro").connect(c("Brasília"), Highway, direction="in", name="BR-040", distance_km=1148.5, id=nid("Highway"))
    await c("Brasília").connect(c("São Paulo"), Highway, direction="both", name="BR-050", distance_km=1015.0, id=nid("Highway"))
    await ctx.save(Highway(left=c("Zürich"), right=c("Bern"), direction="in", name="A1", distance_km=125.3, lanes=6, id=nid("Highway")))
    await ctx.save(Highway(left=c("Kraków"), right=c("Warsaw"), name="S7", distance_km=293.0, id=nid("Highway")))
    await c("Montréal").connect(c("Ottawa"), Highway, name="A-50", distance_km=199.9, lanes=2, id=nid("Highway"))
    await c("Nairobi").connect(c("Mombasa"), Highway, direction="both", name="A109", distance_km=481.7, toll=False, id=nid("Highway"))
    await c("Perth").connect(c("Canberra"), Highway, name="Eyre", distance_km=3717.0, lanes=1, id=nid("Highway"))
    await c("Atlantis").connect(c("El Dorado"), Highway, name="Lost Road", distance_km=float("1e16"), id=nid("Highway"))
    await c("Ushuaia").connect(c("São Paulo"), Highway, name="Ruta 3", distance_km=5300.25, id=nid("Highway"))
    # railways
    await c("Tokyo").connect(c("Kyoto"), Railway, direction="both", line="Tokaido Shinkansen", stops=["Nagoya", "Shin-Yokohama"], id=nid("Railway"))
    await c("Bern").connect(c("Zürich"), Railway, line="IC 1", stops=[], id=nid("Railway"))
    await c("Warsaw").connect(c("Kraków"), Railway, direction="in", line="CMK", electrified=True, id=nid("Railway"))
    await ctx.save(Railway(left=c("Mombasa"), right=c("Nairobi"), direction="in", line="SGR", stops=["Voi"], id=nid("Railway")))
    await c("Ottawa").connect(c("Montréal"), Railway, line="VIA 30s", electrified=False, id=nid("Railway"))
    await c("El Dorado").connect(c("Kyoto"), Railway, line="Gold Line", electrified=False, id=nid("Railway"))

    await Config.create(id="o.Config.000000000000000000000c01", key="theme", value={"dark": True, "accent": "#ff8800"})
    await Config.create(id="o.Config.000000000000000000000c02", key="limits", value={"max_walk": 1000, "ratio": 0.75, "flags": [], "owner": None})
    await Country.create(id="o.Country.0000000000000000000000b7", code="BR", name="Brazil", languages=["pt"], eu_member=False)

    tourist = Tourist(
        id="w.Tourist.000000000000000000000a11",
        budget=1500,
        visited=[c("Tokyo").id, c("Kyoto").id],
        preferences={"transport": ["rail"], "max_hours": 4.5, "guide": None},
    )
    await ctx.save(tourist)
    trail = DBTrailStore(db)
    await trail.append(tourist.id, {"node_id": c("Tokyo").id, "edge_id": None})
    await trail.append(tourist.id, {"node_id": c("Kyoto").id, "edge_id": edge_id("Railway", 20)})

    # damage: low-level deletes bypass the cascade and leave dangling edges
    await db.delete("node", c("Atlantis").id)  # Root->Atlantis, Atlantis->El Dorado
    await db.delete("node", c("Ushuaia").id)  # Ushuaia->Sao Paulo
    # "Null Island" is connected to nothing: an orphan node (not reachable from Root)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "sample-store"
    asyncio.run(build(out))
    print(out)


if __name__ == "__main__":
    main()
