"""Tests for USCC and resident ID number validation in shared.identifiers."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.identifiers import (
    USCC_ALPHABET,
    IdNumber,
    InvalidIdentifier,
    id_number_check_character,
    make_id_number,
    make_uscc,
    mask_id_number,
    uscc_check_character,
    validate_id_number,
    validate_uscc,
)

TODAY = date(2025, 6, 1)
ID_CHECK_CHARACTERS = "0123456789X"

uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)
region_codes = st.text(alphabet="0123456789", min_size=6, max_size=6)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 5, 31))
sequences = st.integers(min_value=0, max_value=99)
genders = st.sampled_from(["male", "female"])


@st.composite
def id_number_bodies(draw: st.DrawFn) -> str:
    """17 digits with a real birth date, so only the check character can be wrong."""
    birth_date = draw(birth_dates)
    tail = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{draw(region_codes)}{birth_date:%Y%m%d}{tail}"


# --- USCC ---------------------------------------------------------------------


def test_uscc_hand_computed_example_is_valid() -> None:
    # Body 91330000000000000, weights 1,3,9,27,...:
    # 9*1 + 1*3 + 3*9 + 3*27 = 120; 120 mod 31 = 27; (31 - 27) mod 31 = 4 -> "4".
    assert uscc_check_character("91330000000000000") == "4"
    assert validate_uscc("913300000000000004") == "913300000000000004"


def test_uscc_of_class_n_with_hand_computed_check_character_is_valid() -> None:
    # N has value 22: 22*1 = 22; (31 - 22) mod 31 = 9 -> "9".
    assert validate_uscc("N00000000000000009") == "N00000000000000009"


def test_uscc_of_class_y_with_hand_computed_check_character_is_valid() -> None:
    # Y has value 30: 30*1 = 30; (31 - 30) mod 31 = 1 -> "1".
    assert validate_uscc("Y00000000000000001") == "Y00000000000000001"


@given(uscc_bodies)
def test_uscc_with_computed_check_character_is_accepted(body: str) -> None:
    code = body + uscc_check_character(body)
    assert validate_uscc(code) == code


@given(uscc_bodies)
def test_uscc_with_any_other_check_character_is_refused(body: str) -> None:
    expected = uscc_check_character(body)
    for wrong in USCC_ALPHABET.replace(expected, ""):
        with pytest.raises(InvalidIdentifier, match="check character does not match"):
            validate_uscc(body + wrong)


@given(st.sampled_from("NY"), st.text(alphabet=USCC_ALPHABET, min_size=16, max_size=16))
def test_letter_first_uscc_of_classes_n_and_y_is_valid(first: str, rest: str) -> None:
    code = make_uscc(first + rest)
    assert code[0] == first
    assert validate_uscc(code) == code


def test_uscc_is_normalised_to_uppercase_without_surrounding_whitespace() -> None:
    assert validate_uscc("  n00000000000000009\n") == "N00000000000000009"


def test_uscc_of_wrong_length_is_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="must be 18 characters"):
        validate_uscc("91330000000000000")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_uscc_with_a_letter_outside_the_alphabet_is_refused_naming_it(letter: str) -> None:
    code = "9133" + letter + "0000000000000"
    with pytest.raises(InvalidIdentifier, match=f"'{letter}' at position 5"):
        validate_uscc(code)


def test_uscc_check_error_does_not_reveal_the_expected_character() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_uscc("913300000000000005")
    assert str(caught.value) == "check character does not match"


def test_invalid_identifier_is_a_value_error() -> None:
    assert issubclass(InvalidIdentifier, ValueError)


# --- Resident ID number -------------------------------------------------------


def test_id_number_hand_computed_example_is_valid() -> None:
    # Example from GB 11643-1999. Digits 11010519491231002 times weights
    # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2;
    # "10X98765432"[2] = "X".
    assert id_number_check_character("11010519491231002") == "X"
    id_number = validate_id_number("11010519491231002X", today=TODAY)
    assert id_number == IdNumber(
        value="11010519491231002X", birth_date=date(1949, 12, 31), gender="female"
    )
    assert id_number.region_code == "110105"


@given(id_number_bodies())
def test_id_number_with_computed_check_character_is_accepted(body: str) -> None:
    value = body + id_number_check_character(body)
    assert validate_id_number(value, today=TODAY).value == value


@given(id_number_bodies())
def test_id_number_with_any_other_check_character_is_refused(body: str) -> None:
    expected = id_number_check_character(body)
    for wrong in ID_CHECK_CHARACTERS.replace(expected, ""):
        with pytest.raises(InvalidIdentifier, match="check character does not match"):
            validate_id_number(body + wrong, today=TODAY)


@given(region_codes, birth_dates, sequences, genders)
def test_made_id_number_is_valid_and_encodes_its_inputs(
    region_code: str, birth_date: date, sequence: int, gender: str
) -> None:
    value = make_id_number(region_code, birth_date, sequence, gender)
    id_number = validate_id_number(value, today=TODAY)
    assert id_number.region_code == region_code
    assert id_number.birth_date == birth_date
    assert id_number.gender == gender
    assert value[14:16] == f"{sequence:02d}"


def test_id_number_with_17_characters_is_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="must be 18 characters"):
        validate_id_number("11010519491231002", today=TODAY)


def test_id_number_with_future_birth_date_is_refused() -> None:
    value = make_id_number("330402", date(2025, 6, 2), 1, "male")
    with pytest.raises(InvalidIdentifier, match="birth date is in the future"):
        validate_id_number(value, today=TODAY)


def test_id_number_born_today_is_refused() -> None:
    value = make_id_number("330402", TODAY, 1, "male")
    with pytest.raises(InvalidIdentifier, match="birth date must be before today"):
        validate_id_number(value, today=TODAY)


def test_id_number_born_before_1900_is_refused() -> None:
    value = make_id_number("330402", date(1899, 12, 31), 1, "male")
    with pytest.raises(InvalidIdentifier, match="before 1900"):
        validate_id_number(value, today=TODAY)


@pytest.mark.parametrize("birth_digits", ["19000230", "20250231", "19991301", "19990100"])
def test_id_number_with_impossible_birth_date_is_refused(birth_digits: str) -> None:
    body = f"330402{birth_digits}123"
    value = body + id_number_check_character(body)
    with pytest.raises(InvalidIdentifier, match=f"birth date {birth_digits} is not a real date"):
        validate_id_number(value, today=TODAY)


def test_id_number_with_lowercase_x_is_normalised_to_uppercase() -> None:
    assert validate_id_number(" 11010519491231002x ", today=TODAY).value == "11010519491231002X"


def test_id_number_with_a_letter_in_the_body_is_refused_naming_it() -> None:
    with pytest.raises(InvalidIdentifier, match="'A' at position 3"):
        validate_id_number("11A10519491231002X", today=TODAY)


def test_id_number_with_odd_17th_digit_is_male_and_even_is_female() -> None:
    male = validate_id_number(make_id_number("330402", date(1990, 5, 17), 12, "male"), TODAY)
    female = validate_id_number(make_id_number("330402", date(1990, 5, 17), 12, "female"), TODAY)
    assert (male.gender, female.gender) == ("male", "female")
    assert int(male.value[16]) % 2 == 1
    assert int(female.value[16]) % 2 == 0
    assert male.birth_date == date(1990, 5, 17)


def test_id_number_is_validated_against_the_current_date_by_default() -> None:
    value = make_id_number("330402", date(1990, 5, 17), 12, "male")
    assert validate_id_number(value).birth_date == date(1990, 5, 17)


def test_id_number_is_immutable() -> None:
    id_number = validate_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(AttributeError):
        id_number.value = "x"  # type: ignore[misc]


def test_masked_id_number_keeps_first_six_and_last_four_characters() -> None:
    assert mask_id_number("33040219900517123X") == "330402********123X"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("33040", date(1990, 1, 1), 0, "male"), "region code"),
        (("330402", date(1990, 1, 1), 100, "male"), "sequence"),
        (("330402", date(1990, 1, 1), 0, "other"), "gender"),
    ],
)
def test_make_id_number_refuses_bad_arguments(
    args: tuple[str, date, int, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_id_number(*args)
