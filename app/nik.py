"""NIK (Nomor Induk Kependudukan) checks and masking.

Layout: 6 digits region (province 2, kabupaten 2, kecamatan 2), 6 digits birth date DDMMYY
with 40 added to DD for women, 4 digits serial. KSB is ``5207``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KSB_PREFIX = "5207"
# Province codes of Kemendagri (2025), including the Papua provinces formed in 2022.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)


@dataclass
class NikCheck:
    """Result of checking a NIK: errors refuse it, warnings are shown but accepted."""

    nik: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    female: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _birth_date(segment: str, today: dt.date) -> tuple[dt.date | None, bool]:
    day, month, year2 = int(segment[0:2]), int(segment[2:4]), int(segment[4:6])
    female = day > 40
    if female:
        day -= 40
    year = 2000 + year2 if 2000 + year2 <= today.year else 1900 + year2
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return None, female
    return born, female


def check_nik(raw: str, today: dt.date | None = None) -> NikCheck:
    """Check the format, region code and birth-date segment of a NIK."""
    nik = (raw or "").strip().replace(" ", "").replace(".", "")
    result = NikCheck(nik=nik)
    if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):
        result.errors.append("NIK harus 16 angka.")
        return result
    if nik[0:2] not in PROVINCE_CODES:
        result.errors.append("Kode provinsi pada NIK (2 angka pertama) tidak dikenal.")
    if nik[2:4] == "00" or nik[4:6] == "00":
        result.errors.append("Kode kabupaten/kecamatan pada NIK tidak boleh 00.")
    born, female = _birth_date(nik[6:12], today or dt.date.today())
    if born is None:
        result.errors.append(
            "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid; untuk perempuan tanggal ditambah 40."
        )
    else:
        result.birth_date, result.female = born, female
    if nik[12:16] == "0000":
        result.errors.append("Nomor urut pada NIK (4 angka terakhir) tidak boleh 0000.")
    if result.ok and not nik.startswith(KSB_PREFIX):
        result.warnings.append("NIK terdaftar di luar Kabupaten Sumbawa Barat (kode wilayah bukan 5207).")
    return result


def consistency_warnings(check: NikCheck, birth_date: dt.date | None, sex: str | None) -> list[str]:
    """Warnings when the typed birth date or sex disagrees with the NIK."""
    warnings = []
    if check.birth_date and birth_date and check.birth_date != birth_date:
        warnings.append("Tanggal lahir berbeda dengan tanggal lahir pada NIK.")
    if check.female is not None and sex in ("L", "P") and check.female != (sex == "P"):
        warnings.append("Jenis kelamin berbeda dengan yang tersirat pada NIK.")
    return warnings


def mask_nik(nik: str | None) -> str:
    """``5207•••••••••123``: region kept, the rest hidden but the last three digits."""
    if not nik:
        return ""
    if len(nik) < 8:
        return "•" * len(nik)
    return nik[:4] + "•" * (len(nik) - 7) + nik[-3:]
