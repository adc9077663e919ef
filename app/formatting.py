"""Indonesian display of money, dates and times (WITA), used by every screen and export."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def format_rupiah(amount: Decimal | int | float | None) -> str:
    """``Rp 1.250.000``: whole rupiah, dots between thousands, minus sign in front."""
    if amount is None:
        return ""
    value = Decimal(str(amount)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}".replace(",", ".")
    return f"{sign}Rp {digits}"


def format_tanggal(value: dt.date | None) -> str:
    """``4 Desember 2026``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_wita(value)
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def to_wita(value: dt.datetime) -> dt.datetime:
    """A stored UTC time (naive or aware) in WITA."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(WITA)


def format_waktu(value: dt.datetime | None) -> str:
    """``4 Desember 2026 20.26 WITA`` from a UTC time."""
    if value is None:
        return ""
    local = to_wita(value)
    return f"{format_tanggal(local.date())} {local:%H.%M} WITA"


def today_wita() -> dt.date:
    return dt.datetime.now(WITA).date()


def server_now() -> dt.datetime:
    """Naive server-local now: how FAB's audit columns store time, so ours match them."""
    return dt.datetime.now()


def format_value(value: Any) -> str:
    """Any stored value as a person reads it: dates in Indonesian, Ya/Tidak, nothing as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, dt.datetime):
        return format_waktu(value)
    if isinstance(value, dt.date):
        return format_tanggal(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_angka(text: str | None) -> Decimal | None:
    """A number typed the Indonesian way: ``1.250.000`` (dots group thousands), ``1,5``
    (comma before decimals), or plain ``1250000``; ``None`` when empty.

    Raises ``ValueError`` with an Indonesian message when the text is not such a number."""
    raw = (text or "").strip().replace(" ", "")
    if raw.lower().startswith("rp"):
        raw = raw[2:].lstrip(".")
    if not raw:
        return None
    sign = "-" if raw.startswith("-") else ""
    whole, _, decimals = raw.lstrip("-").partition(",")
    if "," in decimals or (decimals and not decimals.isdigit()):
        raise ValueError("Angka tidak valid: gunakan koma untuk desimal, misalnya 1,5.")
    if "." in whole:
        if not THOUSANDS.match(whole):
            raise ValueError("Angka tidak valid: titik hanya pemisah ribuan (1.250.000); desimal memakai koma (1,5).")
        whole = whole.replace(".", "")
    if not whole.isdigit():
        raise ValueError("Angka tidak valid: hanya angka, titik ribuan dan koma desimal.")
    try:
        return Decimal(f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}")
    except InvalidOperation as exc:
        raise ValueError("Angka tidak valid.") from exc
