"""Calendar arithmetic shared by the rules (contract length, schedules, ages)."""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_months(start: date, end: date) -> int:
    """Whole months from `start` to `end`, the end day included.

    2026-09-01 → 2027-02-28 is 6 months: the period ends the day before 2027-03-01.
    """
    after_end = end + timedelta(days=1)
    months = (after_end.year - start.year) * 12 + after_end.month - start.month
    while months > 0 and add_months(start, months) > after_end:
        months -= 1
    return months


def age_on(birth: date, day: date) -> int:
    """Age in completed years on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
