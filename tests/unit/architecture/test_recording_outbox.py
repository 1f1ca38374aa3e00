"""The outbox every unit suite hands its handlers refuses what the kernel's outbox refuses: an
event its service does not publish, data its schema refuses; and keeps what it accepts."""

from __future__ import annotations

from typing import Any

import pytest

from jiangong.services import available, definition
from services.registry.events import ENTERPRISE_REGISTERED
from shared.outbox import EventDataInvalid, Outbox
from tests.support.outbox import RecordingOutbox

PRODUCERS = [name for name in available() if definition(name).produces]
UNPUBLISHED = "jiangong.nothing.happened.v1"


@pytest.mark.parametrize("name", PRODUCERS)
def test_each_event_without_its_data_is_refused_as_the_kernel_refuses_it(name: str) -> None:
    service = definition(name)
    outboxes: list[Any] = [
        Outbox(service.kernel.outbox, name, service.produces),  # refuses before it writes
        RecordingOutbox(service.produces),
    ]
    for event_type in [*service.produces, UNPUBLISHED]:
        for outbox in outboxes:
            with pytest.raises(EventDataInvalid):
                outbox.add(None, event_type, "subject", {})
    assert outboxes[1].added == []


def test_what_the_schema_accepts_is_kept_in_order() -> None:
    outbox = RecordingOutbox(definition("registry").produces)
    enterprise = {
        "id": "ent-1",
        "uscc": "91330400MA2B1234X5",
        "name": "嘉兴示范机械有限公司",
        "region_code": "330402",
        "county_code": "330402",
        "has_union": True,
        "above_designated_size": True,
        "ownership": "non_public",
        "employee_count": 120,
        "active": True,
    }
    outbox.add(None, ENTERPRISE_REGISTERED, "ent-1", enterprise)
    outbox.add_many(None, ENTERPRISE_REGISTERED, [("ent-2", {**enterprise, "id": "ent-2"})])
    assert outbox.types() == [ENTERPRISE_REGISTERED] * 2
    assert [data["id"] for data in outbox.of(ENTERPRISE_REGISTERED)] == ["ent-1", "ent-2"]
