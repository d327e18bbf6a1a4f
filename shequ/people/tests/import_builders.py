"""Files for the import tests: valid identity numbers, person rows, xlsx and CSV bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from shequ.lib.idnumbers import check_char

PERSON_HEADER = [
    "户号", "与户主关系", "姓名", "身份证号", "性别", "出生日期", "联系电话", "居住状态",
    "户籍地", "居住证号", "居住证有效期至", "楼栋地址", "单元", "房号", "网格",
]  # fmt: skip


def id_number(serial: int, birth: dt.date = dt.date(1980, 5, 1), male: bool = True) -> str:
    """A valid 18-digit number; `serial` (0-499) makes it unique for the birth date."""
    sequence = serial * 2 + (1 if male else 0)
    first17 = f"110105{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def person_row(serial: int, grid: str, **overrides: Any) -> dict[str, Any]:
    """One valid person row: each serial a household of its own, headed by the person."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=serial % 20000)
    row = {
        "户号": f"H{serial:06d}",
        "与户主关系": "户主",
        "姓名": f"王{'伟芳娜敏静丽强磊军洋'[serial % 10]}{serial}",
        "身份证号": id_number(serial % 500, birth),
        "性别": "男",
        "出生日期": birth.isoformat(),
        "联系电话": f"138{serial:08d}",
        "居住状态": "户籍",
        "户籍地": "北京市朝阳区",
        "居住证号": "",
        "居住证有效期至": "",
        "楼栋地址": "",
        "单元": "",
        "房号": "",
        "网格": grid,
    }
    row.update(overrides)
    return row


def as_csv(
    rows: Iterable[dict[str, Any]],
    header: Sequence[str] = PERSON_HEADER,
    encoding: str = "utf-8-sig",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows: Iterable[dict[str, Any]], header: Sequence[str] = PERSON_HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员")
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(name) if row.get(name) != "" else None for name in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
