import pytest

from shequ.lib.phones import PhoneError, mask_phone, parse_phone


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_mobiles(value: str, stored: str) -> None:
    assert parse_phone(value) == stored


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("(010) 6234 5678", "010-62345678"),
        ("020-81234567", "020-81234567"),
        ("（020）81234567", "020-81234567"),
        ("0755-81234567", "0755-81234567"),
        ("0755 8123 4567", "0755-81234567"),
    ],
)
def test_landlines_with_area_code(value: str, stored: str) -> None:
    assert parse_phone(value) == stored


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("020-81234567转123", "020-81234567-123"),
        ("0755-81234567 转 8", "0755-81234567-8"),
        ("010-62345678 ext. 4402", "010-62345678-4402"),
        ("010-62345678 EXT 12", "010-62345678-12"),
        ("020-81234567 x12", "020-81234567-12"),
        ("020-81234567#8", "020-81234567-8"),
    ],
)
def test_extensions(value: str, stored: str) -> None:
    assert parse_phone(value) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the phone number"),
        ("  ", "Enter the phone number"),
        ("138a1234567", "A phone number cannot contain “a”"),
        ("138.1234.5678", "A phone number cannot contain “.”"),
        ("1381234567", "A mobile number should have 11 digits, not 10"),
        ("138123456789", "A mobile number should have 11 digits, not 12"),
        ("+86 1381234567", "A mobile number should have 11 digits, not 10"),
        ("12012345678", "Mobile numbers do not start with 120"),
        ("10012345678", "Mobile numbers do not start with 100"),
        ("81234567", "Add the area code to a landline number, for example 020-81234567"),
        ("099-1234567", "The landline number 0991234567 has a wrong area code or length"),
        ("020-8123456", "The landline number 0208123456 has a wrong area code or length"),
        ("0755-812345", "The landline number 0755812345 has a wrong area code or length"),
    ],
)
def test_errors_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(PhoneError) as error:
        parse_phone(value)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        ("020-81234567", "020****4567"),
        ("0755-81234567", "075*****4567"),
        ("1234567", "*******"),
    ],
)
def test_masking_keeps_first_3_and_last_4(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


@pytest.mark.parametrize("stored", ["13812345678", "010-62345678", "0755-81234567"])
def test_a_stored_number_parses_to_itself(stored: str) -> None:
    assert parse_phone(stored) == stored
