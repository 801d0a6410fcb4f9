"""The geometry of the bilan's radar chart, shared by the web page's SVG and the PDF so that
both draw the same shape.

N axes of values 0–100 around a centre, the first axis pointing straight up and the others
following clockwise. Coordinates are those of the page: x grows to the right and y grows
downwards (SVG and fpdf2 alike), in whatever unit the caller chose (pixels or millimetres).
"""

import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple

RINGS = (25, 50, 75, 100)  # the grid: the bands of SPEC section 5
MAX_VALUE = 100.0


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def as_tuple(self) -> Tuple[float, float]:
        return (self.x, self.y)


@dataclass(frozen=True)
class LabelAnchor:
    """Where an axis's label goes: a point just beyond the axis's end, and how the text sits
    around it. `align` is horizontal ("start": the text begins at the point, "middle",
    "end": it ends there); `vertical` says whether the block of lines sits "above" the
    point, is centred on it ("middle") or hangs "below" it."""

    point: Point
    align: str
    vertical: str


@dataclass(frozen=True)
class Ring:
    value: int  # 25, 50, 75 or 100
    points: Tuple[Point, ...]


@dataclass(frozen=True)
class Radar:
    centre: Point
    radius: float
    axes: Tuple[Point, ...]  # each axis's end (value 100), in axis order
    rings: Tuple[Ring, ...]
    polygon: Tuple[Point, ...]  # the scores
    labels: Tuple[LabelAnchor, ...]


def angle(index: int, count: int) -> float:
    """The axis's angle in radians, measured clockwise from straight up."""
    if count < 1:
        raise ValueError("a radar needs at least one axis")
    return 2 * math.pi * index / count


def point_at(centre: Point, radius: float, index: int, count: int, value: float) -> Point:
    """The point of value `value` (0–100, clamped) on axis `index` of `count`."""
    share = min(max(value, 0.0), MAX_VALUE) / MAX_VALUE
    theta = angle(index, count)
    return Point(centre.x + radius * share * math.sin(theta), centre.y - radius * share * math.cos(theta))


def label_anchor(centre: Point, radius: float, index: int, count: int, gap: float) -> LabelAnchor:
    theta = angle(index, count)
    sine, cosine = math.sin(theta), math.cos(theta)
    distance = radius + gap
    point = Point(centre.x + distance * sine, centre.y - distance * cosine)
    align = "middle" if abs(sine) < 0.2 else ("start" if sine > 0 else "end")
    vertical = "above" if cosine > 0.6 else ("below" if cosine < -0.6 else "middle")
    return LabelAnchor(point, align, vertical)


def build_radar(values: Sequence[float], centre: Point, radius: float, gap: float) -> Radar:
    """The whole chart for these values, one axis per value."""
    count = len(values)
    return Radar(
        centre=centre,
        radius=radius,
        axes=tuple(point_at(centre, radius, index, count, MAX_VALUE) for index in range(count)),
        rings=tuple(
            Ring(ring, tuple(point_at(centre, radius, index, count, ring) for index in range(count))) for ring in RINGS
        ),
        polygon=tuple(point_at(centre, radius, index, count, value) for index, value in enumerate(values)),
        labels=tuple(label_anchor(centre, radius, index, count, gap) for index in range(count)),
    )


def split_label(label: str, max_chars: int) -> List[str]:
    """A label on one line if it is short enough, else on two lines as even as possible
    (split at a space): "un libellé assez long" → ["un libellé", "assez long"]."""
    words = label.split()
    if len(label) <= max_chars or len(words) < 2:
        return [label]
    splits = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
    first, second = min(splits, key=lambda pair: (max(len(pair[0]), len(pair[1])), len(pair[0])))
    return [first, second]


def line_baselines(anchor: LabelAnchor, lines: int, line_height: float, ascent: float) -> List[float]:
    """The baseline (y) of each line of a label's block, so that the block sits above,
    beside or below its anchor point as `anchor.vertical` says. `ascent` is the height of
    capitals above the baseline in the same unit."""
    height = (lines - 1) * line_height + ascent
    if anchor.vertical == "above":
        top = anchor.point.y - height
    elif anchor.vertical == "below":
        top = anchor.point.y
    else:
        top = anchor.point.y - height / 2
    return [top + ascent + line * line_height for line in range(lines)]
