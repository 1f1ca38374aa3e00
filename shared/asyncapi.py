"""An AsyncAPI 3 document per service, generated from what it declares: the types it produces
on its topic (with the producer's schemas) and the types it consumes (with its own tolerant
schemas). Served at ``/api/asyncapi.json``."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response, jsonify

from shared.events import CATALOGUE, topic_of
from shared.runtime import ServiceDefinition, runtime_of

HEADERS = {
    "type": "object",
    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject"],
    "properties": {
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_source": {"type": "string", "example": "/jiangong/registry"},
        "ce_type": {"type": "string"},
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "the aggregate id, also the key"},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def asyncapi_document(definition: ServiceDefinition) -> dict[str, Any]:
    spec = APISpec("schemas", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    produced = dict(definition.produces)
    consumed = {t: s.schema for t, s in definition.consumes().items()}
    messages: dict[str, Any] = {}
    for event_type, schema in {**consumed, **produced}.items():
        name = event_type.removeprefix("jiangong.").replace(".", "_")
        spec.components.schema(name, schema=schema)
        messages[name] = {
            "name": event_type,
            "contentType": "application/json",
            "headers": HEADERS,
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    by_topic: dict[str, list[str]] = {}
    for event_type in consumed:
        by_topic.setdefault(topic_of(CATALOGUE[event_type]), []).append(event_type)
    for action, topic, types in [
        ("send", topic_of(definition.name), list(produced)),
        *[("receive", topic, types) for topic, types in sorted(by_topic.items())],
    ]:
        if not types:
            continue
        names = [t.removeprefix("jiangong.").replace(".", "_") for t in types]
        channels[topic] = {
            "address": topic,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        }
        operations[f"{action}_{topic.replace('.', '_')}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{topic}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"Jiangong {definition.name} events",
            "version": "1",
            "description": "CloudEvents 1.0 in the Kafka binary content mode; the key is the "
            "subject. Dead letters go to jiangong.dlq.<consumer group>.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": spec.to_dict().get("components", {}).get("schemas", {}),
        },
    }


def asyncapi_blueprint(app: Flask) -> Blueprint:
    blueprint = Blueprint("asyncapi", __name__)

    @blueprint.get("/api/asyncapi.json")
    def document() -> Response:
        return jsonify(asyncapi_document(runtime_of(app).definition))

    return blueprint
