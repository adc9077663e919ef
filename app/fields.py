"""Form fields for the office's way of typing: Indonesian numbers (``1.250.000``, ``1,5``)."""

from __future__ import annotations

from decimal import Decimal

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from markupsafe import Markup, escape
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


class SearchSelectWidget:
    """A <select> that lists only its chosen rows and searches the rest as the user types."""

    def __call__(self, field, **kwargs):
        multiple = " multiple" if field.multiple else ""
        options = "".join(
            f'<option value="{obj.id}" selected>{escape(field.label_of(obj))}</option>' for obj in field.chosen()
        )
        if not field.multiple:
            options = '<option value=""></option>' + options
        return Markup(
            f'<select class="form-control pundi-cari" id="{field.id}" name="{field.name}"{multiple} '
            f'data-url="{escape(field.search_url)}" style="width: 100%">{options}</select>'
        )


class SearchSelectField(Field):
    """One (or several) rows of a big table, found by typing; only rows in ``query()`` are accepted.

    ``query`` returns the rows the current user may pick (already scoped); ``search_url``
    answers the typed text with matching rows as JSON."""

    widget = SearchSelectWidget()

    def __init__(self, label=None, validators=None, *, model, query, search_url, label_of=str, multiple=False, **kw):
        super().__init__(label, validators, **kw)
        self.model, self.query, self._url = model, query, search_url
        self.label_of, self.multiple = label_of, multiple
        self._ids: list[int] | None = None
        self._invalid = False

    @property
    def search_url(self) -> str:
        return self._url() if callable(self._url) else self._url

    def process_formdata(self, valuelist):
        ids = [v for v in valuelist if v not in ("", "__None")]
        try:
            self._ids = [int(v) for v in ids]
        except ValueError:
            self._ids, self._invalid = [], True

    def _load(self) -> list:
        if not self._ids:
            return []
        found = self.query().filter(self.model.id.in_(self._ids)).all()
        if len(found) != len(set(self._ids)):
            self._invalid = True
        return found

    def pre_validate(self, form):
        rows = self._load() if self._ids is not None else None
        if self._invalid:
            raise ValidationError(self.gettext("Not a valid choice"))
        if rows is not None:
            self.data = rows if self.multiple else (rows[0] if rows else None)

    def chosen(self) -> list:
        if self.data is None:
            return []
        return list(self.data) if self.multiple else [self.data]
