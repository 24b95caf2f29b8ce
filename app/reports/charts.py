"""Server-rendered SVG charts: plain shapes and text, no script."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden (a published value below k)
    text: str
    x: float
    width: float
    y: float
    height: float


def bar_chart(items: list[tuple[str, float | None, str]], width: int = 640, row: int = 26) -> dict:
    """Horizontal bars, one per unit: (label, value or None, text to print)."""
    top = max((v for _, v, _ in items if v), default=0) or 1
    label_width, gap = 200, 8
    usable = width - label_width - 70
    bars = []
    for index, (label, value, text) in enumerate(items):
        length = 0 if value is None else usable * value / top
        bars.append(Bar(label, value, text, label_width, length, index * row + 4, row - gap))
    return {"width": width, "height": max(len(items), 1) * row + 8, "bars": bars, "label_width": label_width}


def line_chart(labels: list[str], series: dict[str, list[float | None]], width: int = 640, height: int = 260) -> dict:
    """Lines over quarters; a hidden point breaks the line."""
    left, right, top, bottom = 56, 16, 16, 40
    values = [v for points in series.values() for v in points if v is not None]
    peak = max(values, default=0) or 1
    step = (width - left - right) / max(len(labels) - 1, 1)
    scale = (height - top - bottom) / peak

    def point(i: int, v: float) -> tuple[float, float]:
        return round(left + i * step, 1), round(height - bottom - v * scale, 1)

    lines = {}
    for name, points in series.items():
        segments, current = [], []
        for i, v in enumerate(points):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(point(i, v))
        if current:
            segments.append(current)
        lines[name] = {"segments": [" ".join(f"{x},{y}" for x, y in seg) for seg in segments],
                       "points": [point(i, v) for i, v in enumerate(points) if v is not None]}
    ticks = [(round(left + i * step, 1), label) for i, label in enumerate(labels)]
    grid = [(round(height - bottom - peak * f * scale, 1), round(peak * f)) for f in (0, 0.5, 1)]
    return {"width": width, "height": height, "lines": lines, "ticks": ticks, "grid": grid,
            "left": left, "right": width - right, "bottom": height - bottom}
