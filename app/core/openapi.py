"""JSON contracts declared once, as pydantic models: the pieces of an OpenAPI 3.1 document
made from them, and a model's refusal of a request put in words for its 400 answer.

Used by the check-in API (app/checkin/api/openapi.py) and the facilitators' pages
(app/facilitation/openapi.py).
"""

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.json_schema import models_json_schema

REF_TEMPLATE = "#/components/schemas/{model}"
# What no text of a request may hold (PostgreSQL refuses NUL in every text column).
NO_NUL = r"^[^\x00]*$"


class SchemaComponents:
    """The JSON Schemas of some models, for ``components/schemas``, and references to them.

    ``models`` pairs each model with "validation" (a request) or "serialization" (an answer).
    """

    def __init__(self, models: list[tuple[type[BaseModel], str]]):
        self._refs, definitions = models_json_schema(models, ref_template=REF_TEMPLATE)
        self.schemas = definitions.get("$defs", {})

    def ref(self, model: type[BaseModel], mode: str = "serialization") -> dict:
        return self._refs[(model, mode)]

    def body(self, model: type[BaseModel]) -> dict:
        """A required JSON request body of ``model``."""
        return {"required": True, **json_content(self.ref(model, "validation"))}


def json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """The fields of ``model`` as query-string parameters."""
    schema = model.model_json_schema()
    parameters = []
    for name, field in schema["properties"].items():
        if field.get("default", "") is None:
            del field["default"]  # absent, not the text "None"
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", []),
                "description": field.pop("description", ""),
                "schema": field,
            }
        )
    return parameters


def path_parameter(name: str, annotation, description: str = "") -> dict:
    """A parameter of the URL's path, its schema from a type (e.g. an ``Annotated`` int)."""
    schema = TypeAdapter(annotation).json_schema()
    parameter = {"name": name, "in": "path", "required": True, "schema": schema}
    return {**parameter, "description": description} if description else parameter


def describe(error: ValidationError) -> str:
    """The first problems of a refused request, in plain English, naming each field."""
    return "; ".join(_problem(problem) for problem in error.errors()[:3])


def _problem(problem: dict) -> str:
    field = ".".join(str(part) for part in problem["loc"])
    if problem["type"] == "json_invalid":
        return "the body is not valid JSON"
    if problem["type"] == "model_type":
        return "the body must be a JSON object"
    if problem["type"] == "missing":
        return f"'{field}' is required"
    if problem["type"] == "string_pattern_mismatch":
        return f"'{field}' holds a NUL character"
    return f"'{field}': {problem['msg']}"
