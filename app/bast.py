"""BAST (Berita Acara Serah Terima): the handover record of one distribution, as PDF."""

from __future__ import annotations

import io

from flask import render_template
from xhtml2pdf import pisa

from app.formatting import format_tanggal
from app.models import Penyaluran
from app.nik import mask_nik


def bast_number(item: Penyaluran) -> str:
    return f"BAST/{item.id:06d}/{item.psks_id}/{item.tanggal.year}"


def render_bast(item: Penyaluran) -> bytes:
    """The BAST of a distribution: recipient (NIK masked), items and value, signature lines."""
    html = render_template(
        "pundi/bast.html",
        item=item,
        nomor=bast_number(item),
        tanggal=format_tanggal(item.tanggal),
        nik=mask_nik(item.ppks.nik) if item.ppks is not None else "",
    )
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise RuntimeError("BAST gagal dibuat")
    return output.getvalue()
