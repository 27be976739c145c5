"""The Pulumi engine's step logic for one operation, driving the dynamic provider server over gRPC.

Each public method reproduces one engine path; each rule names the engine source it follows
(pulumi/pulumi: ``pkg/resource/deploy/step_generator.go``, ``step.go``, ``step_executor.go``,
``deployment_executor.go``, ``providers/registry.go``, ``pkg/resource/plugin/provider_plugin.go``).
Registrations arrive concurrently from the SDK's thread pool: engine state is guarded by one lock, held
only for bookkeeping, never across a gRPC call, so independent resources reach the provider in parallel.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypedDict

from pulumi.runtime.proto import provider_pb2, resource_pb2

from tests.harness.properties import (
    UNKNOWN,
    PropertyMap,
    Secret,
    annotate_secrets,
    from_struct,
    go_format,
    make_secret,
    strip_secrets,
    to_struct,
)
from tests.harness.provider_server import ProviderError, ProviderServer
from tests.harness.state import ROOT_STACK_TYPE, ResourceState

__all__ = ["DYNAMIC_PACKAGE", "PROVIDER_TYPE", "DeploymentError", "Engine", "StepRecord"]

DYNAMIC_PACKAGE = "pulumi-python"
PROVIDER_TYPE = f"pulumi:providers:{DYNAMIC_PACKAGE}"

_DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
_DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME
_DIFF_UNKNOWN = provider_pb2.DiffResponse.DIFF_UNKNOWN


class DeploymentError(Exception):
    """A step failed: the operation stops (the engine cancels its step executor) with this message."""


@dataclass(frozen=True)
class StepRecord:
    """One step the engine carried out, in completion order; ``detail`` says what a refresh found."""

    op: str
    urn: str
    detail: str = ""


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


@dataclass
class _Diff:
    changes: bool
    replace_keys: list[str] = field(default_factory=list)
    changed_keys: list[str] = field(default_factory=list)
    delete_before_replace: bool = False


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class _Identity(TypedDict):
    """The URN, name and type every per-resource provider request names."""

    urn: str
    name: str
    type: str


def _identity(goal: _Goal) -> _Identity:
    return {"urn": goal.urn, "name": goal.name, "type": goal.type}


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


class Engine:
    """One deployment: the old snapshot, the steps taken so far and the provider they go through."""

    def __init__(
        self,
        *,
        project: str,
        stack: str,
        config: PropertyMap,
        resources: list[ResourceState],
        preview: bool,
        server: ProviderServer,
        persist: Callable[[list[ResourceState]], None] | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.preview = preview
        self._config = config
        self._server = server
        # Nothing is persisted in a preview: it has no effects (deployment.go, opts.DryRun).
        self._persist_fn = None if preview else persist
        self._lock = threading.RLock()
        self._provider_lock = threading.Lock()
        self._olds: list[ResourceState] = list(resources)
        self._news: list[ResourceState] = []
        self._consumed: set[int] = set()  # id() of old states no longer in the snapshot
        self._registered: set[str] = set()
        self._claimed: dict[str, str] = {}  # old URN -> new URN that took over its state
        self._aliases: dict[str, str] = {}  # new URN -> old URN it was found under
        self._provider_ref = ""  # set once the default provider is registered by this operation
        self._loaded_ref = ""  # set once a provider is loaded from the checkpoint (refresh, deletes)
        self._configured_with: PropertyMap | None = None
        self._accept_secrets = False  # from Configure's answer
        self._supports_preview = False  # from Configure's answer
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

    def _persist(self) -> None:
        # Called under the lock after every step: the checkpoint is saved as steps complete, so a failed
        # operation keeps what succeeded (snapshot manager, one save per step).
        if self._persist_fn is not None:
            self._persist_fn(self.snapshot())

    def _record(self, op: str, urn: str, detail: str = "") -> None:
        with self._lock:
            self.steps.append(StepRecord(op, urn, detail))
            self._persist()

    def _fail(self, message: str) -> DeploymentError:
        # The first failing step cancels the deployment (step_executor.go, cancel on error): no new steps
        # start and no deletes run afterwards.
        with self._lock:
            if self._failure is None:
                self._failure = message
        return DeploymentError(message)

    def _check_not_cancelled(self) -> None:
        if self._failure is not None:
            raise DeploymentError(
                f"update canceled: an earlier step failed ({self._failure.splitlines()[0]})"
            )

    def _olds_by_urn(self) -> dict[str, ResourceState]:
        # Pending deletes are never matched against registrations: ``NewDeployment`` (deployment.go) leaves
        # them out of its ``olds`` lookup table.
        return {s.urn: s for s in self._olds if not s.delete and id(s) not in self._consumed}

    def _claim_old(self, goal: _Goal) -> tuple[ResourceState | None, str]:
        """Find the old state by URN, then by alias, and claim it for this registration.

        ``getOldResource``: the URN first, then each alias; a match through an alias is remembered so the
        old URN is not deleted later and the resource's children can inherit the alias.
        """
        olds = self._olds_by_urn()
        for candidate in [goal.urn, *goal.alias_urns]:
            old = olds.get(candidate)
            if old is None:
                continue
            if candidate != goal.urn:
                if candidate in self._registered:
                    raise self._fail(
                        f"Duplicate resource alias '{candidate}' applied to resource with URN '{goal.urn}'"
                    )
                if candidate in self._claimed:
                    raise self._fail(f"Resource '{candidate}' is aliased by two resources")
                self._aliases[goal.urn] = candidate
            self._claimed[candidate] = goal.urn
            return old, candidate if candidate != goal.urn else ""
        return None, ""

    def _consume(self, old: ResourceState | None) -> None:
        if old is not None:
            self._consumed.add(id(old))

    # ------------------------------------------------------------------------------------- provider

    def _configure(self, urn: str, provider_id: str, inputs: PropertyMap) -> None:
        """``Configure`` with the whole stack config under full ``namespace:key`` names, secrets as secrets.

        Dynamic providers get every key, namespace kept (``Target.GetPackageConfig`` in
        ``pkg/resource/deploy/target.go``); ``provider_plugin.go`` (``Configure``) sends ``args`` with
        ``KeepSecrets: true`` plus the legacy ``variables`` map keyed ``<pkg>:config:<key>``.
        """
        if self._configured_with == inputs:
            return
        variables = {
            f"{DYNAMIC_PACKAGE}:config:{k}": str(strip_secrets(v)) for k, v in sorted(inputs.items())
        }
        request = provider_pb2.ConfigureRequest(
            variables=variables,
            args=to_struct(inputs, keep_secrets=True),
            acceptSecrets=True,
            acceptResources=True,
            sends_old_inputs=True,
            sends_old_inputs_to_delete=True,
            urn=urn,
            name="default",
            type=PROVIDER_TYPE,
            id=provider_id,
        )
        response = self._server.call("Configure", request, urn=urn, resource_id=provider_id)
        # The answer sets the protocol for every later call (``pluginProtocol``). The Python dynamic
        # provider answers acceptSecrets=False and no supportsPreview: secrets are stripped before each
        # call and re-marked after it, and a preview never calls Create or Update.
        self._accept_secrets = response.acceptSecrets
        self._supports_preview = response.supportsPreview
        self._configured_with = inputs

    def _wire(self, props: PropertyMap) -> Any:
        """``props`` as sent to the provider: secrets kept only if it accepts them (``KeepSecrets``)."""
        return to_struct(props, keep_secrets=self._accept_secrets)

    def _annotated(self, outs: Any, ins: PropertyMap) -> PropertyMap:
        """A provider's answer, with secretness copied over from ``ins`` if secrets had to be stripped."""
        decoded = from_struct(outs)
        return decoded if self._accept_secrets else annotate_secrets(decoded, ins)

    def _provider_urn(self) -> str:
        return self.make_urn("", PROVIDER_TYPE, "default")

    def _register_default_provider(self) -> str:
        """Register the default ``pulumi-python`` provider, the first time a resource needs it.

        The engine's default-provider registration (``default_providers.go``) goes through the registry:
        ``CheckConfig`` (secrets stripped; the dynamic server answers UNIMPLEMENTED, so the news stand as
        they are, ``provider_plugin.go``), ``DiffConfig`` against an old provider (UNIMPLEMENTED: the
        registry compares old outputs with new inputs, ``registry.go`` ``Diff``), then create, same or
        update, and ``Configure``. A provider whose config changed is updated in place, never replaced,
        so its resources keep their provider reference.
        """
        with self._provider_lock:
            if self._provider_ref:
                return self._provider_ref
            urn = self._provider_urn()
            inputs = dict(self._config)
            with self._lock:
                old = self._olds_by_urn().get(urn)
            self._server.connect()
            self._tolerate_unimplemented(
                "CheckConfig",
                provider_pb2.CheckRequest(
                    urn=urn,
                    name="default",
                    type=PROVIDER_TYPE,
                    olds=to_struct(old.inputs if old else {}, keep_secrets=False),
                    news=to_struct(inputs, keep_secrets=False),
                ),
                urn,
            )
            if old is None:
                # In a preview a new provider has no ID yet (registry.go, Create with preview).
                provider_id = UNKNOWN if self.preview else str(uuid.uuid4())
                op = "create"
            else:
                provider_id = old.id
                self._tolerate_unimplemented(
                    "DiffConfig",
                    provider_pb2.DiffRequest(
                        id=old.id,
                        urn=urn,
                        name="default",
                        type=PROVIDER_TYPE,
                        olds=to_struct(old.outputs, keep_secrets=False),
                        news=to_struct(inputs, keep_secrets=False),
                        old_inputs=to_struct(old.inputs, keep_secrets=False),
                    ),
                    urn,
                )
                op = "same" if strip_secrets(old.outputs) == strip_secrets(inputs) else "update"
            self._configure(urn, provider_id, inputs)
            state = ResourceState(
                urn=urn,
                type=PROVIDER_TYPE,
                custom=True,
                id=provider_id,
                inputs=inputs,
                outputs=inputs,
                created=old.created if old else _now(),
                modified=old.modified if old and op == "same" else _now(),
            )
            with self._lock:
                self._registered.add(urn)
                self._claimed[urn] = urn
                self._consume(old)
                self._news.append(state)
            self._record(op, urn)
            self._provider_ref = f"{urn}::{provider_id}"
            return self._provider_ref

    def _ensure_provider_from_state(self, ref: str) -> None:
        """Load and configure the provider a stored resource references, from the provider's old state.

        ``EnsureProvider`` -> ``registry.Same``: refresh, destroy and deletes configure the provider with the
        inputs stored in the checkpoint, not with the current stack config.
        """
        with self._provider_lock:
            if self._provider_ref or self._loaded_ref:
                return
            with self._lock:
                provider_state = next(
                    (s for s in self._olds if f"{s.urn}::{s.id}" == ref and s.type == PROVIDER_TYPE), None
                )
            if provider_state is None:
                raise self._fail(f"could not find provider {ref!r} in the checkpoint")
            self._server.connect()
            self._configure(provider_state.urn, provider_state.id, provider_state.inputs)
            self._loaded_ref = ref

    def _tolerate_unimplemented(self, method: str, request: Any, urn: str) -> None:
        try:
            self._server.call(method, request, urn=urn)
        except ProviderError as exc:
            if exc.code.name != "UNIMPLEMENTED":
                raise self._fail(f"{urn}: {method} failed: {exc.details}") from None

    def _call(self, method: str, request: Any, *, urn: str, resource_id: str = "") -> Any:
        """A CRUD call; a failure becomes the operation's error, with the server's traceback text."""
        try:
            return self._server.call(method, request, urn=urn, resource_id=resource_id)
        except ProviderError as exc:
            raise self._fail(f"{urn}: {method} failed:\n{exc.details}") from None

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
            "provider": bool(req.provider),
            "remote": req.remote,
        }
        refused = [name for name, used in unsupported.items() if used]
        if refused:
            raise self._fail(f"{req.type} {req.name!r}: the harness does not model {', '.join(refused)}")
        urn = self.make_urn(req.parent, req.type, req.name)
        return _Goal(
            urn=urn,
            type=req.type,
            name=req.name,
            parent=req.parent,
            custom=req.custom,
            inputs=from_struct(req.object),
            dependencies=list(req.dependencies),
            alias_urns=self._alias_urns(req),
            import_id=req.importId,
            delete_before_replace=req.deleteBeforeReplace if req.deleteBeforeReplaceDefined else None,
            replace_on_changes=list(req.replaceOnChanges),
            additional_secret_outputs=list(req.additionalSecretOutputs),
            accept_secrets=req.acceptSecrets,
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

    def register_resource(self, req: Any) -> Any:
        """Handle ``RegisterResource``: generate and execute this resource's steps, answer the program."""
        goal = self._decode_goal(req)
        with self._lock:
            self._check_not_cancelled()
            if goal.urn in self._registered:
                raise self._fail(f"Duplicate resource URN '{goal.urn}'; try giving it a unique name")
            self._registered.add(goal.urn)
            old, alias = self._claim_old(goal)
        state = self._custom_steps(goal, old, alias) if goal.custom else self._component_steps(goal, old)
        # Unknowns are kept for the SDK, which asked for partial values; secrets as the program accepts them.
        return resource_pb2.RegisterResourceResponse(
            urn=state.urn,
            id="" if state.id == UNKNOWN else state.id,
            object=to_struct(state.outputs, keep_secrets=goal.accept_secrets),
        )

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
        self._record(op, goal.urn)
        return new

    def _custom_steps(self, goal: _Goal, old: ResourceState | None, alias: str) -> ResourceState:
        """A custom resource's steps, in the order of ``continueStepsFromRefresh`` (import?),
        ``continueStepsFromImport`` (Check; create, or take over an external resource) and
        ``continueStepsFromDiff`` (same, update or replace)."""
        package = goal.type.split(":", 1)[0]
        if package != DYNAMIC_PACKAGE:
            raise self._fail(
                f"{goal.urn}: the harness only has the {DYNAMIC_PACKAGE} provider, not {package!r}"
            )
        provider_ref = self._register_default_provider()

        imported = False
        # An import happens when the goal has an ID and no old state, an external one, or one imported
        # under another ID (continueStepsFromRefresh, ``isImport``).
        old_import_id = (old.import_id or old.id) if old is not None else ""
        if goal.import_id and (old is None or old.external or old_import_id != goal.import_id):
            original = old
            old = self._import(goal, provider_ref)
            imported = True
            if original is not None:
                # An import over an existing state replaces it: the original is deleted at the end
                # (ImportReplacementStep marks it ``Delete``).
                with self._lock:
                    original.delete = True

        was_external = old is not None and old.external
        # Check: against the old inputs, unless there are none the engine owns (continueStepsFromImport).
        checked = self._check(goal, {} if old is None or was_external else old.inputs)
        new = ResourceState(
            urn=goal.urn,
            type=goal.type,
            custom=True,
            inputs=checked,
            parent=goal.parent,
            provider=provider_ref,
            dependencies=goal.dependencies,
            additional_secret_outputs=goal.additional_secret_outputs,
            aliases=[alias] if alias else [],
            import_id=goal.import_id,
            created=old.created if old is not None and not was_external else "",
            modified=old.modified if old is not None and not was_external else "",
        )

        if old is None:
            return self._create(goal, new, op="create")
        if was_external:
            # Taking ownership of a resource that was only read: create it, discard the read one later
            # (Case 2, ``wasExternal``: CreateReplacement + Replace with a pending delete).
            created = self._create(goal, new, op="create-replacement", replacing=old)
            self._record("replace", goal.urn)
            return created

        diff = self._diff(goal, old, new)
        if not diff.changes:
            if imported:
                # An import with no diff resolves with the imported state, no same step
                # (continueStepsFromDiff).
                with self._lock:
                    self._news.append(old)
                    self._persist()
                return old
            return self._same(old, new)
        replace_keys = self._apply_replace_on_changes(diff, goal.replace_on_changes)
        if not replace_keys:
            return self._update(goal, old, new)
        if goal.import_id:
            raise self._fail(
                f"{goal.urn}: previously-imported resources that still specify an ID may not be replaced; "
                "please remove the `import` declaration from your program"
            )
        return self._replace(goal, old, new, diff)

    def _check(self, goal: _Goal, olds: PropertyMap) -> PropertyMap:
        """``Check`` with secrets stripped; failures abort the operation with Pulumi's diagnostics.

        The dynamic server runs ``check(olds, news)``; ``provider_plugin.go`` re-marks secrets from the
        program's inputs on the checked inputs (``annotateSecrets``); ``issueCheckFailures`` formats failures.
        """
        request = provider_pb2.CheckRequest(
            **_identity(goal),
            olds=self._wire(olds),
            news=self._wire(goal.inputs),
            randomSeed=uuid.uuid4().bytes + uuid.uuid4().bytes,
        )
        response = self._call("Check", request, urn=goal.urn)
        checked = self._annotated(response.inputs, goal.inputs)
        if response.failures:
            messages = []
            for failure in response.failures:
                if failure.property:
                    # issueCheckFailures prints the *declared* value (new.Inputs is replaced by the
                    # checked inputs only afterwards), formatted by Go's %v (step_generator.go).
                    value = go_format(goal.inputs.get(failure.property))
                    messages.append(
                        f"{goal.type} resource '{goal.name}': property {failure.property} value {value} "
                        f"has a problem: {failure.reason}"
                    )
                else:
                    messages.append(f"{goal.type} resource '{goal.name}' has a problem: {failure.reason}")
            raise self._fail("\n".join(messages))
        return checked

    def _change_fields(self, goal: _Goal, old: ResourceState, new: ResourceState) -> dict[str, Any]:
        """What ``Diff`` and ``Update`` both carry: the ID, old outputs, new inputs and old inputs."""
        return {
            "id": old.id,
            **_identity(goal),
            "olds": self._wire(old.outputs),
            "news": self._wire(new.inputs),
            "old_inputs": self._wire(old.inputs),
        }

    def _diff(self, goal: _Goal, old: ResourceState, new: ResourceState) -> _Diff:
        """``Diff`` old outputs against checked inputs; DIFF_UNKNOWN falls back to the engine's input diff.

        ``stepGenerator.diff``: a changed provider reference replaces first; then ``diffResource``, which on
        DIFF_UNKNOWN compares old inputs with new inputs, secrets unwrapped and ``__provider`` included.
        """
        if old.provider and old.provider != new.provider:
            return _Diff(changes=True, replace_keys=["provider"])
        request = provider_pb2.DiffRequest(**self._change_fields(goal, old, new))
        response = self._call("Diff", request, urn=goal.urn, resource_id=old.id)
        diff = _Diff(
            changes=response.changes == _DIFF_SOME,
            replace_keys=list(response.replaces),
            changed_keys=list(response.diffs),
            delete_before_replace=response.deleteBeforeReplace,
        )
        if response.changes == _DIFF_UNKNOWN:
            before, after = strip_secrets(old.inputs), strip_secrets(new.inputs)
            diff.changed_keys = sorted(
                k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
            )
            diff.changes = bool(diff.changed_keys)
        return diff

    @staticmethod
    def _apply_replace_on_changes(diff: _Diff, replace_on_changes: list[str]) -> list[str]:
        """Replace keys after ``replaceOnChanges`` (``applyReplaceOnChanges``).

        Only keys the diff reports as changed can match: the Python dynamic server never fills ``diffs``,
        so ``replaceOnChanges`` only bites when ``diff`` returned ``changes=None`` (DIFF_UNKNOWN).
        """
        keys = list(diff.replace_keys)
        for key in diff.changed_keys:
            matches = any(path in ("*", key) or key.startswith(f"{path}.") for path in replace_on_changes)
            if matches and key not in keys:
                keys.append(key)
        return keys

    def _finish_state(self, new: ResourceState) -> None:
        """Mark secret outputs after a step, as ``continueExecuteStep`` in ``step_executor.go`` does.

        Every ``additionalSecretOutputs`` key becomes secret, and so does any output whose same-named input
        is a secret ("an input secret is potentially leaked as an output").
        """
        outputs = dict(new.outputs)
        for key in new.additional_secret_outputs:
            if key != "id" and key in outputs:
                outputs[key] = make_secret(outputs[key])
        for key, value in outputs.items():
            if not isinstance(value, Secret) and isinstance(new.inputs.get(key), Secret):
                outputs[key] = Secret(value)
        new.outputs = outputs

    def _create(
        self, goal: _Goal, new: ResourceState, *, op: str, replacing: ResourceState | None = None
    ) -> ResourceState:
        """``CreateStep``: ``Create`` with the checked inputs; in a preview, no call at all.

        The dynamic provider does not support previews, so ``provider_plugin.go`` answers a preview Create
        with the inputs as outputs and no ID. After a create-before-delete replacement the old state is
        marked for deletion; it is deleted at the end of the deployment.
        """
        with self._lock:
            self._check_not_cancelled()
        if self.preview and not self._supports_preview:
            new.id, new.outputs = UNKNOWN, dict(new.inputs)
        else:
            request = provider_pb2.CreateRequest(
                **_identity(goal),
                properties=self._wire(new.inputs),
                preview=self.preview,
            )
            response = self._call("Create", request, urn=goal.urn)
            if not response.id and not self.preview:
                raise self._fail(f"{goal.urn}: provider did not return an ID from Create")
            new.id = response.id or UNKNOWN
            new.outputs = self._annotated(response.properties, new.inputs)
        new.created = new.modified = _now()
        self._finish_state(new)
        with self._lock:
            if replacing is not None:
                replacing.delete = True
            self._news.append(new)
        self._record(op, goal.urn)
        return new

    def _same(self, old: ResourceState, new: ResourceState) -> ResourceState:
        """``SameStep``: keep the old ID and outputs (the old ``__provider`` too), record the new inputs."""
        new.id, new.outputs = old.id, old.outputs
        self._finish_state(new)
        with self._lock:
            self._consume(old)
            self._news.append(new)
        self._record("same", new.urn)
        return new

    def _update(self, goal: _Goal, old: ResourceState, new: ResourceState) -> ResourceState:
        """``UpdateStep``: ``Update(id, old outputs, checked inputs)``; a preview echoes the inputs."""
        with self._lock:
            self._check_not_cancelled()
        new.id = old.id
        if self.preview and not self._supports_preview:
            new.outputs = dict(new.inputs)
        else:
            request = provider_pb2.UpdateRequest(**self._change_fields(goal, old, new), preview=self.preview)
            response = self._call("Update", request, urn=goal.urn, resource_id=old.id)
            new.outputs = self._annotated(response.properties, new.inputs)
        new.modified = _now()
        self._finish_state(new)
        with self._lock:
            self._consume(old)
            self._news.append(new)
        self._record("update", goal.urn)
        return new

    def _replace(self, goal: _Goal, old: ResourceState, new: ResourceState, diff: _Diff) -> ResourceState:
        """A replacement: create-before-delete unless the resource option or the diff asks otherwise.

        ``continueStepsFromDiff``: the inputs are checked again without the old ones (defaults must be
        recomputed for a new resource); ``deleteBeforeReplace`` from the options wins over the diff's.
        Create-before-delete defers the old resource's delete to the end of the deployment.
        Dependents of a delete-before-replace resource are not replaced with it (not modelled).
        """
        new.inputs = self._check(goal, {})
        new.created = new.modified = ""
        delete_first = diff.delete_before_replace
        if goal.delete_before_replace is not None:
            delete_first = goal.delete_before_replace
        if delete_first:
            self._delete(old, op="delete-replaced")
            self._record("replace", goal.urn)
            return self._create(goal, new, op="create-replacement")
        created = self._create(goal, new, op="create-replacement", replacing=old)
        self._record("replace", goal.urn)
        return created

    def _import(self, goal: _Goal, provider_ref: str) -> ResourceState:
        """``ImportStep``: ``Read`` the ID with neither inputs nor state, as the engine sends it.

        The Python dynamic server then cannot find ``__provider`` and fails with ``KeyError: '__provider'``
        (pulumi/pulumi#16175); the harness passes that failure on untouched. On success the read state
        stands in for the old state and the usual Check/Diff follows (``continueStepsFromImport``).
        """
        # ``State`` marshals from nothing to an empty map; ``Inputs`` stays unset.
        request = provider_pb2.ReadRequest(id=goal.import_id, **_identity(goal), properties=self._wire({}))
        response = self._call("Read", request, urn=goal.urn, resource_id=goal.import_id)
        if not response.HasField("properties"):
            raise self._fail(f"{goal.urn}: resource '{goal.import_id}' does not exist")
        if not response.HasField("inputs"):
            raise self._fail(
                f"{goal.urn}: provider does not support importing resources; "
                f"please try updating the '{DYNAMIC_PACKAGE}' plugin"
            )
        imported = ResourceState(
            urn=goal.urn,
            type=goal.type,
            custom=True,
            id=response.id or goal.import_id,
            inputs=from_struct(response.inputs),
            outputs=from_struct(response.properties),
            parent=goal.parent,
            provider=provider_ref,
            additional_secret_outputs=goal.additional_secret_outputs,
            import_id=goal.import_id,
            created=_now(),
            modified=_now(),
        )
        self._finish_state(imported)
        # Recorded now; the state joins the snapshot once Check/Diff decide what follows the import.
        self._record("import", goal.urn)
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
        props = from_struct(req.properties)
        with self._lock:
            self._check_not_cancelled()
            if urn in self._registered:
                raise self._fail(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self._registered.add(urn)
            old = self._olds_by_urn().get(urn)
            if old is not None:
                self._claimed[urn] = urn
        if not req.id:
            raise self._fail(f"Expected an ID for {urn}")
        provider_ref = self._register_default_provider()
        request = provider_pb2.ReadRequest(
            id=req.id,
            urn=urn,
            name=req.name,
            type=req.type,
            properties=self._wire(props),
            inputs=self._wire(props),
        )
        response = self._call("Read", request, urn=urn, resource_id=req.id)
        new = ResourceState(
            urn=urn,
            type=req.type,
            custom=True,
            id=response.id or req.id,
            inputs=props,
            outputs=self._annotated(response.properties, props),
            parent=req.parent,
            provider=provider_ref,
            dependencies=list(req.dependencies),
            external=True,
            additional_secret_outputs=list(req.additionalSecretOutputs),
            created=old.created if old else _now(),
            modified=_now(),
        )
        self._finish_state(new)
        replacing = old is not None and not old.external and old.id != req.id
        with self._lock:
            if replacing and old is not None:
                old.delete = True
            else:
                self._consume(old)
            self._news.append(new)
        self._record("read-replacement" if replacing else "read", urn)
        if replacing:
            self._record("replace", urn)
        return resource_pb2.ReadResourceResponse(
            urn=urn, properties=to_struct(new.outputs, keep_secrets=req.acceptSecrets)
        )

    def register_outputs(self, req: Any) -> None:
        """``RegisterResourceOutputs``: a component's (or the stack's) outputs, secrets preserved."""
        outputs = from_struct(req.outputs)
        with self._lock:
            for state in reversed(self._news):
                if state.urn == req.urn and not state.custom:
                    state.outputs = outputs
                    break
            if _qualified_type(req.urn) == ROOT_STACK_TYPE:
                self.stack_outputs = outputs
            self._persist()

    # ------------------------------------------------------------------------------------- refresh

    def refresh(self) -> None:
        """Refresh every resource of the old snapshot, in parallel, before anything else runs.

        ``deploymentExecutor.refresh`` + ``RefreshStep``: ``Read(id, inputs=old inputs, state=old outputs)``;
        a blank ID drops the resource; otherwise outputs (and inputs, if returned) are replaced, then a
        ``Diff`` of new state against old inputs tells whether the refresh changed anything. Providers,
        components and pending replacements are not read.
        """
        with self._lock:
            targets = [s for s in self._olds if s.custom and s.type != PROVIDER_TYPE]
        if not targets:
            return
        self._ensure_provider_from_state(targets[0].provider)
        with ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
            for future in [pool.submit(self._refresh_one, s) for s in targets]:
                future.result()

    def _refresh_one(self, old: ResourceState) -> None:
        name, type_ = old.name, old.type
        request = provider_pb2.ReadRequest(
            id=old.id,
            urn=old.urn,
            name=name,
            type=type_,
            properties=self._wire(old.outputs),
            inputs=self._wire(old.inputs),
        )
        response = self._call("Read", request, urn=old.urn, resource_id=old.id)
        if not response.id:
            with self._lock:
                self._consume(old)
            self._record("refresh", old.urn, "delete")
            return
        new = copy.copy(old)
        new.id = response.id
        new.outputs = self._annotated(response.properties, old.outputs)
        if response.HasField("inputs"):
            new.inputs = self._annotated(response.inputs, old.inputs)
        self._finish_state(new)
        if old.external:
            changed = strip_secrets(new.outputs) != strip_secrets(old.outputs)
        else:
            # The refresh diff: what an ``up`` of an unchanged program would do, framed from the new state.
            diff = self._call(
                "Diff",
                provider_pb2.DiffRequest(
                    id=new.id,
                    urn=old.urn,
                    name=name,
                    type=type_,
                    olds=self._wire(new.outputs),
                    news=self._wire(old.inputs),
                    old_inputs=self._wire(new.inputs),
                ),
                urn=old.urn,
                resource_id=new.id,
            )
            if diff.changes == _DIFF_UNKNOWN:
                changed = strip_secrets(new.inputs) != strip_secrets(old.inputs)
            else:
                changed = diff.changes != _DIFF_NONE
        if changed:
            new.modified = _now()
        with self._lock:
            # The refreshed state takes the old one's place: later steps of this operation start from it.
            self._olds[self._olds.index(old)] = new
        self._record("refresh", old.urn, "update" if changed else "same")

    # -------------------------------------------------------------------------------------- deletes

    def delete_unregistered(self) -> None:
        """After the program: delete what it no longer declares, and the pending deletes of replacements.

        ``GenerateDeletes``: resources of the old snapshot that no registration claimed, and those marked
        ``delete``; scheduled as ``_delete_all`` says.
        """
        with self._lock:
            self._check_not_cancelled()
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
                futures = [pool.submit(self._delete, s, op=_delete_op(s)) for s in chain]
            errors = [error for future in futures if (error := future.exception()) is not None]
            if errors:
                raise errors[0]

    def _delete(self, state: ResourceState, *, op: str) -> None:
        """``DeleteStep``: ``Delete(id, old outputs, old inputs)``; nothing for previews, external resources,
        components and providers (the registry unloads a provider rather than calling the plugin)."""
        with self._lock:
            self._check_not_cancelled()
        needs_call = not self.preview and state.custom and not state.external and state.type != PROVIDER_TYPE
        if needs_call:
            self._ensure_provider_from_state(state.provider)
            request = provider_pb2.DeleteRequest(
                id=state.id,
                urn=state.urn,
                name=state.name,
                type=state.type,
                properties=self._wire(state.outputs),
                old_inputs=self._wire(state.inputs),
            )
            self._call("Delete", request, urn=state.urn, resource_id=state.id)
        with self._lock:
            self._consume(state)
        self._record(op, state.urn)

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
