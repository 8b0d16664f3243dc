"""Entity classes shared by the interop scripts (declared here, persisted by jvspatial itself)."""

from typing import Any, Dict, List, Optional

from jvspatial.core import Edge, Node, Object, Walker


class City(Node):
    name: Any = None
    pop: Any = None
    big: Any = None
    ratio: Any = None
    flag: Any = None
    nothing: Optional[Any] = None
    tags: Any = None
    meta: Any = None


class Highway(Edge):
    name: str = ""
    distance_km: float = 0.0
    lanes: int = 2


class Railway(Edge):
    line: str = ""
    stops: List[str] = []


class Config(Object):
    key: str = ""
    value: Dict[str, Any] = {}


class Tourist(Walker):
    budget: int = 0
    visited: List[str] = []


ENTITY_CLASSES = {"City": City, "Highway": Highway, "Railway": Railway, "Config": Config}
