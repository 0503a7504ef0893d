"""Environment-defined Python tools: a .py file whose public, type-hinted functions are tools.

The zygote imports the file once; each call forks an isolated child that runs one function
with JSON arguments. This module describes the functions (a JSON schema per function) and
checks arguments against their type hints before anything is forked.
"""

import importlib.util
import inspect
import typing

_JSON_TYPES = {int: "integer", float: "number", str: "string", bool: "boolean", list: "array",
               dict: "object", type(None): "null"}


def load(path):
    """Imports `path` as a module and returns {name: function} for its public functions."""
    spec = importlib.util.spec_from_file_location("turnrl_environment_tools", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load tools from {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        name: fn for name, fn in vars(module).items()
        if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")
    }


def _json_type(annotation):
    """The JSON-schema type names an annotation allows, or None when any value is fine."""
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return None
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        names = []
        for arg in typing.get_args(annotation):
            sub = _json_type(arg)
            if sub is None:
                return None
            names += sub
        return names
    base = origin or annotation
    return [_JSON_TYPES[base]] if base in _JSON_TYPES else None


def describe(tools):
    """One JSON schema per tool: name, description (docstring), parameters, required names."""
    out = []
    for name, fn in sorted(tools.items()):
        hints = typing.get_type_hints(fn)
        properties, required = {}, []
        for param in inspect.signature(fn).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            types = _json_type(hints.get(param.name, inspect.Parameter.empty))
            prop = {}
            if types:
                prop["type"] = types[0] if len(types) == 1 else types
            if param.default is inspect.Parameter.empty:
                required.append(param.name)
            else:
                prop["default"] = param.default
            properties[param.name] = prop
        out.append({"name": name, "description": inspect.getdoc(fn) or "",
                    "parameters": {"type": "object", "properties": properties, "required": required}})
    return out


def _matches(value, type_name):
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    expected = {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None)}
    return isinstance(value, expected[type_name])


def check_arguments(name, fn, arguments):
    """Returns an error message for arguments that do not fit the function, else None."""
    if not isinstance(arguments, dict):
        return f"tool {name}: arguments must be a JSON object, got {type(arguments).__name__}"
    schema = next(s for s in describe({name: fn}))["parameters"]
    unknown = sorted(set(arguments) - set(schema["properties"]))
    if unknown:
        return f"tool {name}: unknown argument(s) {', '.join(unknown)}; it takes {', '.join(schema['properties']) or 'none'}"
    missing = [p for p in schema["required"] if p not in arguments]
    if missing:
        return f"tool {name}: missing required argument(s) {', '.join(missing)}"
    for key, value in arguments.items():
        allowed = schema["properties"][key].get("type")
        if allowed is None:
            continue
        allowed = allowed if isinstance(allowed, list) else [allowed]
        if not any(_matches(value, t) for t in allowed):
            return f"tool {name}: argument {key} must be {' or '.join(allowed)}, got {type(value).__name__}"
    return None
