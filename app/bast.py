"""BAST (Berita Acara Serah Terima): the handover record of one distribution, as PDF."""

from __future__ import annotations

import io
import os

import reportlab
from flask import render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.formatting import format_tanggal
from app.models import Penyaluran
from app.nik import mask_nik

# Bitstream Vera ships with ReportLab (no download) and has the glyphs PDF's base fonts lack (•, …).
FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
FONTS = {"regular": os.path.join(FONT_DIR, "Vera.ttf"), "bold": os.path.join(FONT_DIR, "VeraBd.ttf")}
# A PDF reads those fonts and nothing else: no network, no other file.
PDF_POLICY = ResourceAccessPolicy(allow_remote=False, base_dir=FONT_DIR)


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
        fonts=FONTS,
    )
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=PDF_POLICY)
    if result.err:
        raise RuntimeError("BAST gagal dibuat")
    return output.getvalue()
