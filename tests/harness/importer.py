"""``pulumi import``: the import file the command reads, and the import deployment it runs.

``pkg/cmd/pulumi/operations/import.go`` turns ``pulumi import <type> <name> <id>`` (``makeImportFile``) or
``--file`` into ``importFile`` JSON (``resources: [{type, name, id, parent?, provider?, version?,
properties?, logicalName?}]``, ``nameTable: {name: URN}``) and checks it (``parseImportFile``).
``pkg/resource/deploy/import.go`` then runs an import deployment: no program; every existing resource kept
with a same step; the root stack created if missing; default providers created (or reused from the
checkpoint); one planned ``ImportStep`` per resource (``step.go``, ``newImportDeploymentStep``).

Not modelled, and refused: ``inputs``/``outputs`` (supplied state), ``component``/``remote``, providers
declared in ``resources``, ``providerInputs``, ``pluginDownloadUrl``, ``parameterization``, ``extension``,
``--protect`` (the CLI's default; pass ``protect=False``). Code generation (``--generate-code``, the
program text the CLI prints afterwards) is not modelled: the harness only imports into state.
"""

from __future__ import annotations

import copy
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tests.harness.engine import Engine, check_failure_messages
from tests.harness.plugins import SemVer, default_provider_name, provider_request_key
from tests.harness.properties import go_multierror
from tests.harness.provider_server import ProviderError
from tests.harness.providers import NotModelled, StepFailed, is_provider_type, set_provider_version
from tests.harness.state import ROOT_STACK_TYPE, ResourceState

__all__ = ["ImportDeployment", "ImportFileError", "ImportSpec", "make_import_file", "parse_import_file"]

_REFUSED_RESOURCE_FIELDS = {
    "inputs": "supplied inputs",
    "outputs": "supplied outputs",
    "component": "component resources",
    "remote": "remote components",
    "pluginDownloadUrl": "pluginDownloadUrl",
    "parameterization": "parameterized providers",
    "extension": "extension parameterizations",
}


class ImportFileError(Exception):
    """The import file is invalid; the message is the command's (a ``multierror`` list)."""


@dataclass(frozen=True)
class ImportSpec:
    """``deploy.Import``: one resource to import."""

    type: str
    name: str
    id: str
    parent: str = ""  # a URN
    provider: str = ""  # a provider URN
    version: SemVer | None = None
    properties: list[str] = field(default_factory=list)


def _parse_resource_spec(spec: str) -> tuple[str, str]:
    """``parseResourceSpec``: ``name=URN``."""
    name, sep, urn = spec.partition("=")
    if not sep or not name or not urn:
        raise ValueError("spec must be of the form name=URN")
    if not urn.startswith("urn:pulumi:"):
        raise ValueError(f"expected a URN but got '{urn}'")
    return name, urn


def make_import_file(
    type_: str, name: str, id_: str, *, properties: list[str], parent: str = "", provider: str = ""
) -> dict[str, Any]:
    """``makeImportFile``: the file ``pulumi import <type> <name> <id>`` stands for (no version: the CLI's
    single-resource form never sends one)."""
    name_table: dict[str, str] = {}
    resource: dict[str, Any] = {"type": type_, "name": name, "id": id_}
    if properties:
        resource["properties"] = list(properties)
    if parent:
        try:
            parent_name, parent_urn = _parse_resource_spec(parent)
        except ValueError:
            parent_name, parent_urn = "parent", parent
            if not parent_urn.startswith("urn:pulumi:"):
                raise ImportFileError(f"invalid parent URN: '{parent_urn}'") from None
        name_table[parent_name] = parent_urn
        resource["parent"] = parent_name
    if provider:
        try:
            provider_name, provider_urn = _parse_resource_spec(provider)
        except ValueError:
            provider_name, provider_urn = "provider", provider
        if provider_name in name_table:
            raise ImportFileError(
                f"provider and parent must have distinct names, both were '{provider_name}'"
            )
        name_table[provider_name] = provider_urn
        resource["provider"] = provider_name
    return {"nameTable": name_table, "resources": [resource]}


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def parse_import_file(data: dict[str, Any], *, stack: str, project: str) -> list[ImportSpec]:
    """``parseImportFile``: names resolved to URNs through ``nameTable`` and the file's own resources.

    Unknown fields are ignored, as Go's JSON decoder ignores them; known fields the harness does not model
    are refused with ``NotModelled``.
    """
    if data.get("providerInputs"):
        raise NotModelled("the harness does not model the import file's providerInputs")
    raw_specs = [dict(spec) for spec in data.get("resources") or []]
    name_table: dict[str, str] = dict(data.get("nameTable") or {})
    for spec in raw_specs:
        for key, what in _REFUSED_RESOURCE_FIELDS.items():
            if spec.get(key):
                raise NotModelled(f"the harness does not model {what} in an import file ({key!r})")
        if is_provider_type(spec.get("type", "")):
            raise NotModelled("the harness does not model providers declared in an import file's resources")
        # LogicalName and Name default to each other.
        spec.setdefault("logicalName", spec.get("name", ""))
        if not spec.get("name"):
            spec["name"] = spec["logicalName"]

    errors: list[str] = []

    def describe(index: int, spec: dict[str, Any]) -> str:
        text = "resource " + (
            f"'{spec['name']}'" if spec.get("name") else f"'{spec['id']}'" if spec.get("id") else str(index)
        )
        return text + (f" of type '{spec['type']}'" if spec.get("type") else "")

    taken: dict[str, bool] = {spec["name"]: False for spec in raw_specs}  # name -> ambiguous
    for i, spec in enumerate(raw_specs):
        if not spec.get("type"):
            errors.append(f"{describe(i, spec)} has no type")
        if not spec.get("name"):
            errors.append(f"{describe(i, spec)} has no name")
        if not spec.get("id"):
            errors.append(f"{describe(i, spec)} has no ID")
        if any(j < i and other["name"] == spec["name"] for j, other in enumerate(raw_specs)):
            taken[spec["name"]] = True
    if errors:
        raise ImportFileError(go_multierror(errors))

    urns: dict[str, str] = dict(name_table)
    for spec in raw_specs:
        urns.setdefault(spec["name"], "")
    taken_urns = set(name_table.values())
    done = [False] * len(raw_specs)
    while not all(done) and not errors:
        progressed = False
        for i, spec in enumerate(raw_specs):
            if done[i]:
                continue
            parent_type = ""
            if spec.get("parent"):
                if taken.get(spec["parent"]):
                    errors.append(f"{describe(i, spec)} has an ambiguous parent")
                if spec["parent"] in name_table:
                    parent_type = _qualified_type(name_table[spec["parent"]])
                elif spec["parent"] not in urns:
                    errors.append(
                        f"the parent '{spec['parent']}' for {describe(i, spec)} has no entry in 'nameTable'"
                    )
                elif not urns[spec["parent"]]:
                    continue  # its parent's URN is worked out on a later pass
                else:
                    parent_type = _qualified_type(urns[spec["parent"]])
            qualified = f"{parent_type}${spec['type']}" if parent_type else spec["type"]
            urn = f"urn:pulumi:{stack}::{project}::{qualified}::{spec['logicalName']}"
            if urn in taken_urns:
                errors.append(
                    f"{describe(i, spec)} has an ambiguous URN, set name (or logical name) to be unique"
                )
            urns[spec["name"]] = urn
            taken_urns.add(urn)
            done[i] = progressed = True
        if not progressed and not errors:
            errors.append("the import file's parents form a cycle")
    if errors:
        raise ImportFileError(go_multierror(errors))

    imports: list[ImportSpec] = []
    for i, spec in enumerate(raw_specs):
        provider = ""
        if spec.get("provider"):
            if taken.get(spec["provider"]):
                errors.append(f"{describe(i, spec)} has an ambiguous provider")
            provider_urn = urns.get(spec["provider"])
            if provider_urn is None:
                errors.append(
                    f"the provider '{spec['provider']}' for {describe(i, spec)} has no entry in "
                    "'nameTable' or 'resources'"
                )
            elif not provider_urn.startswith("urn:pulumi:") or not is_provider_type(
                _qualified_type(provider_urn).rsplit("$", 1)[-1]
            ):
                errors.append(f"the provider '{spec['provider']}' for {describe(i, spec)} is not a provider")
            else:
                provider = provider_urn
        version = None
        if spec.get("version"):
            try:
                version = SemVer.parse_tolerant(spec["version"])
            except ValueError as exc:
                errors.append(f"could not parse version '{spec['version']}' for {describe(i, spec)}: {exc}")
        imports.append(
            ImportSpec(
                type=spec["type"],
                name=spec["logicalName"],
                id=spec["id"],
                parent=urns.get(spec["parent"], "") if spec.get("parent") else "",
                provider=provider,
                version=version,
                properties=list(spec.get("properties") or []),
            )
        )
    if errors:
        raise ImportFileError(go_multierror(errors))
    return imports


class ImportDeployment:
    """``importer.importResources``: same steps for what exists, then providers, then the imports."""

    def __init__(self, engine: Engine, imports: list[ImportSpec]) -> None:
        self.engine = engine
        self.imports = imports

    def run(self) -> None:
        if not self.imports:
            raise self.engine.fail("no resources to import")
        olds = self.engine.olds_by_urn()  # the deployment's ``olds``, fixed before any step runs
        self._register_existing()
        stack_urn, created_stack = self._stack()
        refs = self._register_providers(olds)
        self._import_all(olds, stack_urn, refs)
        if created_stack:
            self.engine.set_outputs(stack_urn, {})  # ExecuteRegisterResourceOutputs(noopOutputsEvent)

    def _register_existing(self) -> None:
        """``registerExistingResources``: a same step per resource, serially, in checkpoint order; a
        provider's same step loads and configures it from its stored inputs (``Registry.Same``)."""
        for old in self.engine.old_states():
            if old.delete:
                continue
            new = copy.copy(old)
            if is_provider_type(old.type):
                try:
                    self.engine.registry.same(old, from_check=True)
                except (ProviderError, StepFailed, NotModelled) as exc:
                    detail = exc.details if isinstance(exc, ProviderError) else str(exc)
                    raise self.engine.fail(
                        f"{old.urn}: bad provider state for resource {old.urn}: {detail}"
                    ) from None
            self.engine.add_new(new, consume=old)
            self.engine.record("same", old.urn)

    def _stack(self) -> tuple[str, bool]:
        """``getOrCreateStackResource``: the checkpoint's root stack, or a new ``<project>-<stack>`` one."""
        for old in self.engine.old_states():
            if old.type == ROOT_STACK_TYPE and not old.parent:
                return old.urn, False
        name = f"{self.engine.project}-{self.engine.stack}"
        urn = self.engine.make_urn("", ROOT_STACK_TYPE, name)
        now = _now()
        self.engine.add_new(
            ResourceState(urn=urn, type=ROOT_STACK_TYPE, custom=False, created=now, modified=now)
        )
        self.engine.record("create", urn)
        return urn, True

    def _register_providers(self, olds: dict[str, ResourceState]) -> dict[str, str]:
        """``registerProviders``: the providers the imports need, reused from the checkpoint or created.

        A default provider gets the package's stack config (and version) as inputs; an explicit provider the
        file names but the checkpoint lacks is created with no config (``providerInputs`` is refused). Both
        are checked first and created with their unchecked inputs, as the command does.
        """
        engine = self.engine
        refs: dict[str, str] = {}
        to_create: dict[str, tuple[str, dict[str, Any]]] = {}  # URN -> (sort key, inputs)
        for imp in self.imports:
            if imp.provider:
                if imp.provider in olds:
                    refs[imp.provider] = f"{imp.provider}::{olds[imp.provider].id}"
                elif imp.provider not in to_create:
                    inputs: dict[str, Any] = {}
                    if imp.version is not None:
                        set_provider_version(inputs, imp.version)
                    to_create[imp.provider] = ("~" + imp.provider, inputs)  # explicit ones after defaults
                continue
            package = imp.type.split(":", 1)[0]
            if not package:
                raise engine.fail("incorrect package type specified")
            urn = engine.make_urn("", f"pulumi:providers:{package}", default_provider_name(imp.version))
            if urn in olds:
                refs[urn] = f"{urn}::{olds[urn].id}"
            elif urn not in to_create:
                inputs = engine.package_config(package)
                if imp.version is not None:
                    set_provider_version(inputs, imp.version)
                to_create[urn] = (provider_request_key(package, imp.version), inputs)
        ordered = sorted(to_create.items(), key=lambda item: item[1][0])
        for urn, (key, inputs) in ordered:
            explicit = key.startswith("~")
            with engine.step(urn):
                result = engine.registry.check(urn, {}, inputs)
            if result.failures:
                type_ = _qualified_type(urn)
                messages = check_failure_messages(type_, urn.rsplit("::", 1)[-1], inputs, result.failures)
                tail = f"explicit provider check failed for {urn}" if explicit else "provider check failed"
                raise engine.fail("\n".join([*messages, tail]))

        def create(urn: str, inputs: dict[str, Any]) -> None:
            with engine.step(urn):
                provider_id, outputs = engine.registry.create(urn, inputs)
            now = _now()
            state = ResourceState(
                urn=urn,
                type=_qualified_type(urn),
                custom=True,
                id=provider_id,
                inputs=inputs,
                outputs=outputs,
                created=now,
                modified=now,
            )
            engine.finish_state(state)
            engine.add_new(state)
            engine.record("create", urn)
            refs[urn] = f"{urn}::{provider_id}"

        _in_parallel([lambda u=urn, i=inputs: create(u, i) for urn, (_, inputs) in ordered])
        return refs

    def _import_all(self, olds: dict[str, ResourceState], stack_urn: str, refs: dict[str, str]) -> None:
        """One planned import step per resource, in parallel batches of resources whose parent is done."""
        engine = self.engine
        pending: dict[str, tuple[ImportSpec, ResourceState]] = {}
        for imp in self.imports:
            parent = imp.parent or stack_urn
            urn = engine.make_urn(parent, imp.type, imp.name)
            if urn in pending:
                raise engine.fail(f"duplicate import '{imp.name}' of type '{imp.type}'")
            old = olds.get(urn)
            if old is not None and (old.import_id or old.id) == imp.id:
                continue  # already imported under this ID: its same step above was all there is to do
            provider_urn = imp.provider or engine.make_urn(
                "", f"pulumi:providers:{imp.type.split(':', 1)[0]}", default_provider_name(imp.version)
            )
            new = ResourceState(
                urn=urn,
                type=imp.type,
                custom=True,
                parent=parent,
                provider=refs[provider_urn],
                import_id=imp.id,
            )
            pending[urn] = (imp, new)
        while pending:
            batch = [item for urn, item in pending.items() if item[1].parent not in pending]
            for _, new in batch:
                del pending[new.urn]
            _in_parallel([lambda i=imp, n=new: self._import_one(olds, i, n) for imp, new in batch])

    def _import_one(self, olds: dict[str, ResourceState], imp: ImportSpec, new: ResourceState) -> None:
        """``ImportStep.Apply`` with ``planned``: ``Read`` with only the ID; the read inputs become the
        inputs (``properties`` does not narrow them: old and new share one map in the engine, so it only
        changes the warning below); ``Check(olds=read inputs, news=read inputs)``, its failures warnings;
        ``ImportID`` cleared, as ``pulumi import`` has always left it unset."""
        engine = self.engine
        engine.check_not_cancelled()
        urn = new.urn
        if urn in olds:
            raise engine.fail(f"{urn}: resource '{urn}' already exists")
        if _qualified_type(new.parent) != ROOT_STACK_TYPE and new.parent not in engine.news_by_urn():
            raise engine.fail(f"{urn}: unknown parent '{new.parent}' for resource '{urn}'")
        instance = engine.registry.get(new.provider)
        if instance is None:
            raise engine.fail(f"{urn}: unknown provider '{new.provider}' for resource '{urn}'")
        with engine.step(urn):
            read = instance.read(urn, imp.id, inputs=None, state=None)
        if read.outputs is None:
            raise engine.fail(f"{urn}: resource '{new.id or imp.id}' does not exist")
        if read.inputs is None:
            raise engine.fail(
                f"{urn}: provider does not support importing resources; "
                f"please try updating the '{imp.type.split(':', 1)[0]}' plugin"
            )
        new.id = read.id or imp.id
        new.inputs, new.outputs = read.inputs, read.outputs
        new.created = new.modified = _now()
        new.import_id = ""
        with engine.step(urn):
            checked = instance.check(
                urn, read.inputs, read.inputs, seed=uuid.uuid4().bytes + uuid.uuid4().bytes
            )
        if checked.failures:
            if imp.properties:
                advice = "Try specifying a different set of properties to import with in the future."
            else:
                package = _qualified_type(new.provider.rsplit("::", 1)[0]).rsplit(":", 1)[-1]
                advice = f"This is almost certainly a bug in the `{package}` provider."
            engine.diagnostics.warning(
                f"One or more imported inputs failed to validate. {advice} The import will still proceed, "
                "but you will need to edit the generated code after copying it into your program."
            )
            name = urn.rsplit("::", 1)[-1]
            for message in check_failure_messages(new.type, name, new.inputs, checked.failures):
                engine.diagnostics.warning(message)
        engine.finish_state(new)
        engine.add_new(new)
        engine.record("import", urn)


def _in_parallel(tasks: list[Any]) -> None:
    """``executeParallel``: run the steps at once; the first failure is raised once all have ended."""
    if not tasks:
        return
    with ThreadPoolExecutor(max_workers=min(16, len(tasks))) as pool:
        futures = [pool.submit(task) for task in tasks]
    errors = [error for future in futures if (error := future.exception()) is not None]
    if errors:
        raise errors[0]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
