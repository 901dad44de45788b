"""Validates an OpenAPI 3.1 document (the file named first) against OpenAPI 3.1's JSON Schema, as schemathesis
bundles it, and each of its Schema Objects against JSON Schema 2020-12's meta-schema. Prints one error a line;
exits 1 when there is any."""
import json
import sys

import jsonschema_rs
from schemathesis.specs.openapi.definitions import OPENAPI_31


def schema_objects(node, where):
    """Every value of a `schema` key (parameters, media types) and every component schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                yield f"{where}/schema", value
            else:
                yield from schema_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schema_objects(value, f"{where}/{i}")


def main(path):
    with open(path) as f:
        doc = json.load(f)
    errors = [f"document {e.instance_path}: {e.message}" for e in jsonschema_rs.Draft202012Validator(OPENAPI_31).iter_errors(doc)]
    found = list(schema_objects(doc["paths"], "#/paths"))
    found += [(f"#/components/schemas/{name}", s) for name, s in doc.get("components", {}).get("schemas", {}).items()]
    for where, schema in found:
        try:
            jsonschema_rs.meta.validate(schema)
        except jsonschema_rs.ValidationError as e:
            errors.append(f"{where}: {e.message}")
    for line in errors:
        print(line)
    print(f"{len(found)} schema objects checked", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
