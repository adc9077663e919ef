"""Bahasa Indonesia by default: no English FAB/WTForms string left on the pages people use."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from babel.messages.mofile import read_mo

from app.formatting import format_rupiah, format_tanggal, format_value, format_waktu
from tests.conftest import text_of
from tools.catalog import MO_PATH, load_catalog, source_messages


@pytest.fixture(scope="module")
def english_strings():
    catalog = load_catalog()
    strings = []
    for message in source_messages():
        msgid = message if isinstance(message, str) else message[0]
        translated = catalog.get(message)
        text = translated.string if translated else ""
        if isinstance(text, tuple):
            text = text[0]
        if len(msgid) >= 2 and "%" not in msgid and msgid.strip() != text.strip():
            strings.append(msgid.strip())
    return strings


def english_left(page: str, english_strings) -> list[str]:
    return [s for s in english_strings if re.search(rf"(?<![\w/]){re.escape(s)}(?![\w/])", page)]


def test_catalog_translates_every_message():
    catalog = load_catalog()
    missing = [m for m in source_messages() if not (catalog.get(m) and catalog.get(m).string)]
    assert missing == []


def test_compiled_catalog_matches_the_po_file():
    with open(MO_PATH, "rb") as handle:
        compiled = read_mo(handle)
    po = load_catalog()

    def pairs(catalog):
        def plain(value):
            return tuple(value) if isinstance(value, (list, tuple)) else value

        return {plain(m.id): plain(m.string) for m in catalog if m.id}

    assert pairs(compiled) == pairs(po)


def test_login_page_is_indonesian(as_user, english_strings):
    page = text_of(as_user(None).get("/login/").get_data(as_text=True))
    assert "Masukkan nama pengguna dan kata sandi Anda" in page
    assert english_left(page, english_strings) == []


def test_every_screen_is_indonesian(app, world, as_user, english_strings):
    client = as_user("admin")
    # The role screens list FAB's internal permission names (data, for IT staff): not checked.
    pages = ["/", "/users/list/", "/users/add", f"/users/show/{world.users['op.taliwang']}"]
    for view in app.appbuilder.baseviews:
        if hasattr(view, "datamodel") and hasattr(view, "list_template") and view.route_base.endswith("view"):
            pages.append(f"{view.route_base}/list/")
            if "can_add" in view.base_permissions:
                pages.append(f"{view.route_base}/add")
    pages.append(f"/psksview/show/{world.rows['Psks']['maluk']}")
    pages.append(f"/psksview/edit/{world.rows['Psks']['maluk']}")
    leftovers = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        left = english_left(text_of(response.get_data(as_text=True)), english_strings)
        if left:
            leftovers[url] = left
    assert leftovers == {}


def test_validation_messages_are_indonesian(as_user, world):
    page = text_of(as_user("dinas").post("/donaturview/add", {"jenis": "perorangan"}).get_data(as_text=True))
    assert "Kolom ini wajib diisi." in page


def test_english_can_be_chosen(as_user):
    client = as_user(None)
    client.get("/lang/en")
    assert "Enter your login and password below" in text_of(client.get("/login/").get_data(as_text=True))


def test_indonesian_formats():
    assert format_rupiah(Decimal("1250000")) == "Rp 1.250.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(Decimal("-7500.4")) == "-Rp 7.500"
    assert format_tanggal(dt.date(2026, 12, 4)) == "4 Desember 2026"
    noon_utc = dt.datetime(2026, 12, 4, 12, 26, tzinfo=dt.UTC)
    assert format_waktu(noon_utc) == "4 Desember 2026 20.26 WITA"
    assert format_value(None) == "—" and format_value(True) == "Ya" and format_value(False) == "Tidak"
