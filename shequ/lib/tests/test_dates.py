import datetime as dt

import pytest

from shequ.lib.dates import parse_date


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2023, 5, 1),
        dt.datetime(2023, 5, 1, 14, 30),
        "2023-05-01",
        "2023-5-1",
        "2023/5/1",
        "2023/05/01",
        "2023.5.1",
        "2023年5月1日",
        "2023年05月01日",
        "2023年5月1号",
        "２０２３年５月１日",
        "20230501",
        20230501,
        20230501.0,
        " 2023-05-01 ",
        "2023-05-01 00:00:00",
        "2023-05-01T08:30",
        "2023/5/1 8:30:15",
        45047,
        45047.6,
    ],
)
def test_parse_date_accepts_the_usual_forms(value: object) -> None:
    assert parse_date(value) == dt.date(2023, 5, 1)


def test_excel_day_numbers_around_the_phantom_leap_day() -> None:
    assert parse_date(1) == dt.date(1900, 1, 1)
    assert parse_date(59) == dt.date(1900, 2, 28)
    assert parse_date(61) == dt.date(1900, 3, 1)
    assert parse_date(2_958_465) == dt.date(9999, 12, 31)


def test_leap_day_is_a_real_date() -> None:
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", "“2023-02-30” is not a real date: 2023-02 has no day 30"),
        ("2023-02-29", "“2023-02-29” is not a real date: 2023-02 has no day 29"),
        ("2023年4月31日", "“2023年4月31日” is not a real date: 2023-04 has no day 31"),
        ("2023-13-01", "“2023-13-01” has the month 13: months run from 1 to 12"),
        ("20230001", "“20230001” has the month 0: months run from 1 to 12"),
        (20231301, "“20231301” has the month 13: months run from 1 to 12"),
        (
            "2023/5-1",
            "“2023/5-1” is not a date: write it as 2023-05-01, 2023/5/1, 2023.5.1, "
            "2023年5月1日 or 20230501",
        ),
        (
            "5/1/2023",
            "“5/1/2023” is not a date: write it as 2023-05-01, 2023/5/1, 2023.5.1, "
            "2023年5月1日 or 20230501",
        ),
        (
            "yesterday",
            "“yesterday” is not a date: write it as 2023-05-01, 2023/5/1, 2023.5.1, "
            "2023年5月1日 or 20230501",
        ),
        (2023, "2023 is a year, not a date: write the whole date, such as 2023-05-01"),
        (60, "The number 60 is not a date: format the cell as a date or as text"),
        (0, "The number 0 is not a date: format the cell as a date or as text"),
        (-5.5, "The number -5.5 is not a date: format the cell as a date or as text"),
        (3_000_000, "The number 3000000 is not a date: format the cell as a date or as text"),
        ("", "Enter a date such as 2023-05-01"),
        ("   ", "Enter a date such as 2023-05-01"),
        (None, "Enter a date such as 2023-05-01"),
        (True, "Enter a date such as 2023-05-01"),
        ([2023, 5, 1], "Enter a date such as 2023-05-01"),
        (float("nan"), "Enter a date such as 2023-05-01"),
        (float("inf"), "Enter a date such as 2023-05-01"),
    ],
)
def test_parse_date_says_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(value)
    assert str(caught.value) == message
