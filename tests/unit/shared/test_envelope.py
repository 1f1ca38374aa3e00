from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.events import (
    MalformedEvent,
    Message,
    UnknownEventType,
    from_message,
    new_event,
    restore_event,
    to_message,
    to_message_by_sdk,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    data=st.dictionaries(st.text(max_size=10), json_values, max_size=6),
    subject=st.text(min_size=1, max_size=20),
)
def test_the_relay_encoding_equals_the_cloudevents_sdk_mapping(data: dict, subject: str) -> None:
    event = new_event("registry", "jiangong.worker.updated.v1", subject, data)
    assert to_message(event) == to_message_by_sdk(event)


def test_an_event_survives_the_binary_mode_round_trip_with_its_identity() -> None:
    time = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    event = restore_event(
        id="e-1",
        source="/jiangong/registry",
        type="jiangong.worker.left.v1",
        subject="w9",
        time=time,
        data={"id": "w9", "name": "王芳"},
    )
    back = from_message(to_message(event))
    assert (back.get_id(), back.get_source(), back.get_subject(), back.get_time()) == (
        "e-1",
        "/jiangong/registry",
        "w9",
        time,
    )
    assert back.get_data() == {"id": "w9", "name": "王芳"}
    assert to_message(event).key == b"w9"


def test_a_producer_cannot_emit_a_type_outside_the_catalogue_or_anothers_type() -> None:
    with pytest.raises(UnknownEventType):
        new_event("registry", "jiangong.worker.teleported.v1", "w1", {})
    with pytest.raises(UnknownEventType):
        new_event("registry", "jiangong.skill.promoted.v1", "w1", {})


def test_records_without_the_envelope_or_with_bad_json_are_poison() -> None:
    good = to_message(new_event("registry", "jiangong.worker.left.v1", "w1", {"id": "w1"}))
    with pytest.raises(MalformedEvent, match="ce_type"):
        from_message(Message(good.key, good.value, [h for h in good.headers if h[0] != "ce_type"]))
    with pytest.raises(MalformedEvent):
        from_message(Message(good.key, b"{oops", good.headers))
    with pytest.raises(MalformedEvent, match="JSON object"):
        from_message(Message(good.key, b"[1, 2]", good.headers))
