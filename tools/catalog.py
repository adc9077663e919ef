"""Keep the Indonesian catalog complete: ``python tools/catalog.py``.

Collects every message of Flask-AppBuilder, WTForms and the app, adds the new ones to
``app/translations/id/LC_MESSAGES/messages.po`` (untranslated, for a person to fill in),
and compiles ``messages.mo``. The app reads one catalog for all three.
"""

from __future__ import annotations

import os
import sys

import flask_appbuilder
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO_PATH = os.path.join(ROOT, "app", "translations", "id", "LC_MESSAGES", "messages.po")
MO_PATH = PO_PATH[: -len(".po")] + ".mo"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "__": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def source_messages() -> list:
    """Every msgid (a string, or a (singular, plural) pair) the running app may ask for."""
    found = []
    for package in (flask_appbuilder, os.path.join(ROOT, "app")):
        folder = package if isinstance(package, str) else os.path.dirname(package.__file__)
        for _file, _line, message, _comments, _context in extract_from_dir(folder, METHODS, keywords=KEYWORDS):
            found.append(message if isinstance(message, str) else tuple(message))
    pot = os.path.join(os.path.dirname(wtforms.__file__), "locale", "wtforms.pot")
    with open(pot, "rb") as handle:
        found.extend(m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id)
    unique = []
    for message in found:
        if message and message not in unique:
            unique.append(message)
    return unique


def load_catalog() -> Catalog:
    with open(PO_PATH, "rb") as handle:
        return read_po(handle, locale="id")


def update() -> int:
    """Add missing messages to the .po and compile the .mo; returns how many lack a translation."""
    catalog = load_catalog() if os.path.exists(PO_PATH) else Catalog(locale="id", project="PUNDI SOSIAL")
    for message in source_messages():
        if catalog.get(message) is None:
            catalog.add(message, "" if isinstance(message, str) else ("",))
    with open(PO_PATH, "wb") as handle:
        write_po(handle, catalog, width=120, sort_output=True)
    with open(MO_PATH, "wb") as handle:
        write_mo(handle, catalog)
    return sum(1 for m in catalog if m.id and not m.string)


if __name__ == "__main__":
    missing = update()
    print(f"Katalog diperbarui; {missing} pesan belum diterjemahkan.")
    sys.exit(1 if missing else 0)
