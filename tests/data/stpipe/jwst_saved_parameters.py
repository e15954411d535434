#!/usr/bin/env python3
"""Write the parameter file jwst's ``strun ... --save-parameters FILE`` writes,
from a jwst source checkout, without installing jwst, stpipe or asdf.

    python3 jwst_saved_parameters.py JWST_ROOT [--stpipe STPIPE_ROOT] [--step ALIAS]
                                    [--input PATH] [--date ISO] -o OUT.asdf

With no --step: the file of ``strun calwebb_detector1 --save-parameters OUT.asdf``
(Detector1Pipeline and every child of its step_defs). With --step jump: the file
of ``strun jump --save-parameters OUT.asdf`` (the JumpStep alone).

What it reproduces (stpipe 1.0.0):
- stpipe's export_config: class = the class's module path (module + class name,
  what get_fully_qualified_class_name gives), name = the class name for the
  outermost step and the step_defs key for children, parameters = get_pars(),
  steps = the children in step_defs order; to_asdf(include_metadata=True), as
  strun calls it, adds the CRDS ``meta`` template (fields '<SPECIFY>', the date).
- get_pars(): every key of the merged spec (stpipe's Step spec, then jwst's
  JwstStep / JwstPipeline spec, then the class's own), each at its spec default as
  configobj's validator converts it (None stays None). The override_<reftype>
  parameters are not in get_pars (stpipe adds them to the spec it validates
  against, not to the merged spec get_pars reads), so they are not in the file.
  input_dir reads back as '' when unset; with --input (strun given an input file
  that exists) the outermost step gets save_results = True and every step the
  input's directory as input_dir.
- The values strun sets before saving come from the command line and from CRDS
  parameter reference files: none here (as with --disable-crds-steppars).
- asdf's YAML: PyYAML's dump with sorted keys and default_flow_style None (a
  collection holding only scalars is written in flow style), width 80, and the
  asdf_library / history header asdf 4.1.0 writes. Values this writer cannot lay
  out as PyYAML would (long flow lists, long plain strings) stop it with an error.

The built-in parameters come from stpipe's src/stpipe/step.py (Step.spec) when
--stpipe is given; otherwise the table STPIPE_STEP_SPEC below (stpipe 1.0.0) is
used. jwst's jwst/stpipe/core.py (JwstStep, JwstPipeline) is always read from
JWST_ROOT. Only the Python standard library (3.9 or later) is used.
"""

import argparse
import ast
import datetime
import os
import re
import sys

# stpipe 1.0.0 src/stpipe/step.py, Step.spec: name -> check. Used without --stpipe.
STPIPE_STEP_SPEC = {
    "pre_hooks": "list(default=list())",
    "post_hooks": "list(default=list())",
    "output_file": "output_file(default=None)",
    "output_dir": "string(default=None)",
    "output_ext": "string()",
    "output_use_model": "boolean(default=False)",
    "output_use_index": "boolean(default=True)",
    "save_results": "boolean(default=False)",
    "skip": "boolean(default=False)",
    "suffix": "string(default=None)",
    "search_output_file": "boolean(default=True)",
    "input_dir": "string(default=None)",
}

PIPELINE_MODULE = "jwst.pipeline.calwebb_detector1"
PIPELINE_CLASS = "Detector1Pipeline"

ASDF_HEADER = """#ASDF 1.0.0
#ASDF_STANDARD 1.6.0
%YAML 1.1
%TAG ! tag:stsci.edu:asdf/
--- !core/asdf-1.1.0
"""
ASDF_LIBRARY = (
    "asdf_library: !core/software-1.0.0 {author: The ASDF Developers, homepage: 'http://github.com/asdf-format/asdf',\n"
    "  name: asdf, version: 4.1.0}\n"
)
ASDF_HISTORY = """history:
  extensions:
  - !core/extension_metadata-1.0.0
    extension_class: asdf.extension._manifest.ManifestExtension
    extension_uri: asdf://asdf-format.org/core/extensions/core-1.6.0
    manifest_software: !core/software-1.0.0 {name: asdf_standard, version: 1.1.1}
    software: !core/software-1.0.0 {name: asdf, version: 4.1.0}
"""


class Failure(Exception):
    pass


# ---- reading the sources -----------------------------------------------------------


def module_path(root, module):
    path = os.path.join(root, *module.split(".")) + ".py"
    if not os.path.isfile(path):
        raise Failure(f"{module}: no file {path}")
    return path


def parse_module(root, module):
    with open(module_path(root, module), encoding="utf-8") as f:
        return ast.parse(f.read())


def find_class(tree, name, where):
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise Failure(f"{where}: no class {name}")


def class_attributes(cls):
    """Plain assignments in a class body: name -> AST value."""
    out = {}
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = node.value
    return out


def imported_names(tree):
    """`from a.b import c [as d]` -> {d: 'a.b.c'}."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


def literal(node, what):
    try:
        return ast.literal_eval(node)
    except ValueError as err:
        raise Failure(f"{what}: not a literal ({ast.unparse(node)})") from err


# ---- configobj specs ------------------------------------------------------------------


def strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def parse_spec(text, where):
    """configobj spec text -> {name: check text}, in order."""
    out = {}
    for raw in text.splitlines():
        line = strip_comment(raw).strip()
        if not line:
            continue
        if "=" not in line:
            raise Failure(f"{where}: cannot read spec line {raw.strip()!r}")
        name, check = line.split("=", 1)
        out[name.strip()] = check.strip()
    return out


def check_argument(node):
    """A value in a check's argument list, as configobj's validator reads it."""
    if isinstance(node, ast.Name):  # an unquoted word is a string to configobj
        return node.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "list":
        return [check_argument(a) for a in node.args]
    return ast.literal_eval(node)


def parse_check(check, where):
    """'float(default=4.0, min=0)' -> ('float', [positional args], {keyword args})."""
    try:
        call = ast.parse(check, mode="eval").body
    except SyntaxError as err:
        raise Failure(f"{where}: cannot read check {check!r}") from err
    if isinstance(call, ast.Name):
        return call.id, [], {}
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise Failure(f"{where}: cannot read check {check!r}")
    args = [check_argument(a) for a in call.args]
    kwargs = {k.arg: check_argument(k.value) for k in call.keywords}
    return call.func.id, args, kwargs


TRUE_WORDS = {"true", "on", "yes", "1"}
FALSE_WORDS = {"false", "off", "no", "0"}


def convert(kind, value, where):
    """The validator's conversion of a default to the check's type."""
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise Failure(f"{where}: {value!r} is not a boolean")
    if kind in ("string", "option", "output_file", "input_file", "is_string_or_datamodel"):
        return str(value)
    if kind in ("list", "string_list", "int_list", "float_list", "bool_list"):
        items = value if isinstance(value, list) else [value]
        element = {"int_list": "integer", "float_list": "float", "bool_list": "boolean", "string_list": "string"}.get(kind)
        return [convert(element, v, where) if element else v for v in items]
    raise Failure(f"{where}: unknown check type {kind!r}")


def spec_default(check, where):
    kind, _args, kwargs = parse_check(check, where)
    if "default" not in kwargs:
        raise Failure(f"{where}: no default (strun would report it missing)")
    return convert(kind, kwargs["default"], where)


# ---- the classes -----------------------------------------------------------------------


class StepClass:
    def __init__(self, module, name, spec, reference_types, step_defs=None):
        self.module = module
        self.name = name
        self.spec = spec  # own spec: {name: check}
        self.reference_types = reference_types
        self.step_defs = step_defs or []  # [(alias, StepClass)]

    @property
    def qualified_name(self):
        return f"{self.module}.{self.name}"


def read_base_specs(jwst_root, stpipe_root):
    """The specs every jwst step and pipeline merges before its own."""
    if stpipe_root:
        tree = parse_module(os.path.join(stpipe_root, "src"), "stpipe.step")
        step_spec = parse_spec(literal(class_attributes(find_class(tree, "Step", "stpipe.step"))["spec"], "Step.spec"), "Step.spec")
        tree = parse_module(os.path.join(stpipe_root, "src"), "stpipe.pipeline")
        attrs = class_attributes(find_class(tree, "Pipeline", "stpipe.pipeline"))
        pipeline_spec = parse_spec(literal(attrs["spec"], "Pipeline.spec"), "Pipeline.spec") if "spec" in attrs else {}
    else:
        step_spec, pipeline_spec = dict(STPIPE_STEP_SPEC), {}
    tree = parse_module(jwst_root, "jwst.stpipe.core")
    specs = {}
    for cls in ("JwstStep", "JwstPipeline"):
        attrs = class_attributes(find_class(tree, cls, "jwst.stpipe.core"))
        specs[cls] = parse_spec(literal(attrs["spec"], f"{cls}.spec"), f"{cls}.spec") if "spec" in attrs else {}
    step_bases = [step_spec, specs["JwstStep"]]
    # get_merged_spec_file merges along the reversed MRO of JwstPipeline(Pipeline, JwstStep):
    # Step, JwstStep, Pipeline, JwstPipeline, then the class itself.
    pipeline_bases = [step_spec, specs["JwstStep"], pipeline_spec, specs["JwstPipeline"]]
    bases = [ast.unparse(b) for b in find_class(tree, "JwstPipeline", "jwst.stpipe.core").bases]
    if bases != ["Pipeline", "JwstStep"]:
        raise Failure(f"jwst.stpipe.core: JwstPipeline derives from {bases}, not (Pipeline, JwstStep)")
    return step_bases, pipeline_bases


def read_step_class(jwst_root, module, name):
    where = f"{module}.{name}"
    tree = parse_module(jwst_root, module)
    cls = find_class(tree, name, module)
    bases = [ast.unparse(b) for b in cls.bases]
    imports = imported_names(tree)
    if bases != ["Step"] or imports.get("Step") != "jwst.stpipe.Step":
        raise Failure(f"{where}: derives from {bases}, not jwst.stpipe.Step: teach this script its spec")
    attrs = class_attributes(cls)
    spec = parse_spec(literal(attrs["spec"], f"{where}.spec"), where) if "spec" in attrs else {}
    refs = literal(attrs["reference_file_types"], where) if "reference_file_types" in attrs else []
    return StepClass(module, name, spec, refs)


def read_pipeline(jwst_root):
    tree = parse_module(jwst_root, PIPELINE_MODULE)
    cls = find_class(tree, PIPELINE_CLASS, PIPELINE_MODULE)
    attrs = class_attributes(cls)
    imports = imported_names(tree)
    children = []
    defs = attrs["step_defs"]
    if not isinstance(defs, ast.Dict):
        raise Failure(f"{PIPELINE_CLASS}.step_defs is not a dict literal")
    for key, value in zip(defs.keys, defs.values):
        alias = literal(key, "step_defs key")
        if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in imports):
            raise Failure(f"step_defs[{alias!r}]: not <imported module>.<class>")
        children.append((alias, read_step_class(jwst_root, imports[value.value.id], value.attr)))
    spec = parse_spec(literal(attrs["spec"], "spec"), PIPELINE_CLASS) if "spec" in attrs else {}
    return StepClass(PIPELINE_MODULE, PIPELINE_CLASS, spec, [], children)


def merged_spec(bases, own):
    spec = {}
    for part in [*bases, own]:
        spec.update(part)
    return spec


def get_pars(step, bases, input_dir, outermost_with_input):
    where = step.qualified_name
    pars = {name: spec_default(check, f"{where}: {name}") for name, check in merged_spec(bases, step.spec).items()}
    # Step.input_dir is a property: the nearest input_dir set on the step or a parent, else ''.
    pars["input_dir"] = input_dir
    if outermost_with_input:
        pars["save_results"] = True  # strun's outermost step, given an input
    return pars


def export_config(step, name, step_bases, pipeline_bases, input_dir, with_input):
    bases = pipeline_bases if step.step_defs else step_bases
    tree = {
        "class": step.qualified_name,
        "name": name,
        "parameters": get_pars(step, bases, input_dir, with_input),
    }
    if step.step_defs:
        tree["steps"] = [export_config(child, alias, step_bases, pipeline_bases, input_dir, False) for alias, child in step.step_defs]
    return tree


# ---- PyYAML's layout, for the values a parameter file holds --------------------------

WIDTH = 80

# PyYAML's implicit resolvers (YAML 1.1): a plain scalar matching one is not a string.
IMPLICIT = [
    re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"),
    re.compile(r"^(?:<<)$"),
    re.compile(r"^(?:~|null|Null|NULL|)$"),
    re.compile(
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"
    ),
    re.compile(r"^(?:=)$"),
]
PLAIN_FIRST = re.compile(r"^[A-Za-z0-9_./<(]")
PLAIN_REST = re.compile(r"^[A-Za-z0-9_./<>()\- ]*$")


def plain_ok(text, in_flow):
    """Conservative: PyYAML writes these plain; anything else is quoted here as it quotes it."""
    if not text or text != text.strip() or "  " in text:
        return False
    if any(r.match(text) for r in IMPLICIT):
        return False
    if not PLAIN_FIRST.match(text) or not PLAIN_REST.match(text):
        return False
    return not (in_flow and " " in text)


def quoted(text):
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise Failure(f"string {text!r}: control characters are not laid out here")
    return "'" + text.replace("'", "''") + "'"


def scalar(value, in_flow=False):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        return text
    if isinstance(value, str):
        return value if plain_ok(value, in_flow) else quoted(value)
    raise Failure(f"value {value!r}: not a scalar")


def is_scalar(value):
    return not isinstance(value, (list, dict))


def flow(value):
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v, True) for v in value) + "]"
    return "{" + ", ".join(f"{scalar(k, True)}: {scalar(v, True)}" for k, v in sorted(value.items())) + "}"


def folds(column, text):
    """PyYAML breaks a string at a space reached beyond the width."""
    for word in text.split(" ")[:-1]:
        column += len(word)
        if column > WIDTH:
            return True
        column += 1
    return False


def block_mapping(mapping, indent, lines):
    for key in sorted(mapping):
        value = mapping[key]
        head = " " * indent + scalar(key) + ":"
        if is_scalar(value):
            text = scalar(value)
            if folds(len(head) + 1, text):
                raise Failure(f"{key}: PyYAML would fold this long string; not laid out here")
            lines.append(f"{head} {text}")
        elif all(is_scalar(v) for v in (value.values() if isinstance(value, dict) else value)):
            line = f"{head} {flow(value)}"
            if len(line) > WIDTH and len(value) > 1:
                raise Failure(f"{key}: a long flow collection would be wrapped by PyYAML; not laid out here")
            lines.append(line)
        elif isinstance(value, dict):
            lines.append(head)
            block_mapping(value, indent + 2, lines)
        else:
            lines.append(head)
            for item in value:  # PyYAML indents a sequence in a mapping by nothing
                if not isinstance(item, dict):
                    raise Failure(f"{key}: sequences of non-mappings are not laid out here")
                sub = []
                block_mapping(item, indent + 2, sub)
                sub[0] = " " * indent + "- " + sub[0][indent + 2:]
                lines.extend(sub)


def to_asdf(tree, date):
    meta = {
        "author": "<SPECIFY>",
        "date": date,
        "description": f"Parameters for calibration step {tree['class']}",
        "instrument": {"name": "<SPECIFY>"},
        "origin": "<SPECIFY>",
        "pedigree": "<SPECIFY>",
        "reftype": "<SPECIFY>",
        "telescope": "<SPECIFY>",
        "useafter": "<SPECIFY>",
    }
    body = dict(tree, meta=meta)
    lines = []
    block_mapping(body, 0, lines)
    # asdf adds asdf_library and history; with sorted keys they go around "class".
    text = "\n".join(lines) + "\n"
    first, rest = text.split("\n", 1)
    if not first.startswith("class: "):
        raise Failure("internal: the tree does not start with its class")
    history_at = rest.index("meta:\n")
    return ASDF_HEADER + ASDF_LIBRARY + first + "\n" + ASDF_HISTORY + rest[history_at:] + "...\n"


# ---- main -------------------------------------------------------------------------------


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("jwst_root", help="a jwst source checkout (the directory holding jwst/)")
    parser.add_argument("--stpipe", help="an stpipe source checkout (holding src/stpipe/); default: the built-ins table in this script")
    parser.add_argument("--step", help="save this child of calwebb_detector1 alone (e.g. jump), as `strun <alias> --save-parameters` does")
    parser.add_argument("--input", help="as if strun were given this (existing) input file")
    parser.add_argument("--date", help="meta.date (default: now, UTC, as stpipe writes it)")
    parser.add_argument("-o", "--output", required=True, help="the ASDF file to write")
    args = parser.parse_args(argv)

    try:
        step_bases, pipeline_bases = read_base_specs(args.jwst_root, args.stpipe)
        pipeline = read_pipeline(args.jwst_root)
        top = pipeline
        if args.step:
            found = dict(pipeline.step_defs).get(args.step)
            if found is None:
                raise Failure(f"calwebb_detector1 has no step {args.step!r} (its steps: {', '.join(a for a, _ in pipeline.step_defs)})")
            top = found
        input_dir = os.path.split(args.input)[0] if args.input else ""
        tree = export_config(top, top.name, step_bases, pipeline_bases, input_dir, bool(args.input))
        date = args.date or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat()
        text = to_asdf(tree, date)
    except (Failure, OSError, KeyError) as err:
        print(f"jwst_saved_parameters: {err}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
