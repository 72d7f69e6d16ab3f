"""The consumer forms' own logic: product rows added and removed without JavaScript, and a
service's refusal placed on the field it names."""

from __future__ import annotations

import pytest

from rabatt.claims.forms import MAX_LINES, DetailsForm, PurchaseForm
from rabatt.core.errors import DomainError

ROWS = {"country": "NO", "product_0": "beam", "price_0": "1", "quantity_0": "1",
        "product_1": "sub", "price_1": "2", "quantity_1": "2",
        "product_2": "era", "price_2": "3", "quantity_2": "3"}


@pytest.mark.parametrize(("posted", "count"), [
    ("3", 3), ("0", 1), ("-2", 1), (str(MAX_LINES + 5), MAX_LINES), ("x", 1), (None, 1)])
def test_the_number_of_rows_is_read_within_bounds(posted, count):
    data = {} if posted is None else {"lines": posted}
    assert PurchaseForm.line_count_of(data) == count


def test_adding_a_row_stops_at_the_maximum():
    assert PurchaseForm.lines_edited(ROWS, "add_line", 3) == (ROWS, 4)
    assert PurchaseForm.lines_edited(ROWS, "add_line", MAX_LINES) == (ROWS, MAX_LINES)


def test_removing_a_row_moves_the_later_rows_up():
    data, count = PurchaseForm.lines_edited(ROWS, "remove_line:1", 3)
    assert count == 2
    assert data == {"country": "NO", "product_0": "beam", "price_0": "1", "quantity_0": "1",
                    "product_1": "era", "price_1": "3", "quantity_1": "3"}


@pytest.mark.parametrize(("action", "count"), [
    ("remove_line:3", 3), ("remove_line:x", 3), ("remove_line:-1", 3), ("remove_line:0", 1)])
def test_an_impossible_removal_changes_nothing(action, count):
    assert PurchaseForm.lines_edited(ROWS, action, count) == (ROWS, count)


def test_a_refusal_goes_on_the_field_it_names_or_above_the_form():
    form = DetailsForm({}, country="NO")
    form.is_valid()
    form.add_refusal(DomainError("Wrong IBAN.", fields={"bank.iban": "invalid"}))
    assert "Wrong IBAN." in form.errors["iban"]
    form.add_refusal(DomainError("Bank says no."))
    assert form.non_field_errors() == ["Bank says no."]


def test_one_line_fields_refuse_line_breaks_and_the_message_box_keeps_them():
    from rabatt.claims.forms import AnswerForm

    form = DetailsForm({"first_name": "Kari\r\nBcc: x@y.z", "last_name": "Nord\x0bmann",
                        "city": "Oslo"}, country="NO")
    assert not form.is_valid()
    single = "Please use a single line, without line breaks or control characters."
    assert form.errors["first_name"] == [single]
    assert form.errors["last_name"] == [single]
    assert "city" not in form.errors
    answer = AnswerForm({"message": "Line one\r\nLine two", "city": "Oslo\nBergen"})
    assert not answer.is_valid()
    assert list(answer.errors) == ["city"]
