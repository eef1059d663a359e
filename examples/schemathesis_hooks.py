"""Schemathesis hooks for `conform openapi` documents.

    conform openapi > openapi.json
    SCHEMATHESIS_HOOKS=examples/schemathesis_hooks.py st run --checks all --url URL openapi.json

`x-conform-binding` on an operation says that a path parameter names the one key of a body map
(`PUT .../metadata/{key}` with `{"meta": {key: value}}`; a body whose key differs is refused as a
"URI mismatch"). JSON Schema cannot say that a key equals a parameter, so a fuzzer would draw the
two apart and call the documented refusal a rejected valid request. For the cases Schemathesis
draws as valid, this hook sets the parameter to the body's key (the body's key is the one with the
stricter schema); invalid cases are sent as drawn.
"""

import schemathesis


def _bound(context):
    return "x-conform-binding" in context.operation.definition.raw


@schemathesis.hook.apply_to(_bound)
def map_case(context, case):
    binding = context.operation.definition.raw["x-conform-binding"]
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not isinstance(case.body, dict):
        return case
    node = case.body
    for part in binding["body"].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        case.path_parameters = {**(case.path_parameters or {}), binding["parameter"]: key}
    return case
