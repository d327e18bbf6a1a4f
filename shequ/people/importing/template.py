"""The template of each register: a header row to fill in and a sheet explaining each column.

Identity-number and phone columns are formatted as text, so that Excel keeps every digit of
an 18-digit number (as a number it would round it to 15 significant digits).
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from shequ.people.importing.columns import CHOICE_WORDS, COLUMNS
from shequ.people.models import ImportKind

TEXT_COLUMNS = {
    "id_number",
    "phone",
    "landlord_id",
    "tenant_ids",
    "household_number",
    "permit_number",
}
# Rows formatted in advance in the text columns.
PREFORMATTED_ROWS = 2000


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = COLUMNS[kind]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(ImportKind(kind).label)[:31]
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=str(column.label))
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        sheet.column_dimensions[letter].width = max(12, len(str(column.label)) * 2 + 2)
        if column.key in TEXT_COLUMNS:
            for row in range(2, PREFORMATTED_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(_("Notes"))
    notes.append([_("Column"), _("Required"), _("What to write")])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append(
            [str(column.label), _("yes") if column.required else _("no"), str(column.note)]
        )
    notes.append([])
    notes.append(
        [
            _(
                "Fill in the first sheet from row 2 on; do not change the header row. Columns may come in any order; the usual Chinese headers (姓名, 身份证号 ...) are recognised too. Save as .xlsx, or as CSV (UTF-8 or GBK). The file is imported whole or not at all: when a row is wrong nothing changes, and a report lists every problem with its row and column. Importing the same file again updates the records instead of adding them twice."
            )
        ]
    )
    words = {key: values for key, values in CHOICE_WORDS.items() if key in {c.key for c in columns}}
    for key, choices in words.items():
        label = next(str(c.label) for c in columns if c.key == key)
        notes.append([label, "", "、".join(w for options in choices.values() for w in options[:2])])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
