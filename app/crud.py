"""Base classes of every generated screen and API: scoping, permissions, history, export.

A screen over a model that declares ``__scope__`` gets, without writing anything:
the scope on list/show/edit/delete/actions/export, scoped dropdowns in the add, edit
and search forms, the scope check on every write, and per-request search filters.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from flask import Response, abort, flash, g, has_request_context, redirect, request, send_file, stream_with_context
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.actions import action as fab_action
from flask_appbuilder.api import safe
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _
from sqlalchemy import func as sa_func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import RelationshipProperty

from app.audit import history_of, mask_history
from app.formatting import format_value, today_wita
from app.ledger import InsufficientStock
from app.registry import InvalidRecord, check_record, record_errors
from app.scope import SCOPE_FILTER, ScopeViolation, check_write, is_scoped

VIEW_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "export": "read",
    "export_xlsx": "read",
    "foto": "read",
    "bast": "read",
    "bast_ttd": "read",
    "batal": "edit",
    "unggah_bast": "edit",
    "berkas": "read",
    "add": "add",
    "edit": "edit",
    "delete": "delete",
    "muldelete": "delete",
}
API_PERMISSIONS = {
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "add",
    "put": "edit",
    "delete": "delete",
}
IN_USE = "Data ini masih dipakai data lain (misalnya dokumen atau akun pengguna), jadi tidak dihapus."
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _scoped_relations(datamodel: SQLAInterface, extra: dict | None) -> dict:
    """Query filters for every related field whose model is scoped."""
    fields = dict(extra or {})
    for column in datamodel.get_columns_list():
        if datamodel.is_relation(column) and is_scoped(datamodel.get_related_model(column)):
            fields.setdefault(column, SCOPE_FILTER)
    return fields


class CappedCount(int):
    """A row count that stopped counting at a cap; reads "lebih dari 10.000"."""

    def __str__(self) -> str:
        return f"lebih dari {self - 1:,}".replace(",", ".")


class LargeTableInterface(SQLAInterface):
    """For tables of a million rows: the list counts at most ``count_cap`` rows, so its
    page stays fast on MariaDB too (an exact COUNT(*) reads the whole table)."""

    count_cap = 10_000

    def query_count(self, query, filters=None, select_columns=None) -> int:
        inner = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        capped = inner.with_entities(self.obj.id).order_by(None).limit(self.count_cap + 1).subquery()
        count = self.session.execute(sa_select(sa_func.count()).select_from(capped)).scalar()
        return CappedCount(count) if count > self.count_cap else count


def check_save(item: Any) -> None:
    """Every write, whatever the channel: the record's rules, then the writer's scope."""
    check_record(item)
    check_write(item)


def csv_stream(rows: Iterator[list[Any]]) -> Iterator[str]:
    """CSV text for Excel: UTF-8 with BOM, one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def xlsx_file(rows: Iterator[list[Any]], title: str, money: set[int]) -> str:
    """Write rows to a temporary .xlsx, one row at a time (constant memory); returns its path.

    Money columns are numbers formatted ``Rp 1.250.000``; the header row is bold."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(re.sub(r"[\[\]:*?/\\]", "-", str(title))[:31])
    bold = workbook.add_format({"bold": True})
    rupiah = workbook.add_format({"num_format": '"Rp" #,##0'})
    for number, row in enumerate(rows):
        if number == 0:
            sheet.write_row(0, 0, row, bold)
            continue
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            if index in money:
                sheet.write_number(number, index, float(value), rupiah)
            else:
                sheet.write_string(number, index, str(value))
    workbook.close()
    return path


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class IndonesianValuesMixin:
    """Every shown value reads the Indonesian way unless its column has its own formatter."""

    def _init_properties(self):
        super()._init_properties()
        shown = set(self.list_columns) | set(self.show_columns)
        self.formatters_columns = {**dict.fromkeys(shown, format_value), **self.formatters_columns}


class PerRequestFiltersMixin:
    """FAB shares one search-filter object per view between requests (FAB issue 2366):
    give each request its own."""

    @property
    def _filters(self):
        if not has_request_context():
            return self.__dict__["_shared_filters"]
        cache = g.setdefault("_pundi_filters", {})
        if id(self) not in cache:
            cache[id(self)] = self.datamodel.get_filters(self.search_columns)
        return cache[id(self)]

    @_filters.setter
    def _filters(self, value):
        self.__dict__["_shared_filters"] = value


def _with_record_rules(form_class, view):
    """The form class, checking the record it would save against ``record_errors`` once
    its fields are valid, and showing each broken rule next to its field."""

    class RecordRulesForm(form_class):
        def validate(self, extra_validators=None):
            if not super().validate(extra_validators):
                return False
            errors = record_errors(view.draft(self))
            fields = [name for name in self.data if name != "csrf_token"]
            for name, message in errors.items():
                target = name if name in self else fields[0]
                self[target].errors = [*self[target].errors, message]
            return not errors

    return RecordRulesForm


class PundiModelView(IndonesianValuesMixin, PerRequestFiltersMixin, ModelView):
    """A screen with read/add/edit/delete permissions, change history and CSV export."""

    method_permission_name = VIEW_PERMISSIONS
    show_template = "pundi/show.html"
    list_template = "pundi/list.html"
    download = None  # FAB's unscoped /download/<file> is not offered
    page_size = 25
    export_columns: list[str] | None = None
    money_columns: list[str] = []
    history_masks: dict = {}

    def _init_forms(self):
        super()._init_forms()
        self.add_form = _with_record_rules(self.add_form, self)
        self.edit_form = _with_record_rules(self.edit_form, self)

    def draft(self, form) -> Any:
        """An unsaved copy of the record as the form would leave it (never added to the session)."""
        model = self.datamodel.obj
        draft = model()
        pk = getattr(form, "_id", None)
        if pk is not None:
            saved = self.datamodel.get(pk, self._base_filters)
            for attr in sa_inspect(model).attrs:
                value = getattr(saved, attr.key)
                setattr(
                    draft, attr.key, list(value) if isinstance(attr, RelationshipProperty) and attr.uselist else value
                )
        form.populate_obj(draft)
        return draft

    def pre_add(self, item):
        check_save(item)

    def _delete(self, pk):
        """FAB's delete, saying in Indonesian why a row still in use stays."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        self.pre_delete(item)
        try:
            self.datamodel.delete(item)
        except DatabaseException:
            flash(IN_USE, "danger")
        else:
            self.post_delete(item)
            flash(str(self.delete_row_message), "success")
        self.update_redirect()

    def pre_update(self, item):
        try:
            check_save(item)
        except Exception:
            self.datamodel.session.rollback()
            raise

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        widgets = self._show(pk)
        item = self.datamodel.get(pk, self._base_filters)
        return self.render_template(
            self.show_template,
            pk=pk,
            item=item,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            labels=self.label_columns,
            riwayat=self.history_visible(history_of(self.datamodel.session, self.datamodel.obj.__tablename__, pk)),
            **self.show_extra(item),
        )

    def show_extra(self, item) -> dict:
        """More for the detail page of one record (balances, aid history, …)."""
        return {}

    def history_visible(self, entries):
        """The history as this viewer may see it (masked fields masked)."""
        return mask_history(entries, self.history_masks)

    def _export_query(self):
        """The list's query as filtered and ordered now, within scope."""
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined = filters.get_joined_filters(self._base_filters)
        return self.datamodel.apply_all(
            self.datamodel.session.query(self.datamodel.obj), joined, order_column, order_direction
        )

    def _export_rows(self) -> Iterator[list[Any]]:
        """Header, then one row per record: money as plain numbers, the rest as people read it."""
        columns = self.export_columns or self.list_columns
        yield [str(self.label_columns.get(col, col)) for col in columns]
        for item in self._export_query().yield_per(1000):
            yield [self._export_cell(item, col) for col in columns]

    def _export_cell(self, item: Any, column: str) -> Any:
        value = item
        for part in column.split("."):
            value = getattr(value, part, None)
            if callable(value):
                value = value()
        if column in self.money_columns:
            return value
        formatter = self.formatters_columns.get(column)
        return safe_cell(format_value(formatter(value) if formatter else value))

    def _filename(self, extension: str) -> str:
        return f"{self.datamodel.obj.__tablename__}-{today_wita():%Y%m%d}.{extension}"

    @expose("/export/", methods=["GET"])
    @has_access
    def export(self):
        """The rows of the list as filtered now, within scope, as UTF-8 CSV with BOM."""
        return Response(
            stream_with_context(csv_stream(self._export_rows())),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{self._filename("csv")}"'},
        )

    @expose("/export_xlsx/", methods=["GET"])
    @has_access
    def export_xlsx(self):
        """The same rows as an Excel workbook (money as numbers), built with bounded memory."""
        path = xlsx_file(self._export_rows(), self.list_title, self._money_indexes())
        response = send_file(path, as_attachment=True, download_name=self._filename("xlsx"))
        response.call_on_close(lambda: os.remove(path))
        return response

    def _money_indexes(self) -> set[int]:
        columns = self.export_columns or self.list_columns
        return {index for index, col in enumerate(columns) if col in self.money_columns}


class ScopedModelView(PundiModelView):
    """A screen over a kecamatan-scoped model: see module docstring."""

    base_filters = SCOPE_FILTER

    def _init_forms(self):
        self.add_form_query_rel_fields = _scoped_relations(self.datamodel, self.add_form_query_rel_fields)
        self.edit_form_query_rel_fields = _scoped_relations(self.datamodel, self.edit_form_query_rel_fields)
        self.search_form_query_rel_fields = _scoped_relations(self.datamodel, self.search_form_query_rel_fields)
        super()._init_forms()

    def _scoped_item(self, pk):
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is None:
            abort(404)
        return item

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions:
            abort(404)
        self._scoped_item(pk)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        pks = request.form.getlist("rowid")
        items = [self._scoped_item(pk) for pk in pks]
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            flash(str(_("Access is Denied")), "danger")
            return redirect(self.get_redirect())
        return self.actions[name].func(items)

    @fab_action("muldelete", "Hapus", "Hapus semua data terpilih?", "fa-trash", single=False)
    def muldelete(self, items):
        try:
            self.datamodel.delete_all(items)
        except DatabaseException:
            flash(IN_USE, "danger")
        else:
            flash(f"{_('Deleted Row')} ({len(items)})", "success")
        return redirect(self.get_redirect())


class PundiApi(ModelRestApi):
    """REST API with read/add/edit/delete permissions and CSRF protection (session login)."""

    method_permission_name = API_PERMISSIONS
    csrf_exempt = False
    allow_browser_login = True

    def response_422(self, message=None):
        """FAB puts the database's own error text here; say it in Indonesian instead."""
        if isinstance(message, str) and message.startswith("Database exception"):
            message = (
                "Data tidak dapat disimpan: bentrok dengan data lain yang baru saja disimpan. "
                "Muat ulang lalu coba lagi."
            )
        return super().response_422(message=message)


class ScopedApi(PundiApi):
    """REST API over a scoped model: scope on reads, `_info` choices and every write."""

    base_filters = SCOPE_FILTER

    def _init_properties(self):
        super()._init_properties()
        self.add_query_rel_fields = _scoped_relations(self.datamodel, self.add_query_rel_fields)
        self.edit_query_rel_fields = _scoped_relations(self.datamodel, self.edit_query_rel_fields)

    def pre_add(self, item):
        check_save(item)

    def pre_update(self, item):
        check_save(item)

    def _refusing_scope_violations(self, handler, *args):
        try:
            return handler(*args)
        except ScopeViolation as exc:
            self.datamodel.session.rollback()
            return self.response_400(message=exc.message)
        except InvalidRecord as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=exc.errors)
        except InsufficientStock as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=str(exc))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def post(self):
        return self._refusing_scope_violations(self.post_headless)

    @expose("/<pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk):
        return self._refusing_scope_violations(self.put_headless, pk)
