"""Sales over time as an inline SVG bar chart, drawn on the server (no chart library, no script).

`sales_chart` draws a period's daily sales (`clienteling.kpis.daily_sales`), a bar a day, or a bar a week
for a long period. `bar_chart` returns the geometry the template `console/_chart.html` draws; the same
entries also fill the chart's table, so screen readers and printouts get the numbers.
"""

from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from shopfloor.money import ZERO

WIDTH = 720
HEIGHT = 240
LEFT = 64  # room for the amount labels
RIGHT = 8
TOP = 12
BOTTOM = 28  # room for the date labels
MAX_DAILY_BARS = 62
MAX_X_LABELS = 8


def _nice_ceiling(value: Decimal) -> Decimal:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        top = magnitude * step
        if top >= value:
            return top
    return (value / magnitude).to_integral_value(rounding=ROUND_CEILING) * magnitude


def _label(day: date, last: date | None, weekly: bool) -> str:
    if weekly and last and last != day:
        return f"{day:%-d %b}–{last:%-d %b}"
    return f"{day:%a %-d %b}" if not weekly else f"week of {day:%-d %b}"


def bar_chart(entries: list[dict], weekly: bool) -> dict:
    """Bars for entries {"day", "sales", "orders"[, "last"]}, scaled to a rounded top."""
    top = _nice_ceiling(max((entry["sales"] for entry in entries), default=ZERO))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(entries), 1)
    bar_width = max(slot * 0.7, 1.5)
    bars = []
    every = max(1, -(-len(entries) // MAX_X_LABELS))
    for index, entry in enumerate(entries):
        height = float(entry["sales"] / top) * plot_height if top else 0
        if entry["sales"] > 0:
            height = max(height, 1.5)  # a small sale still shows
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append({
            "x": round(x, 2), "y": round(TOP + plot_height - height, 2), "width": round(bar_width, 2),
            "height": round(height, 2), "sales": entry["sales"], "orders": entry["orders"],
            "title": _label(entry["day"], entry.get("last"), weekly),
            "day": entry["day"], "last": entry.get("last"),
            "tick": index % every == 0,
            "tick_x": round(LEFT + index * slot + slot / 2, 2),
            "tick_label": f"{entry['day']:%-d %b}",
        })
    grid = []
    for step in range(5):
        value = top * step / 4
        grid.append({"y": round(TOP + plot_height - plot_height * step / 4, 2), "value": value})
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "base": TOP + plot_height,
        "bars": bars, "grid": grid, "top": top, "weekly": weekly, "label_y": HEIGHT - 8,
    }


def weeks_of(series: list[dict]) -> list[dict]:
    """Days summed into ISO weeks (Monday first); each entry keeps the first day it covers."""
    weeks: dict[date, dict] = {}
    for entry in series:
        monday = entry["day"] - timedelta(days=entry["day"].weekday())
        week = weeks.setdefault(monday, {"day": max(monday, series[0]["day"]), "orders": 0, "sales": ZERO,
                                         "last": entry["day"]})
        week["orders"] += entry["orders"]
        week["sales"] += entry["sales"]
        week["last"] = entry["day"]
    return list(weeks.values())


def sales_chart(series: list[dict], days: int) -> dict:
    """A period's daily entries as a bar a day, or as a bar a week when the period has more than
    MAX_DAILY_BARS days."""
    by_week = days > MAX_DAILY_BARS
    return bar_chart(weeks_of(series) if by_week else series, by_week)
