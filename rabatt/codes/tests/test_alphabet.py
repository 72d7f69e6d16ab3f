from hypothesis import given
from hypothesis import strategies as st

from rabatt.codes.alphabet import ALPHABET, LENGTH, display, generate, normalise


def test_generated_codes_are_valid_and_grouped():
    code = generate()
    assert len(code) == LENGTH == 16
    assert normalise(code) == code
    assert display(code).count("-") == 3


def test_any_case_spaces_and_dashes_are_accepted():
    code = generate()
    typed = " " + display(code).lower().replace("-", " - ") + " "
    assert normalise(typed) == code


def test_confusable_letters_read_as_digits():
    body = "0" * 7 + "1" * 8
    from rabatt.codes.alphabet import check_symbol

    code = body + check_symbol(body)
    assert normalise(code.replace("0", "O").replace("1", "l")) == code


@given(st.data())
def test_every_single_mistyped_symbol_is_caught(data):
    code = generate()
    position = data.draw(st.integers(min_value=0, max_value=LENGTH - 1))
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    typo = code[:position] + replacement + code[position + 1:]
    assert normalise(typo) is None


def test_wrong_length_and_foreign_symbols_are_refused():
    code = generate()
    assert normalise(code[:-1]) is None
    assert normalise(code + "0") is None
    assert normalise(code[:-1] + "U") is None
    assert normalise("") is None


def test_randomness_is_at_least_60_bits():
    import math

    assert (LENGTH - 1) * math.log2(len(ALPHABET)) >= 60
