"""Bahasa Indonesia: one catalog for FAB's, WTForms' and the app's strings; Jinja filters."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm

from app.fields import format_angka
from app.formatting import format_rupiah, format_tanggal, format_waktu


class _BabelTranslations:
    """WTForms messages through Flask-Babel, so the app catalog translates them too
    (WTForms ships no Indonesian catalog)."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


_TRANSLATIONS = _BabelTranslations()


def _form_translations(_meta, _form) -> _BabelTranslations:
    return _TRANSLATIONS


def init_i18n(app: Flask) -> None:
    """Route WTForms messages through the catalog and register the format filters."""
    FlaskForm.Meta.get_translations = _form_translations
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["tanggal"] = format_tanggal
    app.jinja_env.filters["waktu"] = format_waktu
    app.jinja_env.filters["angka"] = format_angka
