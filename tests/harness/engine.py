"""The Pulumi engine's step logic for one operation, driving provider plugins over gRPC.

Each public method reproduces one engine path; each rule names the engine source it follows
(pulumi/pulumi: ``pkg/resource/deploy/step_generator.go``, ``step.go``, ``step_executor.go``,
``deployment_executor.go``, ``default_providers.go``, ``source_eval.go``, ``providers/registry.go``,
``pkg/resource/plugin/provider_plugin.go``, and ``pkg/engine/update.go`` for what a step's end saves).
Provider resources, default and explicit, are resources like any other whose "provider" is the
``Registry``; every other custom resource goes through the provider instance its ``urn::id`` reference
names (``loadResourceProvider``).

Registrations arrive concurrently from the SDK's thread pool: engine state is guarded by one lock, held
only for bookkeeping, never across a gRPC call, so independent resources reach their providers in parallel.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

import grpc
from pulumi.runtime.proto import provider_pb2, resource_pb2

from tests.harness.engine_service import Diagnostics
from tests.harness.plugins import DYNAMIC_PACKAGE, SemVer, default_provider_name, provider_request_key
from tests.harness.properties import (
    UNKNOWN,
    PropertyMap,
    Secret,
    detailed_object_diff,
    from_struct,
    go_format,
    make_secret,
    parse_property_path,
    path_contains,
    strip_secrets,
    to_struct,
)
from tests.harness.provider_server import ProviderError
from tests.harness.providers import (
    DIFF_NONE,
    DIFF_SOME,
    DIFF_UNKNOWN,
    CheckResult,
    DiffResult,
    InitError,
    NotModelled,
    PluginHost,
    PropertyDiff,
    ProviderInstance,
    ReadResult,
    Registry,
    StepFailed,
    filter_provider_config,
    is_provider_type,
    set_provider_version,
)
from tests.harness.state import ROOT_STACK_TYPE, ResourceState

__all__ = [
    "DYNAMIC_PACKAGE",
    "INIT_ERROR_KEY",
    "PROVIDER_TYPE",
    "STEP_FAILED",
    "DeploymentError",
    "Engine",
    "MonitorError",
    "StepRecord",
    "check_failure_messages",
]

PROVIDER_TYPE = f"pulumi:providers:{DYNAMIC_PACKAGE}"
INIT_ERROR_KEY = "#initerror"
"""The diff key of a change due to init errors (``step_generator.go``, ``initErrorSpecialKey``)."""
STEP_FAILED = "failed"
"""``StepRecord.detail`` of a create or update that failed part-way: its partial state was kept."""
_HOOKS = (
    "before_create",
    "after_create",
    "before_update",
    "after_update",
    "before_delete",
    "after_delete",
    "on_error",
)


class DeploymentError(Exception):
    """A step failed: the operation stops (the engine cancels its step executor) with this message."""


class MonitorError(grpc.RpcError):  # type: ignore[misc]
    """An error the resource monitor answers the SDK with, as a gRPC status (``grpc_error_to_exception``)."""

    def __init__(self, message: str, code: grpc.StatusCode = grpc.StatusCode.UNKNOWN) -> None:
        super().__init__(message)
        self._message = message
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._message


@dataclass(frozen=True)
class StepRecord:
    """One step the engine carried out, in completion order.

    ``detail`` says what a refresh found (``same``, ``update``, ``delete``), or ``failed`` for a create or
    update that failed part-way (``StatusPartialFailure``): the step failed the operation, but its state, with
    the init errors, is in the snapshot (``OnResourceStepPost`` saves it). ``detailed_diff`` is the step's
    ``DetailedDiff`` as the CLI displays it: property path -> kind (``update``, ``update-replace``, ``add``,
    ...), after ``replaceOnChanges``; empty when the provider gave none and the engine computed none.
    """

    op: str
    urn: str
    detail: str = ""
    detailed_diff: dict[str, str] = field(default_factory=dict)


@dataclass
class _Goal:
    """What the program asked for in one ``RegisterResourceRequest``."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: PropertyMap
    dependencies: list[str]
    alias_urns: list[str]
    import_id: str
    delete_before_replace: bool | None
    replace_on_changes: list[str]
    additional_secret_outputs: list[str]
    accept_secrets: bool
    version: SemVer | None = None
    provider: str = ""  # the provider reference, for custom resources that are not providers
    providers: dict[str, str] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return self.type.split(":", 1)[0]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def _ref_urn(ref: str) -> str:
    return ref.rsplit("::", 1)[0]


def _diff_record(diff: DiffResult | None) -> dict[str, str]:
    return {k: v.kind for k, v in sorted((diff.detailed_diff or {}).items())} if diff else {}


def check_failure_messages(
    type_: str, name: str, inputs: PropertyMap, failures: list[tuple[str, str]]
) -> list[str]:
    """``issueCheckFailures`` (``step_generator.go``): a diagnostic per failure, the value as Go's ``%v``."""
    messages = []
    for prop, reason in failures:
        if prop:
            messages.append(
                f"{type_} resource '{name}': property {prop} value {go_format(inputs.get(prop))} "
                f"has a problem: {reason}"
            )
        else:
            messages.append(f"{type_} resource '{name}' has a problem: {reason}")
    return messages


class _Ops(Protocol):
    """A provider's resource operations: a ``ProviderInstance``, or the registry for provider resources."""

    def check(self, urn: str, olds: PropertyMap, news: PropertyMap, *, seed: bytes) -> CheckResult: ...

    def diff(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
    ) -> DiffResult: ...

    def create(self, urn: str, properties: PropertyMap, *, preview: bool) -> tuple[str, PropertyMap]: ...

    def read(
        self, urn: str, resource_id: str, *, inputs: PropertyMap | None, state: PropertyMap | None
    ) -> ReadResult: ...

    def update(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
        preview: bool,
    ) -> PropertyMap: ...


class _ProviderResources:
    """The registry seen as the provider of provider resources (``loadResourceProvider``)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def check(self, urn: str, olds: PropertyMap, news: PropertyMap, *, seed: bytes) -> CheckResult:
        return self.registry.check(urn, olds, news)

    def diff(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
    ) -> DiffResult:
        return self.registry.diff(
            urn, resource_id, old_inputs=old_inputs, old_outputs=old_outputs, new_inputs=new_inputs
        )

    def create(self, urn: str, properties: PropertyMap, *, preview: bool) -> tuple[str, PropertyMap]:
        return self.registry.create(urn, properties)

    def read(
        self, urn: str, resource_id: str, *, inputs: PropertyMap | None, state: PropertyMap | None
    ) -> ReadResult:
        raise StepFailed("provider resources may not be read")

    def update(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
        preview: bool,
    ) -> PropertyMap:
        return self.registry.update(urn, resource_id, new_inputs)


class Engine:
    """One deployment: the old snapshot, the steps taken so far and the providers they go through."""

    def __init__(
        self,
        *,
        project: str,
        stack: str,
        config: PropertyMap,
        resources: list[ResourceState],
        preview: bool,
        host: PluginHost,
        diagnostics: Diagnostics,
        persist: Callable[[list[ResourceState]], None] | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.preview = preview
        self.host = host
        self.diagnostics = diagnostics
        self.registry = Registry(host, preview=preview, diagnostics=diagnostics)
        self._provider_ops = _ProviderResources(self.registry)
        self._config = config
        # Nothing is persisted in a preview: it has no effects (deployment.go, opts.DryRun).
        self._persist_fn = None if preview else persist
        self._lock = threading.RLock()
        self._default_lock = threading.Lock()  # defaultProviders.serve handles one request at a time
        self._default_refs: dict[str, str] = {}
        self._ensure_locks: dict[str, threading.Lock] = {}
        self._olds: list[ResourceState] = list(resources)
        self._news: list[ResourceState] = []
        self._consumed: set[int] = set()  # id() of old states no longer in the snapshot
        self._registered: set[str] = set()
        self._claimed: dict[str, str] = {}  # old URN -> new URN that took over its state
        self._aliases: dict[str, str] = {}  # new URN -> old URN it was found under
        self._provider_news: dict[str, ResourceState] = {}  # sg.providers: provider URN -> new state
        self._component_providers: dict[str, dict[str, str]] = {}
        self._failure: str | None = None
        self.steps: list[StepRecord] = []
        self.stack_outputs: PropertyMap | None = None

    # ----------------------------------------------------------------------------------- bookkeeping

    @property
    def failed(self) -> bool:
        return self._failure is not None

    def make_urn(self, parent: str, type_: str, name: str, *, project: str = "", stack: str = "") -> str:
        """The resource's URN; the root stack is never part of a child's type (``generateURN``)."""
        parent_type = ""
        if parent and _qualified_type(parent) != ROOT_STACK_TYPE:
            parent_type = _qualified_type(parent)
        qualified = f"{parent_type}${type_}" if parent_type else type_
        return f"urn:pulumi:{stack or self.stack}::{project or self.project}::{qualified}::{name}"

    def snapshot(self) -> list[ResourceState]:
        """New states in completion order, then old states no step has replaced yet.

        As Pulumi's snapshot manager writes it (``pkg/backend/snapshot.go``, ``SnapshotManager.Snap``): a
        create-before-delete replacement leaves the old state in place, marked ``delete``, until its delete
        completes.
        """
        with self._lock:
            return self._news + [s for s in self._olds if id(s) not in self._consumed]

    def persist(self) -> None:
        # Called under the lock after every step: the checkpoint is saved as steps complete, so a failed
        # operation keeps what succeeded (snapshot manager, one save per step).
        if self._persist_fn is not None:
            self._persist_fn(self.snapshot())

    def record(self, op: str, urn: str, detail: str = "", diff: DiffResult | None = None) -> None:
        with self._lock:
            self.steps.append(StepRecord(op, urn, detail, _diff_record(diff)))
            self.persist()

    def fail(self, message: str) -> DeploymentError:
        # The first failing step cancels the deployment (step_executor.go, cancel on error): no new steps
        # start and no deletes run afterwards.
        with self._lock:
            if self._failure is None:
                self._failure = message
        return DeploymentError(message)

    def check_not_cancelled(self) -> None:
        if self._failure is not None:
            raise DeploymentError(
                f"update canceled: an earlier step failed ({self._failure.splitlines()[0]})"
            )

    @contextlib.contextmanager
    def step(self, urn: str) -> Iterator[None]:
        """Turn what a step raises into the operation's failure, the message prefixed with the URN."""
        try:
            yield
        except DeploymentError:
            raise
        except ProviderError as exc:
            raise self.fail(f"{urn}: {exc.method} failed:\n{exc.details}") from None
        except (StepFailed, NotModelled, ValueError) as exc:
            raise self.fail(f"{urn}: {exc}") from None

    def olds_by_urn(self) -> dict[str, ResourceState]:
        # Pending deletes are never matched against registrations: ``NewDeployment`` (deployment.go) leaves
        # them out of its ``olds`` lookup table.
        with self._lock:
            return {s.urn: s for s in self._olds if not s.delete and id(s) not in self._consumed}

    def old_states(self) -> list[ResourceState]:
        with self._lock:
            return list(self._olds)

    def add_new(self, state: ResourceState, *, consume: ResourceState | None = None) -> None:
        with self._lock:
            if consume is not None:
                self._consumed.add(id(consume))
            self._news.append(state)

    def news_by_urn(self) -> dict[str, ResourceState]:
        with self._lock:
            return {s.urn: s for s in self._news}

    def _claim_old(self, goal: _Goal) -> tuple[ResourceState | None, str]:
        """Find the old state by URN, then by alias, and claim it for this registration.

        ``getOldResource``: the URN first, then each alias; a match through an alias is remembered so the
        old URN is not deleted later and the resource's children can inherit the alias.
        """
        olds = self.olds_by_urn()
        for candidate in [goal.urn, *goal.alias_urns]:
            old = olds.get(candidate)
            if old is None:
                continue
            if candidate != goal.urn:
                if candidate in self._registered:
                    raise self.fail(
                        f"Duplicate resource alias '{candidate}' applied to resource with URN '{goal.urn}'"
                    )
                if candidate in self._claimed:
                    raise self.fail(f"Resource '{candidate}' is aliased by two resources")
                self._aliases[goal.urn] = candidate
            self._claimed[candidate] = goal.urn
            return old, candidate if candidate != goal.urn else ""
        return None, ""

    def _consume(self, old: ResourceState | None) -> None:
        if old is not None:
            self._consumed.add(id(old))

    # -------------------------------------------------------------------------------- provider lookup

    def package_config(self, package: str) -> PropertyMap:
        """``Target.GetPackageConfig``: a dynamic provider gets every key, namespace kept; any other package
        its own keys, by bare name; secrets stay secrets."""
        if package == DYNAMIC_PACKAGE:
            return dict(self._config)
        return {
            key.split(":", 1)[1]: value
            for key, value in self._config.items()
            if key.split(":", 1)[0] == package
        }

    def default_provider(self, package: str, version: SemVer | None) -> str:
        """The reference of ``package``'s default provider at ``version``, registered on first use.

        ``defaultProviders.handleRequest``: one registration per ``ProviderRequest`` (package and version),
        named ``default`` or ``default_<major>_<minor>_<patch>...`` (``DefaultName``), with the package's
        config as inputs and the version put in by ``SetProviderVersion``. It goes through the same steps as
        an explicit provider resource. ``pulumi:disable-default-providers`` is not modelled.
        """
        if "pulumi:disable-default-providers" in self._config:
            raise self.fail("the harness does not model pulumi:disable-default-providers")
        key = provider_request_key(package, version)
        with self._default_lock:
            if key in self._default_refs:
                return self._default_refs[key]
            inputs = self.package_config(package)
            if version is not None:
                set_provider_version(inputs, version)
            type_ = f"pulumi:providers:{package}"
            name = default_provider_name(version)
            goal = _Goal(
                urn=self.make_urn("", type_, name),
                type=type_,
                name=name,
                parent="",
                custom=True,
                inputs=inputs,
                dependencies=[],
                alias_urns=[],
                import_id="",
                delete_before_replace=None,
                replace_on_changes=[],
                additional_secret_outputs=[],
                accept_secrets=True,
            )
            state = self._register_goal(goal)
            ref = f"{state.urn}::{state.id}"
            self._default_refs[key] = ref
            return ref

    def _ops_for(self, goal: _Goal) -> _Ops:
        """``loadResourceProvider``: the registry for provider resources, else the referenced instance.

        A reference to a provider that only the checkpoint holds loads it from its stored inputs and keeps its
        state with an (untargeted) same step; any other unknown reference fails.
        """
        if is_provider_type(goal.type):
            return self._provider_ops
        instance = self.registry.get(goal.provider)
        if instance is not None:
            return instance
        old = self.olds_by_urn().get(_ref_urn(goal.provider))
        if old is None or f"{old.urn}::{old.id}" != goal.provider:
            raise self.fail(f"{goal.urn}: unknown provider '{goal.provider}' for resource '{goal.urn}'")
        instance = self.provider_from_state(goal.provider)
        with self._lock:
            if old.urn not in self._claimed:
                self._claimed[old.urn] = old.urn
                self._consume(old)
                self._news.append(copy.copy(old))
                pending_same = True
            else:
                pending_same = False
        if pending_same:
            self.record("same", old.urn)
        return instance

    def provider_from_state(self, ref: str) -> ProviderInstance:
        """``EnsureProvider`` -> ``registry.Same``: refresh, destroy and deletes load the provider a stored
        resource references from the provider's stored inputs, not from the current stack config."""
        instance = self.registry.get(ref)
        if instance is not None:
            return instance
        with self._lock:
            lock = self._ensure_locks.setdefault(ref, threading.Lock())
            state = next(
                (s for s in self._olds if f"{s.urn}::{s.id}" == ref and is_provider_type(s.type)), None
            )
        if state is None:
            raise self.fail(f"could not find provider {ref!r} in the checkpoint")
        with lock, self.step(state.urn):
            return self.registry.ensure(state)

    # ----------------------------------------------------------------------------- register resource

    def _decode_goal(self, req: Any) -> _Goal:
        """Turn a ``RegisterResourceRequest`` into a goal; options the harness does not model are refused."""
        unsupported = {
            "protect": req.HasField("protect") and req.protect,
            "retainOnDelete": req.HasField("retainOnDelete") and req.retainOnDelete,
            "ignoreChanges": bool(req.ignoreChanges),
            "deletedWith": bool(req.deletedWith),
            "replaceWith": bool(req.replace_with),
            "replacementTrigger": req.HasField("replacement_trigger"),
            "remote": req.remote,
            "pluginDownloadURL": bool(req.pluginDownloadURL),
            "pluginChecksums": bool(req.pluginChecksums),
            "packageRef (parameterized packages)": bool(req.packageRef),
            "envVarMappings": bool(req.envVarMappings),
            "hideDiffs": bool(req.hideDiffs),
            "customTimeouts": any(
                (
                    req.customTimeouts.create,
                    req.customTimeouts.update,
                    req.customTimeouts.delete,
                    req.customTimeouts.read,
                )
            ),
            "transforms": bool(req.transforms),
            "hooks": any(getattr(req.hooks, hook) for hook in _HOOKS),
            "state migrations": bool(req.state_migrations),
        }
        refused = [name for name, used in unsupported.items() if used]
        if refused:
            raise self.fail(f"{req.type} {req.name!r}: the harness does not model {', '.join(refused)}")
        urn = self.make_urn(req.parent, req.type, req.name)
        try:
            version = SemVer.parse(req.version) if req.version else None
        except ValueError as exc:
            raise self.fail(f"{urn}: parse provider request: {exc}") from None
        inputs = from_struct(req.object)
        if is_provider_type(req.type):
            if req.importId:
                raise self.fail(f"{urn}: the harness does not model importing provider resources")
            if version is not None:
                set_provider_version(inputs, version)  # source_eval.go: a provider's version is an input
        return _Goal(
            urn=urn,
            type=req.type,
            name=req.name,
            parent=req.parent,
            custom=req.custom,
            inputs=inputs,
            dependencies=list(req.dependencies),
            alias_urns=self._alias_urns(req),
            import_id=req.importId,
            delete_before_replace=req.deleteBeforeReplace if req.deleteBeforeReplaceDefined else None,
            replace_on_changes=list(req.replaceOnChanges),
            additional_secret_outputs=list(req.additionalSecretOutputs),
            accept_secrets=req.acceptSecrets,
            version=version,
            provider=req.provider,
            providers=dict(req.providers),
        )

    def _alias_urns(self, req: Any) -> list[str]:
        """Alias specs and URNs to the URNs they name (``generateAliases`` / ``collapseAliasToUrn``)."""
        urns: list[str] = []

        def add(urn: str) -> None:
            if urn not in urns:
                urns.append(urn)

        for alias in req.aliases:
            if alias.WhichOneof("alias") == "urn":
                add(alias.urn)
                continue
            spec = alias.spec
            parent = spec.parentUrn or req.parent
            # A parent that was itself found under an alias lends its old URN.
            parent = self._aliases.get(parent, parent)
            if spec.noParent or (parent and _qualified_type(parent) == ROOT_STACK_TYPE):
                parent = ""
            add(
                self.make_urn(
                    parent,
                    spec.type or req.type,
                    spec.name or req.name,
                    project=spec.project,
                    stack=spec.stack,
                )
            )
        for urn in req.aliasURNs:
            add(urn)
        # A child inherits its parent's alias (``inheritedChildAlias``), its name prefix renamed alike.
        parent_alias = self._aliases.get(req.parent)
        if parent_alias:
            parent_name = req.parent.rsplit("::", 1)[-1]
            old_parent_name = parent_alias.rsplit("::", 1)[-1]
            name = req.name
            if name.startswith(parent_name):
                name = old_parent_name + name[len(parent_name) :]
            add(
                f"urn:pulumi:{self.stack}::{self.project}::{_qualified_type(parent_alias)}${req.type}::{name}"
            )
        return urns

    def _provider_reference(self, goal: _Goal) -> str:
        """``getProviderReference``: the request's own reference, if any, else the default provider's."""
        if goal.provider:
            if "::" not in goal.provider or not goal.provider.startswith("urn:pulumi:"):
                raise self.fail(
                    f"{goal.urn}: bad provider reference '{goal.provider}' for resource '{goal.urn}': "
                    "expected '<URN>::<ID>'"
                )
            return goal.provider
        return self.default_provider(goal.package, goal.version)

    def register_resource(self, req: Any) -> Any:
        """Handle ``RegisterResource``: generate and execute this resource's steps, answer the program."""
        goal = self._decode_goal(req)
        if goal.custom and not is_provider_type(goal.type):
            goal.provider = self._provider_reference(goal)
        state = self._register_goal(goal)
        # Unknowns are kept for the SDK, which asked for partial values; secrets as the program accepts them.
        return resource_pb2.RegisterResourceResponse(
            urn=state.urn,
            id="" if state.id == UNKNOWN else state.id,
            object=to_struct(state.outputs, keep_secrets=goal.accept_secrets),
        )

    def _register_goal(self, goal: _Goal) -> ResourceState:
        with self._lock:
            self.check_not_cancelled()
            if goal.urn in self._registered:
                raise self.fail(f"Duplicate resource URN '{goal.urn}'; try giving it a unique name")
            self._registered.add(goal.urn)
            old, alias = self._claim_old(goal)
        if goal.custom:
            return self._custom_steps(goal, old, alias)
        state = self._component_steps(goal, old)
        with self._lock:
            # A component's providers (and its parent component's) serve invokes made under it (resmon).
            providers = dict(self._component_providers.get(goal.parent, {}))
            providers.update(goal.providers)
            self._component_providers[goal.urn] = providers
        return state

    def _component_steps(self, goal: _Goal, old: ResourceState | None) -> ResourceState:
        """Components (and the root stack) have no provider: same if inputs are equal, else update.

        ``stepGenerator.diff`` with ``prov == nil``; a same step keeps the old outputs, so the stack keeps its
        old outputs until the program registers new ones.
        """
        new = ResourceState(
            urn=goal.urn,
            type=goal.type,
            custom=False,
            inputs=goal.inputs,
            parent=goal.parent,
            dependencies=goal.dependencies,
            aliases=[self._aliases[goal.urn]] if goal.urn in self._aliases else [],
            created=old.created if old else _now(),
            modified=old.modified if old else _now(),
        )
        if old is None:
            op = "create"
        elif old.inputs == goal.inputs:
            op, new.outputs = "same", old.outputs
        else:
            op, new.modified = "update", _now()
        with self._lock:
            self._consume(old)
            self._news.append(new)
        self.record(op, goal.urn)
        return new

    def _custom_steps(self, goal: _Goal, old: ResourceState | None, alias: str) -> ResourceState:
        """A custom resource's steps, in the order of ``continueStepsFromRefresh`` (import?),
        ``continueStepsFromImport`` (Check; create, or take over an external resource) and
        ``continueStepsFromDiff`` (same, update or replace)."""
        ops = self._ops_for(goal)

        imported = False
        # An import happens when the goal has an ID and no old state, an external one, or one imported
        # under another ID (continueStepsFromRefresh, ``isImport``).
        old_import_id = (old.import_id or old.id) if old is not None else ""
        if goal.import_id and (old is None or old.external or old_import_id != goal.import_id):
            original = old
            old = self._import(goal, ops)
            imported = True
            if original is not None:
                # An import over an existing state replaces it: the original is deleted at the end
                # (ImportReplacementStep marks it ``Delete``).
                with self._lock:
                    original.delete = True

        was_external = old is not None and old.external
        # Check: against the old inputs, unless there are none the engine owns (continueStepsFromImport).
        checked = self._check(goal, ops, {} if old is None or was_external else old.inputs)
        new = ResourceState(
            urn=goal.urn,
            type=goal.type,
            custom=True,
            inputs=checked,
            parent=goal.parent,
            provider=goal.provider,
            dependencies=goal.dependencies,
            additional_secret_outputs=goal.additional_secret_outputs,
            aliases=[alias] if alias else [],
            import_id=goal.import_id,
            created=old.created if old is not None and not was_external else "",
            modified=old.modified if old is not None and not was_external else "",
        )
        if is_provider_type(goal.type):
            with self._lock:
                self._provider_news[goal.urn] = new

        if old is None:
            return self._create(goal, ops, new, op="create")
        if was_external:
            # Taking ownership of a resource that was only read: create it, discard the read one later
            # (Case 2, ``wasExternal``: CreateReplacement + Replace with a pending delete).
            created = self._create(goal, ops, new, op="create-replacement", replacing=old)
            self.record("replace", goal.urn)
            return created

        diff = self._diff(goal, ops, old, new)
        has_init_errors = bool(old.init_errors)
        diff = self._apply_replace_on_changes(diff, goal.replace_on_changes, has_init_errors)
        if diff.changes == DIFF_SOME:
            if not diff.replace():
                return self._update(goal, ops, old, new, diff)
            if goal.import_id:
                raise self.fail(
                    f"{goal.urn}: previously-imported resources that still specify an ID may not be "
                    "replaced; please remove the `import` declaration from your program"
                )
            return self._replace(goal, ops, old, new, diff)
        if has_init_errors:
            # Unchanged, but the last create or update failed part-way: an (empty) update step tries again
            # (continueStepsFromDiff, ``if hasInitErrors``).
            return self._update(goal, ops, old, new, diff)
        if imported:
            # An import with no diff resolves with the imported state, no same step (continueStepsFromDiff).
            with self._lock:
                self._news.append(old)
                self.persist()
            return old
        return self._same(goal, old, new)

    def _check(self, goal: _Goal, ops: _Ops, olds: PropertyMap) -> PropertyMap:
        """``Check``; failures abort the operation with Pulumi's diagnostics (``issueCheckFailures``, which
        prints the *declared* value: new.Inputs is replaced by the checked inputs only afterwards)."""
        with self.step(goal.urn):
            result = ops.check(goal.urn, olds, goal.inputs, seed=uuid.uuid4().bytes + uuid.uuid4().bytes)
        if result.failures:
            raise self.fail(
                "\n".join(check_failure_messages(goal.type, goal.name, goal.inputs, result.failures))
            )
        return result.inputs

    def _diff(self, goal: _Goal, ops: _Ops, old: ResourceState, new: ResourceState) -> DiffResult:
        """``stepGenerator.diff``: a changed provider may replace first; then ``diffResource``, which on
        DIFF_UNKNOWN diffs old and new inputs itself, secrets unwrapped (a dynamic resource's ``__provider``
        included), and builds the detailed diff from that (``NewDetailedDiffFromObjectDiff``, input diffs)."""
        if self._provider_changed(goal.urn, old, new):
            return DiffResult(DIFF_SOME, replace_keys=["provider"])
        with self.step(goal.urn):
            diff = ops.diff(
                goal.urn, old.id, old_inputs=old.inputs, old_outputs=old.outputs, new_inputs=new.inputs
            )
        if diff.changes == DIFF_UNKNOWN:
            changed, detailed = detailed_object_diff(strip_secrets(old.inputs), strip_secrets(new.inputs))
            if changed:
                diff.changes = DIFF_SOME
                diff.changed_keys = changed
                diff.detailed_diff = {path: PropertyDiff(kind, True) for path, kind in detailed.items()}
            else:
                diff.changes = DIFF_NONE
        if diff.changes not in (DIFF_NONE, DIFF_SOME):
            raise self.fail(f"unrecognized diff state for {goal.urn}: {diff.changes}")
        return diff

    def _provider_changed(self, urn: str, old: ResourceState, new: ResourceState) -> bool:
        """``providerChanged``: a resource whose provider reference changed is replaced only if the new
        provider's ``DiffConfig`` of the old provider's config says so (or it moves to or from no provider);
        a provider found under an alias is the same provider."""
        if old.provider == new.provider:
            return False
        if not old.provider or not new.provider:
            return True
        old_urn, new_urn = _ref_urn(old.provider), _ref_urn(new.provider)
        with self._lock:
            if self._aliases.get(new_urn) == old_urn:
                return False
            old_provider = next((s for s in self._olds if s.urn == old_urn and not s.delete), None)
            new_provider = self._provider_news.get(new_urn)
        instance = self.registry.get(new.provider)
        if instance is None:
            raise self.fail(f"{urn}: failed to resolve provider reference: {old.provider!r}")
        if old_provider is None or new_provider is None:
            raise self.fail(f"{urn}: the old or the new provider of this resource has no state")
        with self.step(urn):
            diff = instance.diff_config(
                new_urn,
                filter_provider_config(old_provider.inputs),
                old_provider.outputs,
                filter_provider_config(new_provider.inputs),
            )
        return diff.replace()

    @staticmethod
    def _apply_replace_on_changes(
        diff: DiffResult, replace_on_changes: list[str], has_init_errors: bool
    ) -> DiffResult:
        """``applyReplaceOnChanges``: detailed-diff entries under a ``replaceOnChanges`` path become replace
        kinds, and changed keys under one become replace keys. A resource with init errors is changed at
        ``#initerror``: a ``replaceOnChanges`` path containing that key replaces it (a replace key, and an
        ``update-replace`` entry in a detailed diff). A diff without changes is left alone unless the old
        state has init errors.

        A provider that reports neither changed keys nor a detailed diff (the Python dynamic server with
        ``changes=True``) gives ``replaceOnChanges`` nothing to match.
        """
        if diff.changes != DIFF_SOME and not has_init_errors:
            return diff
        paths = [parse_property_path(p) for p in replace_on_changes]
        if not paths:
            return diff
        detailed = None
        if diff.detailed_diff is not None:
            detailed = {
                key: (
                    value.to_replace()
                    if any(path_contains(p, parse_property_path(key)) for p in paths)
                    else value
                )
                for key, value in diff.detailed_diff.items()
            }
        keys = list(diff.replace_keys)
        for key in diff.changed_keys:
            try:
                key_path = parse_property_path(key)
            except ValueError:
                continue
            if any(path_contains(p, key_path) for p in paths) and key not in keys:
                keys.append(key)
        changes = diff.changes
        if has_init_errors:
            init_error_path = parse_property_path(INIT_ERROR_KEY)
            for path in paths:
                if path_contains(path, init_error_path):
                    keys.append(INIT_ERROR_KEY)
                    if detailed is not None:
                        detailed[INIT_ERROR_KEY] = PropertyDiff("update-replace")
                    changes = DIFF_SOME
        return DiffResult(
            changes=changes,
            replace_keys=keys,
            stable_keys=diff.stable_keys,
            changed_keys=diff.changed_keys,
            detailed_diff=detailed,
            delete_before_replace=diff.delete_before_replace,
        )

    def finish_state(self, new: ResourceState) -> None:
        """Mark secret outputs after a step, as ``continueExecuteStep`` in ``step_executor.go`` does.

        Every ``additionalSecretOutputs`` key becomes secret (``id`` cannot be, with a warning), and so does
        any output whose same-named input is a secret ("an input secret is potentially leaked as an output").
        """
        outputs = dict(new.outputs)
        for key in new.additional_secret_outputs:
            if key == "id":
                self.diagnostics.warning(
                    "The 'id' property cannot be made secret. See pulumi/pulumi#2717 for more details."
                )
            elif key in outputs:
                outputs[key] = make_secret(outputs[key])
        for key, value in outputs.items():
            if not isinstance(value, Secret) and isinstance(new.inputs.get(key), Secret):
                outputs[key] = Secret(value)
        new.outputs = outputs

    def _create(
        self,
        goal: _Goal,
        ops: _Ops,
        new: ResourceState,
        *,
        op: str,
        replacing: ResourceState | None = None,
        diff: DiffResult | None = None,
    ) -> ResourceState:
        """``CreateStep``: ``Create`` with the checked inputs (``preview`` in a preview: ``provider.Create``
        skips the call for a provider without preview support and answers with the inputs). After a
        create-before-delete replacement the old state is marked for deletion, deleted at the end.

        A partial failure (``InitError``) takes the ID and outputs it carried and records its reasons as
        ``InitErrors``; the state joins the snapshot as a created one would (``OnResourceStepPost`` ends the
        mutation as successful for ``StatusPartialFailure``), then the step fails the operation.
        """
        with self._lock:
            self.check_not_cancelled()
        partial: InitError | None = None
        with self.step(goal.urn):
            try:
                new_id, outputs = ops.create(goal.urn, new.inputs, preview=self.preview)
            except InitError as exc:
                partial = exc
                new_id, outputs = exc.resource_id, exc.outputs
                new.init_errors = list(exc.reasons)
        if partial is None and not new_id and not self.preview:
            raise self.fail(f"{goal.urn}: provider did not return an ID from Create")
        new.id = new_id or UNKNOWN
        new.outputs = outputs
        new.created = new.modified = _now()
        self.finish_state(new)
        with self._lock:
            if replacing is not None:
                replacing.delete = True
            self._news.append(new)
        self.record(op, goal.urn, STEP_FAILED if partial is not None else "", diff=diff)
        if partial is not None:
            raise self.fail(f"{goal.urn}: {partial}")
        return new

    def _same(self, goal: _Goal, old: ResourceState, new: ResourceState) -> ResourceState:
        """``SameStep``: keep the old ID and outputs (a dynamic resource's old ``__provider`` too), record the
        new inputs. A provider resource is configured with its *old* inputs and registered
        (``Registry.Same``)."""
        new.id, new.outputs = old.id, old.outputs
        if is_provider_type(goal.type):
            same_state = copy.copy(new)
            same_state.inputs = old.inputs
            try:
                self.registry.same(same_state, from_check=True)
            except (ProviderError, StepFailed, NotModelled) as exc:
                detail = exc.details if isinstance(exc, ProviderError) else str(exc)
                raise self.fail(f"{goal.urn}: bad provider state for resource {goal.urn}: {detail}") from None
        self.finish_state(new)
        with self._lock:
            self._consume(old)
            self._news.append(new)
        self.record("same", new.urn)
        return new

    def _update(
        self, goal: _Goal, ops: _Ops, old: ResourceState, new: ResourceState, diff: DiffResult
    ) -> ResourceState:
        """``UpdateStep``: ``Update(id, old outputs, checked inputs)``; a preview without preview support
        echoes the inputs. The new state has no init errors (``generateSteps`` builds it without), so a
        successful update clears the old state's.

        A partial failure (``InitError``, ``UpdateStep.Apply``): the outputs it carried become the new state's
        and its reasons the ``InitErrors``; secrets are marked as after any step (``continueExecuteStep``);
        then ``OnResourceStepPost`` (``pkg/engine/update.go``) puts the *old* inputs back ("the resource that
        exists was not ... updated successfully with those inputs", pulumi/pulumi#2011) and ends the
        mutation as successful: the snapshot holds old inputs, partial outputs and the init errors. The
        step still fails the operation. An error without that detail fails it and keeps the old state.
        """
        with self._lock:
            self.check_not_cancelled()
        new.id = old.id
        partial: InitError | None = None
        with self.step(goal.urn):
            try:
                new.outputs = ops.update(
                    goal.urn,
                    old.id,
                    old_inputs=old.inputs,
                    old_outputs=old.outputs,
                    new_inputs=new.inputs,
                    preview=self.preview,
                )
            except InitError as exc:
                partial = exc
                new.outputs = exc.outputs
                new.init_errors = list(exc.reasons)
        new.modified = _now()
        self.finish_state(new)
        if partial is not None:
            new.inputs = dict(old.inputs)
        with self._lock:
            self._consume(old)
            self._news.append(new)
        self.record("update", goal.urn, STEP_FAILED if partial is not None else "", diff=diff)
        if partial is not None:
            raise self.fail(f"{goal.urn}: {partial}")
        return new

    def _replace(
        self, goal: _Goal, ops: _Ops, old: ResourceState, new: ResourceState, diff: DiffResult
    ) -> ResourceState:
        """A replacement: create-before-delete unless the resource option or the diff asks otherwise.

        ``continueStepsFromDiff``: the inputs are checked again without the old ones (defaults must be
        recomputed for a new resource); ``deleteBeforeReplace`` from the options wins over the diff's.
        Create-before-delete defers the old resource's delete to the end of the deployment.
        Dependents of a delete-before-replace resource are not replaced with it (not modelled).
        """
        new.inputs = self._check(goal, ops, {})
        new.created = new.modified = ""
        if is_provider_type(goal.type):
            with self._lock:
                self._provider_news[goal.urn] = new
        delete_first = diff.delete_before_replace
        if goal.delete_before_replace is not None:
            delete_first = goal.delete_before_replace
        if delete_first:
            self.delete(old, op="delete-replaced")
            self.record("replace", goal.urn, diff=diff)
            return self._create(goal, ops, new, op="create-replacement", diff=diff)
        created = self._create(goal, ops, new, op="create-replacement", replacing=old, diff=diff)
        self.record("replace", goal.urn, diff=diff)
        return created

    def _import(self, goal: _Goal, ops: _Ops) -> ResourceState:
        """``ImportStep`` (from ``import_=``): ``Read`` the ID with neither inputs nor state, as the engine
        sends it.

        The Python dynamic server then cannot find ``__provider`` and fails with ``KeyError: '__provider'``
        (pulumi/pulumi#16175); the harness passes that failure on untouched. A plugin answers with outputs and
        inputs. On success the read state stands in for the old state and the usual Check/Diff follows
        (``continueStepsFromImport``).
        """
        with self.step(goal.urn):
            read = ops.read(goal.urn, goal.import_id, inputs=None, state=None)
        if read.outputs is None:
            raise self.fail(f"{goal.urn}: resource '{goal.import_id}' does not exist")
        if read.inputs is None:
            raise self.fail(
                f"{goal.urn}: provider does not support importing resources; "
                f"please try updating the '{goal.package}' plugin"
            )
        imported = ResourceState(
            urn=goal.urn,
            type=goal.type,
            custom=True,
            id=read.id or goal.import_id,
            inputs=read.inputs,
            outputs=read.outputs,
            parent=goal.parent,
            provider=goal.provider,
            additional_secret_outputs=goal.additional_secret_outputs,
            import_id=goal.import_id,
            created=_now(),
            modified=_now(),
        )
        self.finish_state(imported)
        # Recorded now; the state joins the snapshot once Check/Diff decide what follows the import.
        self.record("import", goal.urn)
        return imported

    # --------------------------------------------------------------------------------- read resource

    def read_resource(self, req: Any) -> Any:
        """Handle ``ReadResource`` (``Resource.get`` / ``ResourceOptions(id=...)``): an external resource.

        ``GenerateReadSteps`` + ``ReadStep``: ``Read`` gets the registration's properties as both inputs and
        state ("a strange double send", kept for compatibility); reads run in previews too. A read resource
        is external: never deleted, only discarded. Reading over a managed resource with another ID pends
        the managed one's deletion (read-replacement).
        """
        urn = self.make_urn(req.parent, req.type, req.name)
        if req.pluginDownloadURL or req.pluginChecksums or req.packageRef:
            raise self.fail(f"{urn}: the harness does not model pluginDownloadURL, checksums or packageRef")
        props = from_struct(req.properties)
        with self._lock:
            self.check_not_cancelled()
            if urn in self._registered:
                raise self.fail(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self._registered.add(urn)
            old = self.olds_by_urn().get(urn)
            if old is not None:
                self._claimed[urn] = urn
        if not req.id:
            raise self.fail(f"Expected an ID for {urn}")
        try:
            version = SemVer.parse(req.version) if req.version else None
        except ValueError as exc:
            raise self.fail(f"{urn}: parse provider request: {exc}") from None
        provider_ref = req.provider or self.default_provider(req.type.split(":", 1)[0], version)
        instance = self.registry.get(provider_ref)
        if instance is None:
            raise self.fail(f"{urn}: unknown provider '{provider_ref}' for resource '{urn}'")
        with self.step(urn):
            read = instance.read(urn, req.id, inputs=props, state=props)
        new = ResourceState(
            urn=urn,
            type=req.type,
            custom=True,
            id=read.id or req.id,
            inputs=props,
            outputs=read.outputs or {},
            parent=req.parent,
            provider=provider_ref,
            dependencies=list(req.dependencies),
            external=True,
            additional_secret_outputs=list(req.additionalSecretOutputs),
            created=old.created if old else _now(),
            modified=_now(),
        )
        self.finish_state(new)
        replacing = old is not None and not old.external and old.id != req.id
        with self._lock:
            if replacing and old is not None:
                old.delete = True
            else:
                self._consume(old)
            self._news.append(new)
        self.record("read-replacement" if replacing else "read", urn)
        if replacing:
            self.record("replace", urn)
        return resource_pb2.ReadResourceResponse(
            urn=urn, properties=to_struct(new.outputs, keep_secrets=req.acceptSecrets)
        )

    def register_outputs(self, req: Any) -> None:
        """``RegisterResourceOutputs``: a component's (or the stack's) outputs, secrets preserved."""
        self.set_outputs(req.urn, from_struct(req.outputs))

    def set_outputs(self, urn: str, outputs: PropertyMap) -> None:
        with self._lock:
            for state in reversed(self._news):
                if state.urn == urn and not state.custom:
                    state.outputs = outputs
                    break
            if _qualified_type(urn) == ROOT_STACK_TYPE:
                self.stack_outputs = outputs
            self.persist()

    # -------------------------------------------------------------------------------------- invokes

    def invoke(self, req: Any) -> Any:
        """``resmon.Invoke`` (``source_eval.go``): the provider the request names (or its parent component's,
        ``resolveProvider``), else the package's default provider at the requested version, is called; its
        return and check failures go back to the SDK. Errors are gRPC errors for the program to handle."""
        tok = req.tok
        if tok.startswith("pulumi:pulumi:"):
            raise MonitorError(f"the harness does not model the engine's built-in function {tok}")
        if req.packageRef or req.pluginDownloadURL or req.pluginChecksums or req.dependsOn:
            raise MonitorError(
                f"invoke of {tok}: the harness does not model packageRef, pluginDownloadURL, checksums "
                "or dependsOn"
            )
        try:
            version = SemVer.parse(req.version) if req.version else None
        except ValueError as exc:
            raise MonitorError(str(exc)) from None
        package = tok.split(":", 1)[0]
        raw = req.provider
        if not raw and req.parent:
            with self._lock:
                raw = self._component_providers.get(req.parent, {}).get(package, "")
        ref = raw or self.default_provider(package, version)
        instance = self.registry.get(ref)
        if instance is None:
            raise MonitorError(f"Invoke: unknown provider '{raw}' -> '{ref}'")
        try:
            result, failures = instance.invoke(tok, from_struct(req.args), preview=self.preview)
        except ProviderError as exc:
            raise MonitorError(f"invocation of {tok} returned an error: {exc.details}") from None
        response = resource_pb2.ResourceInvokeResponse(
            failures=[provider_pb2.CheckFailure(property=p, reason=r) for p, r in failures]
        )
        getattr(response, "return").CopyFrom(to_struct(result, keep_secrets=True))
        return response

    # ------------------------------------------------------------------------------------- refresh

    def refresh(self) -> None:
        """Refresh every resource of the old snapshot, in parallel, before anything else runs.

        ``deploymentExecutor.refresh`` + ``RefreshStep``: ``Read(id, inputs=old inputs, state=old outputs)``
        through the provider loaded from the checkpoint; a blank ID (or no outputs) drops the resource;
        otherwise outputs (and inputs, if returned) are replaced, then a ``Diff`` of new state against old
        inputs tells whether the refresh changed anything; a successful read clears init errors. Providers,
        components and pending replacements are not read.
        """
        with self._lock:
            targets = [s for s in self._olds if s.custom and not is_provider_type(s.type)]
        if not targets:
            return
        for ref in dict.fromkeys(s.provider for s in targets):
            self.provider_from_state(ref)
        with ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
            for future in [pool.submit(self._refresh_one, s) for s in targets]:
                future.result()

    def _refresh_one(self, old: ResourceState) -> None:
        instance = self.provider_from_state(old.provider)
        with self.step(old.urn):
            read = instance.read(old.urn, old.id, inputs=old.inputs, state=old.outputs)
        if not read.id or read.outputs is None:
            with self._lock:
                self._consume(old)
            self.record("refresh", old.urn, "delete")
            return
        new = copy.copy(old)
        new.id = read.id
        new.outputs = read.outputs
        # RefreshStep.Apply sets ``InitErrors = initErrors``: a Read that succeeded leaves none.
        new.init_errors = []
        if read.inputs is not None:
            new.inputs = read.inputs
        self.finish_state(new)
        diff: DiffResult | None = None
        if old.external:
            changed = strip_secrets(new.outputs) != strip_secrets(old.outputs)
        else:
            # The refresh diff: what an ``up`` of an unchanged program would do, framed from the new state,
            # then inverted (the provider is the source of truth here).
            with self.step(old.urn):
                diff = instance.diff(
                    old.urn, new.id, old_inputs=new.inputs, old_outputs=new.outputs, new_inputs=old.inputs
                )
            if diff.changes == DIFF_UNKNOWN:
                changed_keys, detailed = detailed_object_diff(
                    strip_secrets(new.inputs), strip_secrets(old.inputs)
                )
                changed = bool(changed_keys)
                diff.detailed_diff = {path: PropertyDiff(kind, True) for path, kind in detailed.items()}
            else:
                changed = diff.changes != DIFF_NONE
            if diff.detailed_diff is not None:
                diff.detailed_diff = {k: v.invert() for k, v in diff.detailed_diff.items()}
        if changed:
            new.modified = _now()
        with self._lock:
            # The refreshed state takes the old one's place: later steps of this operation start from it.
            self._olds[self._olds.index(old)] = new
        self.record("refresh", old.urn, "update" if changed else "same", diff=diff)

    # -------------------------------------------------------------------------------------- deletes

    def delete_unregistered(self) -> None:
        """After the program: delete what it no longer declares, and the pending deletes of replacements.

        ``GenerateDeletes``: resources of the old snapshot that no registration claimed, and those marked
        ``delete``; scheduled as ``_delete_all`` says.
        """
        with self._lock:
            self.check_not_cancelled()
            doomed = [
                s
                for s in reversed(self._olds)
                if id(s) not in self._consumed and (s.delete or s.urn not in self._claimed)
            ]
        self._delete_all(doomed)

    def destroy(self) -> None:
        """``pulumi destroy``: every resource of the snapshot, scheduled as ``_delete_all`` says."""
        with self._lock:
            doomed = [s for s in reversed(self._olds) if id(s) not in self._consumed]
        self._delete_all(doomed)

    def _delete_all(self, doomed: list[ResourceState]) -> None:
        """``ScheduleDeletes`` (``step_generator.go``): the condemned resources split into antichains,
        each the resources no other condemned one depends on (as a dependency, a child or through its
        provider), taken in turn; ``deployment_executor.go`` runs each antichain's deletes in parallel
        (``ExecuteParallel``). The engine's cap is ``--parallel``; this harness's is 16 threads, as its
        refresh. A failed delete cancels what has not started; the first error is raised.
        """
        remaining = list(doomed)
        while remaining:
            chain = [s for s in remaining if not any(_depends_on(o, s) for o in remaining if o is not s)]
            if not chain:  # a cycle cannot be in a valid snapshot; fall back to snapshot order
                chain = remaining[:1]
            remaining = [s for s in remaining if all(s is not c for c in chain)]
            with ThreadPoolExecutor(max_workers=min(16, len(chain))) as pool:
                futures = [pool.submit(self.delete, s, op=_delete_op(s)) for s in chain]
            errors = [error for future in futures if (error := future.exception()) is not None]
            if errors:
                raise errors[0]

    def delete(self, state: ResourceState, *, op: str) -> None:
        """``DeleteStep``: ``Delete(id, old outputs, old inputs)`` through the provider loaded from the
        checkpoint; nothing for previews, external resources and components. A provider resource's delete
        unloads its plugin instance (``Registry.Delete``): the plugin itself is not called."""
        with self._lock:
            self.check_not_cancelled()
        if not self.preview and state.custom and not state.external:
            if is_provider_type(state.type):
                self.registry.delete(state.urn, state.id)
            else:
                instance = self.provider_from_state(state.provider)
                with self.step(state.urn):
                    instance.delete(state.urn, state.id, old_inputs=state.inputs, old_outputs=state.outputs)
        with self._lock:
            self._consume(state)
        self.record(op, state.urn)

    def failure(self) -> str | None:
        """The message of the step that stopped the operation, if one did."""
        return self._failure

    def config_keys(self) -> Iterable[str]:
        return self._config.keys()


def _delete_op(state: ResourceState) -> str:
    return "delete-replaced" if state.delete else ("discard" if state.external else "delete")


def _depends_on(dependent: ResourceState, state: ResourceState) -> bool:
    """Whether ``dependent`` must be deleted before ``state`` (``graph.DependencyGraph``'s edges)."""
    if dependent.urn == state.urn:
        return False  # a replacement and its pending delete share a URN and not an edge
    return (
        state.urn in dependent.dependencies
        or dependent.parent == state.urn
        or dependent.provider.startswith(state.urn + "::")
    )
