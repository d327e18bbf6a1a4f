import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequ.lib.divisions import PROVINCES
from shequ.lib.idnumbers import (
    DocType,
    IdentityError,
    check_char,
    mask_identity,
    parse_identity,
    upgrade_15,
)

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643: 2^(18-i) mod 11, i = 1..17
REAL_COUNTIES = ["110105", "130105", "440106", "650102", "320102"]
MAINLAND = sorted(set(PROVINCES) - {"71", "81", "82"})
LAST_BIRTH = min(dt.date(2025, 12, 31), dt.date.today())


def mod11_2(first17: str) -> str:
    """The check character computed from the standard's definition, apart from the code."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_number(address: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{sequence:03d}"
    return first17 + mod11_2(first17)


addresses = st.one_of(
    st.sampled_from(REAL_COUNTIES),
    st.builds(
        lambda province, rest: f"{province}{rest:04d}",
        st.sampled_from(MAINLAND),
        st.integers(min_value=0, max_value=9999),
    ),
)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=LAST_BIRTH)
sequences = st.integers(min_value=0, max_value=999)
numbers = st.builds(make_number, addresses, births, sequences)


def test_weights_are_the_standard_ones() -> None:
    assert WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@given(address=st.sampled_from(REAL_COUNTIES), birth=births, sequence=sequences)
def test_valid_numbers_are_accepted_with_birth_date_and_gender(
    address: str, birth: dt.date, sequence: int
) -> None:
    number = make_number(address, birth, sequence)

    identity = parse_identity(number)

    assert identity.number == number
    assert identity.doc_type == DocType.ID_CARD
    assert identity.birth_date == birth
    assert identity.gender == ("M" if sequence % 2 else "F")
    assert identity.province == PROVINCES[address[:2]]
    assert identity.warnings == ()


@given(number=numbers)
def test_any_mainland_province_is_accepted(number: str) -> None:
    assert parse_identity(number).number == number


@given(number=numbers, data=st.data())
def test_any_single_character_change_is_rejected(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from([c for c in "0123456789X" if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]

    with pytest.raises(IdentityError):
        parse_identity(changed)


@given(address=st.sampled_from(REAL_COUNTIES), birth=births, sequence=sequences)
def test_a_15_digit_number_is_upgraded(address: str, birth: dt.date, sequence: int) -> None:
    birth = birth.replace(year=1900 + birth.year % 100) if birth.year >= 2000 else birth
    old = f"{address}{birth:%y%m%d}{sequence:03d}"

    identity = parse_identity(old)

    assert identity.number == make_number(address, birth, sequence)
    assert upgrade_15(old) == identity.number
    assert identity.birth_date == birth


def test_known_15_digit_pair() -> None:
    # The example of GB 11643 in both forms.
    assert upgrade_15("110105491231002") == "11010519491231002X"
    identity = parse_identity("110105491231002")
    assert identity.number == "11010519491231002X"
    assert identity.birth_date == dt.date(1949, 12, 31)
    assert identity.gender == "F"


def test_check_char_matches_the_standard() -> None:
    assert check_char("11010519491231002") == "X"
    assert check_char("13010519800101123") == mod11_2("13010519800101123")


def test_lower_case_x_is_accepted_and_stored_upper_case() -> None:
    assert parse_identity("11010519491231002x").number == "11010519491231002X"


def test_full_width_digits_and_spaces_are_normalised() -> None:
    assert parse_identity("１１０１０５ １９４９１２３１ ００２ｘ").number == "11010519491231002X"


def test_wrong_check_character_message() -> None:
    with pytest.raises(IdentityError) as error:
        parse_identity("110105194912310028")

    assert str(error.value) == (
        "The check character (character 18) should be X, not 8: check the number"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the identity number"),
        ("   ", "Enter the identity number"),
        ("1101051949123", "The identity number should have 18 characters, not 13"),
        ("11010519491231002X1", "The identity number should have 18 characters, not 19"),
        ("11010549123100A", "A 15-digit identity number may contain digits only"),
        ("1101051949123100AX", "Character 17 should be a digit, not “A”"),
        ("11010519491231002Y", "Character 18 may only be a digit or X, not “Y”"),
        ("11010519491231002", "The identity number should have 18 characters, not 17"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(IdentityError) as error:
        parse_identity(value)

    assert str(error.value) == message


def test_impossible_birth_date() -> None:
    first17 = "11010519490231002"
    with pytest.raises(IdentityError) as error:
        parse_identity(first17 + mod11_2(first17))

    assert str(error.value) == (
        "Characters 7-14 give the birth date 19490231, which is not a real date"
    )


@pytest.mark.parametrize("birth", ["18891231", "20991231"])
def test_birth_date_out_of_range(birth: str) -> None:
    first17 = f"110105{birth}002"
    with pytest.raises(IdentityError) as error:
        parse_identity(first17 + mod11_2(first17))

    assert str(error.value) == (
        f"Characters 7-14 give the birth date {birth}, which is out of range"
    )


def test_unknown_province_is_an_error() -> None:
    number = make_number("990101", dt.date(1980, 1, 1), 123)
    with pytest.raises(IdentityError) as error:
        parse_identity(number)

    assert str(error.value) == ("Characters 1-2 give the province code 99, which does not exist")


def test_unknown_county_is_a_warning_not_an_error() -> None:
    number = make_number("110199", dt.date(1980, 1, 1), 123)

    identity = parse_identity(number)

    assert identity.number == number
    assert identity.province == "北京市"
    assert identity.warnings == (
        "Characters 1-6 give the address code 110199, which is not a known county code: check it",
    )


@pytest.mark.parametrize(("prefix", "place"), [("81", "香港"), ("82", "澳门"), ("83", "台湾")])
def test_hmt_permit_numbers(prefix: str, place: str) -> None:
    number = make_number(f"{prefix}0000", dt.date(1990, 5, 17), 35)

    identity = parse_identity(number, DocType.HMT_PERMIT)

    assert identity.doc_type == DocType.HMT_PERMIT
    assert identity.province == place
    assert identity.birth_date == dt.date(1990, 5, 17)
    assert identity.gender == "M"

    with pytest.raises(IdentityError) as error:
        parse_identity(number, DocType.ID_CARD)
    assert str(error.value) == (
        f"A number starting with {prefix} is a Hong Kong, Macao or Taiwan residence permit: "
        "choose that document type"
    )


def test_hmt_permit_needs_its_prefix() -> None:
    with pytest.raises(IdentityError) as error:
        parse_identity("11010519491231002X", "hmt_permit")

    assert str(error.value) == (
        "A residence permit for Hong Kong, Macao and Taiwan residents starts with 81, 82 or 83"
    )


def test_foreign_permanent_residence_card_checks_checksum_and_date_only() -> None:
    number = make_number("310000", dt.date(1985, 3, 9), 18)

    identity = parse_identity(number, DocType.FOREIGN_PR)

    assert identity.doc_type == DocType.FOREIGN_PR
    assert identity.province == "上海市"
    assert identity.warnings == ()


def test_masking_keeps_first_6_and_last_4() -> None:
    assert mask_identity("11010519491231002X") == "110105********002X"
    assert parse_identity("11010519491231002X").masked == "110105********002X"
    assert mask_identity("1234567890") == "**********"
