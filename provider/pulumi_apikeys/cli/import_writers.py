"""``import-file`` and ``import-code``, written once for every key resource.

Both start from the same ``ImportSet``: the keys a resource's ``listing`` finds, filtered by a
shell-style name pattern, less the keys that cannot be imported (revoked ones), each with a
readable, unique resource name. ``import-file`` writes the file ``pulumi import --file`` reads, for
the provider plugin (``apikeys:<module>:<Name>``, ids from ``KeyResource.import_id``);
``import-code`` writes Python declaring each key as the dynamic resource with ``import_`` (the
plain key id: the declared inputs carry what a lookup needs, such as the organization).

Resource names keep to ``[a-z0-9-]`` (Pulumi allows more, but these survive every shell, URN and
file name): the key's name folded to ASCII lower case, every other run of characters one ``-``,
at most ``RESOURCE_NAME_MAX`` characters; the key's id the same way when the name leaves nothing;
then ``-2``, ``-3``, ... on repeats, in the API's order, so the same keys always get the same names.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
import shlex
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

import click

from pulumi_apikeys.core.declaration import ADOPT_ID, KeyResource
from pulumi_apikeys.core.lifecycle import KeyLifecycle
from pulumi_apikeys.core.rotation import rotation_inputs
from pulumi_apikeys.core.stack_config import StackConfig
from pulumi_apikeys.errors import ConfigurationError

__all__ = [
    "CODE_LINE_LENGTH",
    "NAME_PATTERN_HELP",
    "RESOURCE_NAME_MAX",
    "ImportEntry",
    "ImportSet",
    "collect",
    "import_code",
    "import_file_document",
    "import_options",
    "render_import_file",
    "resource_names",
    "run_import",
    "variable_names",
]

F = TypeVar("F", bound=Callable[..., Any])

RESOURCE_NAME_MAX = 48
"""The longest resource name made from a key's name: readable in a URN and a preview's table."""
CODE_LINE_LENGTH = 88
"""The line length ``import-code`` formats to: ruff's (and black's) default for a user's project."""
NAME_PATTERN_HELP = (
    "Only keys whose name matches this shell-style pattern (fnmatch: *, ?, [abc]), case-sensitive, "
    "e.g. 'CI *'. A key with no name is matched as an empty name."
)

_ROTATION_SETTINGS = frozenset(p.name for p in rotation_inputs())
"""The inputs that say when a key is replaced (``core.rotation``): the program's, never the API's."""

# Names a generated variable must not take: it would shadow the `pulumi` module the code uses, a
# builtin, or be a keyword (soft ones included: legal, but confusing).
_RESERVED = frozenset({"pulumi", *dir(builtins), *keyword.kwlist, *keyword.softkwlist})


def _slug(text: str) -> str:
    """``text`` as lower-case ASCII letters, digits and single inner hyphens, at most the limit."""
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:RESOURCE_NAME_MAX].rstrip("-")


def _unique(bases: Iterable[str], separator: str) -> list[str]:
    """Each base, or ``base<sep>2``, ``base<sep>3``, ... if taken before it: deterministic, in order."""
    taken: set[str] = set()
    unique = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{separator}{n}"
        taken.add(candidate)
        unique.append(candidate)
    return unique


def resource_names(keys: Sequence[tuple[str | None, str]]) -> list[str]:
    """The resource name of each ``(key name, key id)``, unique among them, in the given order."""
    return _unique((_slug(name or "") or _slug(key_id) or "key" for name, key_id in keys), "-")


def variable_names(resource_names: Sequence[str]) -> list[str]:
    """A Python variable for each resource name: snake_case, a valid identifier, unique."""
    bases = []
    for resource_name in resource_names:
        identifier = resource_name.replace("-", "_")
        if not identifier[:1].isalpha():
            identifier = f"key_{identifier}"
        if identifier in _RESERVED:
            identifier = f"{identifier}_key"
        bases.append(identifier)
    return _unique(bases, "_")


@dataclass(frozen=True)
class ImportEntry:
    """One key to import: its resource name, both ids, and its declared inputs as they are now."""

    resource_name: str
    import_id: str
    """The id ``pulumi import`` takes (``KeyResource.import_id``: ``<org>/<key>`` for a scoped key)."""
    key_id: str
    """The plain key id: what ``import_`` takes on the dynamic resource."""
    key_name: str | None
    inputs: dict[str, Any]
    """Every declared input the key has a value for (normalized: a set sorted), by declared name."""


@dataclass(frozen=True)
class ImportSet:
    """The keys of one resource to import, and how many the listing showed and why others are not here."""

    resource: KeyResource[Any, Any]
    entries: tuple[ImportEntry, ...]
    listed: int
    """How many keys the listing returned."""
    pattern: str | None
    skipped: int
    """Keys that matched the pattern but cannot be imported."""
    skipped_as: str
    """Why those cannot, as an adjective: ``revoked or inactive``."""
    where: str
    """Whose keys these are, for messages: ``the organization``, ``organization 'org_abc'``."""


def collect(
    resource: KeyResource[Any, Any],
    client: object,
    args: Mapping[str, Any],
    *,
    pattern: str | None,
    importable: Callable[[Any], bool] | None = None,
    skipped_as: str = "",
    where: str = "the organization",
) -> ImportSet:
    """The keys ``resource.listing`` finds for ``args`` (one listing, in the API's order).

    ``pattern`` keeps the keys whose name matches it (``fnmatchcase``); ``importable`` says which
    keys the provider can import at all (the others are counted as skipped, ``skipped_as``).
    """
    listing = resource.listing
    if listing is None:
        raise ConfigurationError(f"{resource.name} has no lookup function to list keys with.")
    listed = 0
    skipped = 0
    found: list[tuple[str | None, str, str, dict[str, Any]]] = []
    for key in listing.list_keys(client, args):
        listed += 1
        outputs = resource.outputs_of(key, args, None)
        name = outputs.get("name")
        if pattern is not None and not fnmatchcase(name or "", pattern):
            continue
        if importable is not None and not importable(key):
            skipped += 1
            continue
        # The API reports what a key is; a setting only state keeps (a rotation period) it never does.
        declared = [p for p in resource.declared_inputs if outputs.get(p.name) is not None]
        inputs = {p.name: p.normalized(outputs[p.name]) for p in declared}
        found.append((name, resource.key_id(key), resource.import_id(key), inputs))
    names = resource_names([(name, key_id) for name, key_id, _, _ in found])
    entries = tuple(
        ImportEntry(resource_name, import_id, key_id, name, inputs)
        for resource_name, (name, key_id, import_id, inputs) in zip(names, found, strict=True)
    )
    return ImportSet(resource, entries, listed, pattern, skipped, skipped_as, where)


def import_file_document(keys: ImportSet) -> dict[str, Any]:
    """The import file: ``{"resources": [{"type", "name", "id"}, ...]}``.

    Only fields ``pulumi import --file`` reads (its ``importFile``/``importSpec`` in
    ``pkg/cmd/pulumi/operations/import.go``): ``name`` is also the logical name when
    ``logicalName`` is absent, and no version or provider is given, so the default provider of the
    installed plugin imports them.
    """
    token = keys.resource.plugin_type_name
    return {
        "resources": [
            {"type": token, "name": entry.resource_name, "id": entry.import_id} for entry in keys.entries
        ]
    }


def render_import_file(keys: ImportSet) -> str:
    """The import file's text, indented as ``pulumi import`` writes its own."""
    return json.dumps(import_file_document(keys), indent=4, ensure_ascii=False) + "\n"


# --- import-code: a tiny formatter producing what ruff format leaves unchanged -----------------


def _string(text: str) -> str:
    """A string literal as ruff format writes it: double quotes unless single ones need fewer escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for ch in text:
        if ch in ("\\", quote):
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])  # \n, \t, \x00, \u2028: never a raw line break in the source
    return quote + "".join(out) + quote


@dataclass(frozen=True)
class _Bracketed:
    """``open item, item, ... close``: a call's arguments or a list's elements."""

    open: str
    items: tuple[tuple[str, _Node], ...]
    """Each item's prefix (``name=`` or nothing) and value."""
    close: str


_Node: TypeAlias = "str | _Bracketed"


def _literal(value: object) -> _Node:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    if isinstance(value, list | tuple):
        return _Bracketed("[", tuple(("", _literal(item)) for item in value), "]")
    raise TypeError(f"cannot write a {type(value).__name__} as a declared input")


def _flat(node: _Node) -> str:
    if isinstance(node, str):
        return node
    return node.open + ", ".join(prefix + _flat(item) for prefix, item in node.items) + node.close


def _lines(node: _Node, indent: int, prefix: str, suffix: str, *, explode: bool = False) -> list[str]:
    """``node`` on one line if it fits, else one item a line with a trailing comma (which keeps it so)."""
    pad = " " * indent
    flat = pad + prefix + _flat(node) + suffix
    if isinstance(node, str) or (not explode and len(flat) <= CODE_LINE_LENGTH):
        return [flat]
    lines = [pad + prefix + node.open]
    for item_prefix, item in node.items:
        lines += _lines(item, indent + 4, item_prefix, ",")
    lines.append(pad + node.close + suffix)
    return lines


def _comment(text: str) -> list[str]:
    """``text`` as comment lines; anything unprintable escaped, so no key's text can end a comment."""
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return textwrap.wrap(shown, CODE_LINE_LENGTH, initial_indent="# ", subsequent_indent="# ")


def import_code(keys: ImportSet, *, command: str) -> tuple[str, list[tuple[str, str]]]:
    """Python declaring each key with ``import_``, and ``(id, why)`` of each key it cannot declare.

    Every declared input the key has is written, as adoption requires (``KeyResource.adopt_matches``:
    a different value would be refused, not imported). A key whose inputs the resource's own check
    refuses (e.g. one with no name) cannot be declared as it is: it is left out with a comment.
    """
    resource = keys.resource
    check = KeyLifecycle(resource, StackConfig(), is_unknown=lambda _value: False).check
    declarable: list[ImportEntry] = []
    refused: list[tuple[ImportEntry, str]] = []
    for entry in keys.entries:
        problems = check({**entry.inputs, ADOPT_ID: entry.key_id}).problems
        if problems:
            refused.append((entry, "; ".join(problem.reason for problem in problems)))
        else:
            declarable.append(entry)
    header = [
        f"Written by `{command}`: {_count(len(declarable), 'existing key')} of {keys.where}, "
        f"declared as {'it is' if len(declarable) == 1 else 'they are'} now.",
        "On the next `pulumi up`, `import_` adopts each key: nothing is created or replaced, and "
        "the key's value stays unknown (the API shows it only when a key is created). Once they "
        "are adopted, the `import_` options may go.",
    ]
    settings = [p for p in resource.declared_inputs if p.name in _ROTATION_SETTINGS]
    for prop in resource.declared_inputs:
        if prop in settings:
            continue
        if not prop.required and any(prop.name not in entry.inputs for entry in declarable):
            consequence = ", and declaring one later would replace the key" if prop.replaces else ""
            header.append(f"{prop.name} is left out: the API shows none for an existing key{consequence}.")
    if settings:
        replacing = [p.name for p in settings if p.replaces]
        consequence = f"; declaring {_listed(replacing)} later would replace the key" if replacing else ""
        header.append(
            f"{_listed([p.name for p in settings])} are not declared: they are settings of the program, "
            f"not of the key{consequence}."
        )
    lines = [line for text in header for line in _comment(text)]
    lines += ["import pulumi", f"from pulumi_apikeys.{resource.module} import {resource.name}"]
    for entry, why in refused:
        name = "no name" if entry.key_name is None else f"name {_string(entry.key_name)}"
        lines += ["", *_comment(f"Not declared: {entry.key_id} ({name}) cannot be declared as it is: {why}.")]
    variables = variable_names([entry.resource_name for entry in declarable])
    for variable, entry in zip(variables, declarable, strict=True):
        options = _Bracketed("pulumi.ResourceOptions(", (("import_=", _string(entry.key_id)),), ")")
        arguments = (
            ("", _string(entry.resource_name)),
            *((f"{name}=", _literal(value)) for name, value in entry.inputs.items()),
            ("opts=", options),
        )
        call = _Bracketed(f"{resource.name}(", arguments, ")")
        lines += ["", *_lines(call, 0, f"{variable} = ", "", explode=True)]
    return "\n".join(lines) + "\n", [(entry.key_id, why) for entry, why in refused]


# --- the commands' shared options and run ---------------------------------------------------


def import_options(command: F) -> F:
    """``--name PATTERN``, ``--output FILE`` and ``--force``, as every import command takes them."""
    command = click.option(
        "--force", is_flag=True, help="Overwrite the --output file if it exists (by default, refused)."
    )(command)
    command = click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to this file instead of stdout.",
    )(command)
    return click.option("--name", "pattern", metavar="PATTERN", default=None, help=NAME_PATTERN_HELP)(command)


def _listed(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _nothing_to_import(keys: ImportSet) -> str:
    matched = len(keys.entries) + keys.skipped
    named = "" if keys.pattern is None else f" named like {keys.pattern!r}"
    if keys.listed == 0:
        return f"No keys to import: {keys.where} has none."
    if matched == 0:
        return (
            f"No keys to import: none of the {_count(keys.listed, 'key')} of {keys.where} has a name "
            f"matching {keys.pattern!r}."
        )
    every = "the one key" if matched == 1 else f"every one of the {matched} keys"
    return f"No keys to import: {every}{named} of {keys.where} is {keys.skipped_as}."


def _skipped(keys: ImportSet) -> str:
    return f"; {_count(keys.skipped, 'key')} skipped ({keys.skipped_as})" if keys.skipped else ""


def run_import(
    kind: Literal["file", "code"],
    *,
    output: Path | None,
    force: bool,
    command: str,
    collect_keys: Callable[[], ImportSet],
) -> None:
    """Lists the keys, writes the import file or code to ``output`` (else stdout), and says on
    stderr how many, where, and what to run next. Refuses an existing ``output`` before any API call
    unless ``force``; writes nothing when there is nothing to import (exit status 1)."""
    if output is not None and output.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it.")
    keys = collect_keys()
    if not keys.entries:
        raise click.ClickException(_nothing_to_import(keys))
    refused: list[tuple[str, str]] = []
    if kind == "file":
        text = render_import_file(keys)
    else:
        text, refused = import_code(keys, command=command)
        if len(refused) == len(keys.entries):
            key_id, why = refused[0]
            raise click.ClickException(
                f"No keys to declare: none of the {_count(len(refused), 'key')} can be declared as "
                f"it is ({key_id}: {why})."
            )
    if output is None:
        click.echo(text, nl=False)
        where = "stdout"
    else:
        try:
            # "x" unless --force: a file that appeared since the check above is not clobbered either.
            with output.open("w" if force else "x", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise click.ClickException(f"Cannot write {output}: {exc.strerror or exc}.") from None
        where = str(output)
    written = len(keys.entries) - len(refused)
    if kind == "file":
        target = shlex.quote(str(output)) if output is not None else "<file>"
        summary = (
            f"{_count(written, 'key')} of {keys.where} written to {where} as "
            f"{keys.resource.plugin_type_name}{_skipped(keys)}; next: pulumi import --file {target}"
        )
    else:
        left_out = f"; {_count(len(refused), 'key')} left out (see the comments)" if refused else ""
        summary = (
            f"{_count(written, 'key')} of {keys.where} written to {where} as "
            f"pulumi_apikeys.{keys.resource.module}.{keys.resource.name}{_skipped(keys)}{left_out}; "
            "next: add it to your program and run pulumi up"
        )
    click.echo(summary, err=True)
