from shared.http import flatten_errors


def test_nested_validation_messages_are_named_by_dotted_field() -> None:
    messages = {
        "uscc": ["check character does not match"],
        "team_size": {"min": ["Must be greater than or equal to 1."]},
        "criteria": {0: {"weight": ["Not a valid number."]}},
        "_schema": ["max must not be below min"],
    }
    assert flatten_errors(messages) == {
        "uscc": ["check character does not match"],
        "team_size.min": ["Must be greater than or equal to 1."],
        "criteria.0.weight": ["Not a valid number."],
        "body": ["max must not be below min"],
    }
