"""Form fields for the office's way of typing: Indonesian numbers (``1.250.000``, ``1,5``)."""

from __future__ import annotations

from decimal import Decimal

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from wtforms import Field
from wtforms.validators import ValidationError

from app.formatting import parse_angka


def format_angka(value: Decimal | None) -> str:
    """``1250000.50`` → ``1.250.000,5``: how the field shows a stored number."""
    if value is None:
        return ""
    whole, _, decimals = f"{Decimal(value).normalize():f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}".replace(",", ".")
    return f"{sign}{grouped},{decimals}" if decimals else f"{sign}{grouped}"


class AngkaField(Field):
    """A number typed the Indonesian way; keeps the text as typed when it cannot be read."""

    widget = BS3TextFieldWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self._raw = None
        self._parse_error = None

    def process_formdata(self, valuelist):
        self._raw = valuelist[0] if valuelist else ""
        try:
            self.data = parse_angka(self._raw)
        except ValueError as exc:
            self.data = None
            self._parse_error = str(exc)

    def pre_validate(self, form):
        if self._parse_error:
            raise ValidationError(self._parse_error)

    def _value(self):
        if self._raw is not None:
            return self._raw
        return format_angka(self.data)
