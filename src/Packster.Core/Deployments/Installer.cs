using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Handlers;
using Packster.Locations;
using Packster.Model;
using Packster.Packaging;
using Packster.Resources;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Deployments;

/// <summary>
/// Deploys a package file into a location (spec/package-format.md, spec/lockfile.md): verify → plan → extract into
/// staging → record → handlers → rename into place → commit the lockfile → regenerate shims. Any failure before
/// the commit leaves the location exactly as it was.
/// </summary>
public sealed class Installer
{
    private readonly Location _location;
    private readonly InstallerOptions _options;

    public Installer(Location location, InstallerOptions options)
    {
        _location = location;
        _options = options;
    }

    public async Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // While the package is read and checked here, the location's state is read on another core (LocationReadAhead).
        if (!request.DryRun && Transaction is null) _location.StartReadAhead();
        // The file is not hashed whole here: only its manifest is read from it. The verified copy under the lock hashes
        // it (spec/package-format.md §1) — or, for a package the location's store can deploy alone, its manifest must
        // be the one the store recorded (spec/lockfile.md § Extracted-file store). A dry run reads no copy: it hashes here.
        var package = PackageFile.Open(request.PackagePath, sha => ExtractedFileStore.IsAvailable ? StoreFor(sha)?.Manifest : null, deferHash: !request.DryRun);
        try
        {
            return await InstallAsync(package, request, cancellationToken).ConfigureAwait(false);
        }
        catch (PacksterException e) when (package.Checked != PackageCheck.Hashed && e.Code != ErrorCode.ChecksumMismatch)
        {
            // When the install fails for another reason too, the checksum error is the one to report.
            package.RequireHash();
            throw;
        }
    }

    /// <summary>Installs an already verified package file.</summary>
    public async Task<InstallOutcome> InstallAsync(PackageFile package, InstallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(request);
        var manifest = package.Manifest;
        if (request.Platform is not null && !request.DryRun)
        {
            throw new PacksterException(ErrorCode.InvalidArgument, $"--platform {request.Platform} checks an install for another machine: it needs --dry-run",
                "add --dry-run, or leave out --platform to install on this machine");
        }
        var machine = request.Platform ?? Packster.Manifest.MachinePlatform.Current;
        if (manifest.Platform.Refusal(machine) is { } refusal)
        {
            throw new PacksterException(ErrorCode.PlatformUnsupported,
                $"{manifest.Id} {manifest.Version} cannot be installed on {(request.Platform is null ? "this machine" : "the platform given")} ({machine}): {refusal}",
                "spec/manifest.md § [platform]; --platform with --dry-run checks for another machine");
        }
        var signature = CheckPolicies(package, request.SourceTrust, _options.Messages);
        var parameters = EffectiveParameters.Resolve(manifest.Parameters, MergeParameters(request, manifest));
        var hash = DeploymentHash.Compute(package.Name.Sha256, parameters);
        var finalPath = _location.DeploymentDirectory(hash);

        if (request.DryRun)
        {
            return Plan(package, request, parameters, hash, signature);
        }

        // Inside a transaction the installs of one command share its lock and state and commit together.
        using var own = Transaction is null ? LocationSession.Open(_location, _options.Messages, cancellationToken) : null;
        var state = Transaction?.State ?? own!.State;
        var heldLock = Transaction?.Lock ?? own!.Lock;
        var decision = Decide(state, package, request, hash, parameters);
        var existing = decision.Existing;
        if (!decision.Builds)
        {
            // Nothing is read from the file but its manifest: a damaged copy of an installed package is still refused.
            if (package.Checked == PackageCheck.Deferred) package.RequireHash();
            return new InstallOutcome(manifest.Id, manifest.Version, package.Name, hash, finalPath, InstallStatus.Unchanged, decision.Activate);
        }

        var handlerAction = decision.HandlerAction;
        var staging = _location.CreateStaging();
        // Whether anything is at PACKSTER_DEPLOYMENT_FINAL_PATH before the handlers run (only a --force rebuild has it):
        // anything there afterwards that was not is what they made (spec/handlers.md § What handlers leave).
        var finalWasThere = FileKinds.Of(finalPath) != FileKind.Missing;
        var handlersRan = false;

        string? published = null;
        string? replaced = null;
        IReadOnlyList<string> stopped = [];
        StoreFilling? filling = null;
        PreparedCommit? prepared = null;
        // Set as this install's own commit is made: from then on a failure may follow a commit that was made all the same.
        var committing = false;
        var storeFailed = false;
        try
        {
            // Inside the try: a missing interpreter (PST7002) must not leave the fresh staging directory behind.
            var handlerPlan = PlanHandlers(manifest, handlerAction, staging, request.HandlerTimeout);
            // The test is planned with the install, so its missing interpreter also fails before anything is extracted.
            var testPlan = PlanHandlers(manifest, HandlerAction.Test, staging, request.HandlerTimeout);
            DeploymentEntry? entry = null;
            HistoryEntry? history = null;
            if (Transaction is null)
            {
                // A single install knows what it commits before it builds anything: the commit's bytes are made, and
                // the lockfile staged beside its place, on another core while the deployment is built and synced. The
                // state is the session's own; from here to the commit nothing here reads or changes it, and an install
                // that fails discards what was prepared (the session, never committed, is dropped with the state).
                if (existing is not null) state.Deployments.Remove(existing);
                entry = Record(state, package, hash, parameters, signature, decision);
                history = HistoryEntry.Now(_options.Clock, handlerAction.ToName(), entry, decision.Replaces);
                prepared = own!.Prepare(state);
            }
            // Packages whose deployments may share files take them from the location's store (spec/lockfile.md
            // § Extracted-file store), and give it what they extracted.
            var store = ExtractedFileStore.Applies(manifest) ? ExtractedFileStore.Of(_location) : null;
            var reuse = store is null ? null : StoreFor(package.Name.Sha256);
            // A store whose index lists the whole package deploys it alone; only then is the payload never read.
            var fromStore = reuse?.Materialise(package.ManifestBytes, staging, cancellationToken);
            // Files of a shareable package are read-only links in the end: they are written read-only, and twins in the
            // archive are linked at once.
            var extraction = fromStore ?? ExtractVerified(package, staging, reuse, forSharing: store is not null, cancellationToken);
            // In a location shared with a group, any member may later remove what this member deploys.
            if (SystemLocations.GroupOf(_location) is not null) SystemLocations.ShareFolders(staging);
            CrashPoint.Hit("install.extracted");

            // PACKSTER_PREVIOUS_* are the upgrade's (spec/handlers.md §Environment): a takeover from the same version has none.
            var previous = handlerAction == HandlerAction.Upgrade ? decision.Replaces : null;
            if (!handlerPlan.IsEmpty)
            {
                var context = new HandlerContext(handlerAction, manifest.Id, manifest.Version, staging, _location.Path, parameters.Json,
                    previous?.Version, previous is null ? null : _location.DeploymentDirectory(previous.Hash)) { Secrets = parameters.SecretTexts };
                handlersRan = true;
                await RunHandlersAsync(handlerPlan, context, hash, finalPath, cancellationToken).ConfigureAwait(false);
                RequireHandlersKeptOut(handlerAction, package, staging, hash, finalPath, finalWasThere);
            }
            // The package's own test judges the deployment as the handlers left it, while it can still be discarded
            // (spec/handlers.md §When): a failure here is a failed install.
            if (!testPlan.IsEmpty)
            {
                var context = new HandlerContext(HandlerAction.Test, manifest.Id, manifest.Version, staging, _location.Path, parameters.Json,
                    previous?.Version, previous is null ? null : _location.DeploymentDirectory(previous.Hash)) { Secrets = parameters.SecretTexts };
                handlersRan = true;
                await RunHandlersAsync(testPlan, context, hash, finalPath, cancellationToken).ConfigureAwait(false);
                RequireHandlersKeptOut(HandlerAction.Test, package, staging, hash, finalPath, finalWasThere);
            }
            cancellationToken.ThrowIfCancellationRequested();
            CrashPoint.Hit("install.handlers-done");

            // The record describes the deployment as it will live: after the handlers, which may add or change files.
            WriteRecord(staging, package.Name, hash, parameters, handlerPlan.IsEmpty && testPlan.IsEmpty ? extraction : null, signature);
            CrashPoint.Hit("install.recorded");
            if (existing is not null)
            {
                // --force: the old directory goes to the trash; until the commit below, recovery drops the record. No
                // service outlives the files it runs from (spec/activation.md § Services): those of the old one stop first.
                stopped = StopServicesOfReplaced(existing);
                replaced = _location.MoveToTrash(hash, heldLock);
                if (Transaction is not null) state.Deployments.Remove(existing);
            }
            if (Transaction is { } publishing)
            {
                published = publishing.Publish(staging, hash);
            }
            else
            {
                if (store is not null && fromStore is null)
                {
                    // Assigned first: whatever fails from here on, the catch below takes back what the store gained.
                    filling = new StoreFilling(package.Name.Sha256, Sha256Digest.Compute(package.ManifestBytes), extraction, beforeCommit: true);
                    filling.Vouch(reuse);
                    storeFailed = !FillStoreWhileSyncing(store, package, staging, filling);
                    published = _location.PublishDeployment(staging, hash, heldLock, durable: false);
                }
                else
                {
                    published = _location.PublishDeployment(staging, hash, heldLock);
                }
            }
            CrashPoint.Hit("install.published");

            // In a transaction the state is every member's: this one's entry joins it once its deployment is published.
            entry ??= Record(state, package, hash, parameters, signature, decision);
            // The history names the action the handlers saw: "upgrade" when this deployment took over from a lower version.
            history ??= HistoryEntry.Now(_options.Clock, handlerAction.ToName(), entry, decision.Replaces);
            if (Transaction is { } transaction)
            {
                var ranHandlers = !handlerPlan.IsEmpty;
                transaction.Record([history], $"the install of {manifest.Id} {manifest.Version}",
                    ct => UndoInstallAsync(entry, ranHandlers, replaced, stopped, transaction.Lock, request.HandlerTimeout, ct));
                if (store is not null && fromStore is null) transaction.AfterCommit(() => StoreFiles(package, () => store.Adopt(package.Name.Sha256, Sha256Digest.Compute(package.ManifestBytes), finalPath, extraction, reuse)));
                if (fromStore is not null) transaction.AfterCommit(() => Restamp(package, reuse!));
                // What the next package's handlers may run: this one's shims, before the commit.
                if (entry.Active && entry.Claims.Any(c => c.StartsWith("shim:", StringComparison.Ordinal))) transaction.WriteShimsAhead();
                CrashPoint.Hit("install.staged");
                return new InstallOutcome(manifest.Id, manifest.Version, package.Name, hash, finalPath, InstallStatus.Installed, entry.Active);
            }
            committing = true;
            own!.Commit(state, [history], prepared);
            CrashPoint.Hit("install.committed");
            _location.EmptyTrash(heldLock);
            // A deployment made from a store alone gives it no files: from the location's own store, its files are the
            // objects already, whose index then takes their stamps after these links (so the next re-deploy links them
            // unread); from another location's, the next deployment of the package borrows again. The rest filled the
            // store while their tree was synced; the commit lets its index say so.
            if (fromStore is not null) Restamp(package, reuse!);
            if (filling is not null && !storeFailed) StoreFiles(package, () => store!.Complete(filling, finalPath));
            return new InstallOutcome(manifest.Id, manifest.Version, package.Name, hash, finalPath, InstallStatus.Installed, entry.Active);
        }
        catch
        {
            Discard(staging);
            // What the handlers made where the deployment was to be published goes, so the location is as it was.
            if (handlersRan && !finalWasThere && published is null) RemoveMadeByHandlers(finalPath);
            // Whether it was recorded is what the lockfile says, not whether its hash is there: --force replaces a
            // deployment recorded under the same hash, before and after.
            var committed = committing && Committed(prepared);
            // A commit prepared and never made leaves no lockfile staged beside the real one.
            if (prepared is not null && !committed) prepared.Discard();
            if (filling is not null && !committed) ExtractedFileStore.Undo(filling);
            if (published is not null && !committed)
            {
                Discard(_location.MoveToTrash(hash, heldLock));
            }
            // What --force replaced goes back, with its services, whether the install was a transaction's or alone: a
            // failure (not a kill) between the trash and the commit leaves the location as it was.
            if (replaced is not null && !Directory.Exists(finalPath))
            {
                Directory.Move(replaced, finalPath);
                if (existing is not null && stopped.Count > 0) new Uninstaller(_location, _options).RestartServices(existing, stopped, reinstall: true);
            }
            throw;
        }
    }

    /// <summary>
    /// Gives a staged deployment's files to the location's store (spec/lockfile.md § Extracted-file store) while its tree
    /// is made durable: on Linux the one <c>syncfs</c> runs on a thread of its own meanwhile, its wait being the disk's
    /// (elsewhere, where each file is synced by itself, one after the other). A failing sync fails the install, whose
    /// catch then takes <paramref name="filling"/> back; a failing fill is a warning (false), the store left as it was.
    /// </summary>
    private bool FillStoreWhileSyncing(ExtractedFileStore store, PackageFile package, string staging, StoreFilling filling)
    {
        var sync = OperatingSystem.IsLinux()
            ? Task.Factory.StartNew(() => DirectorySync.FlushTree(staging), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : null;
        var filled = true;
        try
        {
            StoreFiles(package, () => store.Fill(staging, filling), () =>
            {
                filled = false;
                ExtractedFileStore.Undo(filling);
            });
        }
        finally
        {
            // The sync's own failure (EIO, ENOSPC, EDQUOT) is the install's, rethrown here.
            if (sync is null) DirectorySync.FlushTree(staging);
            else sync.GetAwaiter().GetResult();
        }
        return filled;
    }

    /// <summary>
    /// Runs <paramref name="fill"/>, a step of giving a deployment's files to the location's store (spec/lockfile.md
    /// § Extracted-file store). The install is done whatever happens there: a failure is a warning (after
    /// <paramref name="failed"/>), and the next deployment of the package extracts again.
    /// </summary>
    private void StoreFiles(PackageFile package, Action fill, Action? failed = null)
    {
        try
        {
            fill();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failed?.Invoke();
            Warn(package, e, "could not be added to the location's store", "its next deployment extracts them again");
        }
    }

    /// <summary>
    /// Writes the package's index again with the stamps its objects have after this deployment's links (spec/lockfile.md
    /// § Deploying from the store alone). A failure costs the next deployment a read of those objects, nothing more.
    /// </summary>
    private void Restamp(PackageFile package, EntryReuse reuse)
    {
        try
        {
            reuse.Restamp();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn(package, e, "are in the deployment, but the store's index of them could not be written again",
                "its next deployment reads the objects once more instead of only linking them");
        }
    }

    /// <summary>A store warning in the project's words for the file-system refusal (spec/errors.md), never .NET's raw message.</summary>
    private void Warn(PackageFile package, Exception e, string what, string consequence) =>
        _options.Messages.WriteLine($"warning: the files of {package.Manifest.Id} {package.Manifest.Version} {what} ({FileSystemErrors.Classify(e)!.Message}); {consequence}");

    /// <summary>
    /// The store that can deploy <paramref name="package"/> (<see cref="ExtractedFileStore.For"/>), read once per package:
    /// what was read before the lock may be stale under it, which costs nothing but speed — an object missing or changed
    /// since is never linked, and the package is then extracted from its verified copy.
    /// </summary>
    private EntryReuse? StoreFor(Sha256Digest package)
    {
        if (_found is not { } found || found.Package != package) _found = found = (package, ExtractedFileStore.For(_location, package));
        return found.Reuse;
    }

    private (Sha256Digest Package, EntryReuse? Reuse)? _found;

    /// <summary>
    /// The location policy file the licence, deny and signature rules are read from; null: the location's own. A dry
    /// run that judges packages under a policy not yet written (<c>sync --dry-run</c> of a file with a <c>[policy]</c>)
    /// names a copy holding it, so the location stays as it is.
    /// </summary>
    public string? PolicyPath { get; init; }

    /// <summary>The set of installs this installer takes part in; null: each install is its own commit.</summary>
    public LocationTransaction? Transaction { get; init; }

    /// <summary>
    /// For a dry run of several installs: the state the installs planned before this one would leave, which this
    /// plan reads and then adds to; null: the plan reads the lockfile as it is.
    /// </summary>
    public PlannedState? Planned { get; init; }

    /// <summary>
    /// Takes back an install of an uncommitted transaction: the deployment's uninstall handlers answer the install
    /// handlers that ran, its directory goes to the trash, and a directory it replaced (--force) comes back.
    /// </summary>
    private async Task UndoInstallAsync(DeploymentEntry entry, bool ranHandlers, string? replaced, IReadOnlyList<string> stopped, LocationLock heldLock,
        TimeSpan? handlerTimeout, CancellationToken ct)
    {
        try
        {
            if (ranHandlers) await new Uninstaller(_location, _options).RunUninstallHandlersAsync(entry, handlerTimeout, ct).ConfigureAwait(false);
        }
        finally
        {
            Discard(_location.MoveToTrash(entry.Hash, heldLock));
            if (replaced is not null)
            {
                Directory.Move(replaced, _location.DeploymentDirectory(entry.Hash));
                // The deployment --force replaced is back: so are the services stopped for it, as after a failed uninstall.
                if (stopped.Count > 0) new Uninstaller(_location, _options).RestartServices(entry, stopped, reinstall: true);
            }
        }
    }

    /// <summary>
    /// Stops the running services of the deployment a <c>--force</c> reinstall replaces, before its directory goes
    /// (spec/activation.md § Services); says so, with how to start them from the rebuilt one. Returns their names.
    /// </summary>
    private IReadOnlyList<string> StopServicesOfReplaced(DeploymentEntry existing)
    {
        var stopped = ServiceManager.StopServicesOf(_location, existing, TimeSpan.FromSeconds(10));
        foreach (var name in stopped)
        {
            _options.Messages.WriteLine($"stopped service {existing.Id}/{name}: --force replaces the deployment it runs from; 'packster service start {existing.Id}/{name}' starts it from the new one");
        }
        return stopped;
    }

    /// <summary>
    /// The package was verified, or only its manifest read, before the lock was taken, through a path that may since
    /// point at other bytes (renamed over, or rewritten in place). So, under the lock, it is copied into the location
    /// while hashed, and only what a copy whose hash is the name's and whose manifest is the one already read holds is
    /// extracted (spec/package-format.md §1). The extraction does not wait for the copy: it follows the file's layout
    /// (central directory, local headers) and reads each entry's data from the copy as soon as the copy holds it; the
    /// finished copy must then hash to the name and have that very layout, or nothing of it is kept. A file never
    /// hashed before gets the plain checksum error, which wins over any refusal of the extraction.
    /// </summary>
    private ExtractionResult ExtractVerified(PackageFile package, string staging, EntryReuse? reuse, bool forSharing, CancellationToken ct)
    {
        var copyDirectory = _location.CreateStaging();
        try
        {
            var copyPath = Path.Combine(copyDirectory, package.Name.FileName);
            PackageArchive? layout = null;
            VerifiedCopy? copy = null;
            ExtractionResult result;
            try
            {
                layout = PackageArchive.Open(package.Path);
                PausePoint.Hit("install.layout-read");
                copy = VerifiedCopy.Start(package.Path, copyPath, ct);
                layout.ReadDataFrom(copy.Handle, copy.AwaitEnd);
                result = SafeExtractor.Extract(layout, staging, ExtractionLimits.Default, reuse is null ? null : reuse.TryReuse, forSharing, _options.ExtractionProgress, ct);
            }
            catch
            {
                layout?.Dispose();
                var hashed = copy is null ? TryHash(package.Path) : copy.TryFinish();
                copy?.Dispose();
                if (hashed is { } h && h != package.Name.Sha256) throw NotThePackage(package, h);
                throw;
            }
            using (layout)
            {
                Sha256Digest actual;
                // Closed before it is opened again: Windows refuses a reader beside a handle open for writing.
                using (copy) actual = copy.Finish();
                if (actual != package.Name.Sha256) throw NotThePackage(package, actual);
                using var proven = PackageArchive.Open(copyPath);
                if (!proven.ReadManifestBytes().AsSpan().SequenceEqual(package.ManifestBytes)) throw ChangedSinceVerified(package, "its manifest differs");
                if (!layout.SameLayout(proven)) throw ChangedSinceVerified(package, "its entries moved while it was copied");
            }
            return result;
        }
        finally
        {
            Discard(copyDirectory);
        }
    }

    private static Sha256Digest? TryHash(string path)
    {
        try
        {
            return Sha256Digest.ComputeFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static PacksterException NotThePackage(PackageFile package, Sha256Digest actual) =>
        package.Checked == PackageCheck.Hashed ? ChangedSinceVerified(package, $"its content now hashes to {actual}") : PackageFile.Mismatch(package.Name, actual);

    private static PacksterException ChangedSinceVerified(PackageFile package, string what) =>
        new(ErrorCode.ChecksumMismatch,
            $"'{package.Name.FileName}' changed after it was verified: its name says sha256 {package.Name.Sha256}, but {what}",
            "another process replaced or rewrote the file during the install; install it again from a file nobody else writes");

    /// <summary>
    /// The licence, deny and signature rules for <paramref name="package"/>: a refusal throws (PST4050, PST4051,
    /// PST403x); under a "warn" policy the warning goes to <paramref name="warnings"/>. Returns the verified signature.
    /// </summary>
    private Trust.PackageSignature? CheckPolicies(PackageFile package, IReadOnlyList<Trust.TrustRules> sourceTrust, TextWriter warnings)
    {
        var manifest = package.Manifest;
        var policy = PolicyPath ?? _location.PolicyPath;
        // The user's licence rules and the location's both apply, before anything is extracted (spec/licenses.md § Evaluation).
        new Licensing.LicensePolicy([.. _options.LicenseRules, Licensing.LicenseRules.Read(policy, RulesFileKind.LocationPolicy)]).Require(manifest);
        Deny.DenyList.For(_options.DenyRules, policy).Require(manifest);
        // Signatures, likewise before anything is extracted (spec/signing.md § Trust policy).
        // The source's own rules (per-source trust in config.toml) add to them; nothing can relax them.
        return new Trust.TrustPolicy([.. _options.TrustRules, Trust.TrustRules.Read(policy, RulesFileKind.LocationPolicy), .. sourceTrust])
            .Check(package, _options.Keys, warnings);
    }

    /// <summary>
    /// Refuses <paramref name="package"/> as its install would by the licence, deny and signature rules, without its
    /// warnings (the install, which checks again, gives them): for callers that lock the location for several packages,
    /// so that a refusal comes before the lock (spec/licenses.md § Evaluation, spec/signing.md § Trust policy).
    /// </summary>
    public void RefuseByPolicy(PackageFile package, IReadOnlyList<Trust.TrustRules> sourceTrust)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(sourceTrust);
        CheckPolicies(package, sourceTrust, TextWriter.Null);
    }

    /// <summary>The lockfile records install times in whole UTC seconds (spec/lockfile.md).</summary>
    private static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>The deployment's entry, added to <paramref name="state"/>; when it is activated, the one it replaces is deactivated.</summary>
    private DeploymentEntry Record(LocationState state, PackageFile package, Sha256Digest hash, EffectiveParameters parameters, Trust.PackageSignature? signature,
        InstallDecision decision)
    {
        var entry = new DeploymentEntry(package.Name, hash, (JsonObject)JsonNode.Parse(parameters.Canonical)!)
        {
            InstalledAt = _options.Clock is { } clock ? WholeSeconds(clock.GetUtcNow()) : null,
            Signer = signature?.KeyId,
        };
        if (decision.Activate)
        {
            if (decision.Replaces is { } old) Deactivate(old);
            entry.Active = true;
            foreach (var claim in decision.Claims) entry.Claims.Add(ClaimText.Format(claim));
        }
        state.Deployments.Add(entry);
        return entry;
    }

    private static void Deactivate(DeploymentEntry entry)
    {
        entry.Active = false;
        entry.Claims.Clear();
    }

    /// <summary>
    /// Whether the lockfile on disk is the one <paramref name="prepared"/> made: a commit that failed after its rename (the
    /// folder's sync) was made all the same.
    /// </summary>
    private bool Committed(PreparedCommit? prepared) =>
        prepared is { Bytes.IsCompletedSuccessfully: true } && Lockfile.DigestIfReadable(_location.LockfilePath) == prepared.Bytes.Result.AfterSha;

    private static JsonElement? MergeParameters(InstallRequest request, Manifest.Manifest manifest)
    {
        if (request.ParameterPairs.Count == 0) return request.Parameters;
        var merged = request.Parameters is { ValueKind: JsonValueKind.Object } given
            ? JsonObject.Create(given)!
            : request.Parameters is { } other ? throw ParameterErrors.InvalidJson($"expected a JSON object, found {other.ValueKind.ToString().ToLowerInvariant()}") : new JsonObject();
        foreach (var pair in request.ParameterPairs)
        {
            var (key, value) = ParameterInput.ParseKeyValue(pair, manifest.Parameters);
            merged[key] = JsonNode.Parse(value.GetRawText());
        }
        return JsonSerializer.SerializeToElement(merged, EffectiveParametersContext.Default.JsonObject);
    }

    /// <summary>
    /// What installing <paramref name="hash"/> into <paramref name="state"/> does: the one decision the dry run reports and
    /// the run carries out (spec/lockfile.md § Dry run). An existing deployment is left as it is unless --force.
    /// </summary>
    private InstallDecision Decide(LocationState state, PackageFile package, InstallRequest request, Sha256Digest hash, EffectiveParameters parameters)
    {
        var existing = state.Find(hash);
        // A secret is kept nowhere, so whether it changed cannot be known: given one, the handlers run again, as with
        // --force (spec/parameters.md § Secret parameters).
        if (existing is not null && !request.Force && !parameters.HasSecrets) return new InstallDecision(existing, false, existing.Active, null, [], false);
        var activation = DecideActivation(state, package, request, hash, parameters);
        // An upgrade takes over from a lower version (spec/handlers.md §When); the same version with other parameters
        // takes over as a plain install.
        var upgrades = activation.Replaces is { } old && old.Version < package.Manifest.Version;
        return new InstallDecision(existing, true, activation.Activate, activation.Replaces, activation.Claims, upgrades);
    }

    /// <summary>
    /// <see cref="Builds"/>: a deployment is built (new, or --force); otherwise the existing one stays as it is.
    /// <see cref="Activate"/>: whether the deployment is active afterwards; <see cref="Replaces"/>: the active one it takes over from;
    /// <see cref="Upgrades"/>: whether that one is of a lower version, which makes the action an upgrade.
    /// </summary>
    private sealed record InstallDecision(DeploymentEntry? Existing, bool Builds, bool Activate, DeploymentEntry? Replaces, IReadOnlyList<ResourceClaim> Claims,
        bool Upgrades)
    {
        public HandlerAction HandlerAction => Upgrades ? HandlerAction.Upgrade : HandlerAction.Install;
    }

    /// <summary>Which deployment becomes active: the highest version of a package, unless pinned elsewhere or installed --inactive.</summary>
    private ActivationDecision DecideActivation(LocationState state, PackageFile package, InstallRequest request, Sha256Digest hash, EffectiveParameters parameters)
    {
        var manifest = package.Manifest;
        var resources = DeploymentResources.For(manifest, parameters, _location.DeploymentDirectory(hash), _location.Path);
        var claims = resources.Claims;
        // --inactive never makes a deployment active, and never deactivates one: a forced rebuild of the active
        // deployment keeps it active, with the same claims (spec/lockfile.md § Which deployment is active).
        if (request.Inactive) return new ActivationDecision(state.Find(hash) is { Active: true }, null, claims);

        var current = state.OfPackage(manifest.Id).FirstOrDefault(d => d.Active && d.Hash != hash);
        var takesOver = current is null || (!current.Pinned && manifest.Version >= current.Version);
        if (!takesOver) return new ActivationDecision(false, null, claims);

        var owner = new ResourceOwner(state.LocationId.Value, manifest.Id, manifest.Version, hash);
        var release = current?.Claims.Select(ClaimText.Parse).ToList() ?? [];
        var owners = LocationActivation.Owners(state);
        foreach (var same in state.Deployments.Where(d => d.Hash == hash && d.Active))
        {
            foreach (var c in same.Claims) owners.Remove(ClaimText.Parse(c));
        }
        if (ResourceGuard.FindConflicts(owners, new ResourceChange(owner, claims, release)) is [var first, ..] conflicts)
        {
            // An owner this command installed is undone with it: the hint cannot send the user to uninstall it.
            var undone = Transaction?.Installed(first.Owner.DeploymentHash) ?? Planned?.Installed(first.Owner.DeploymentHash);
            throw ResourceGuard.ConflictError(conflicts, ownerUndone: undone == true);
        }
        ResourceGuard.EnsureNoConflicts(EnabledTogether(), new ResourceChange(owner, claims));
        return new ActivationDecision(true, current, claims);
    }

    /// <summary>When this location is enabled for the user, the claims of the other enabled locations (spec/resources.md).</summary>
    private Dictionary<ResourceClaim, ResourceOwner> EnabledTogether()
    {
        var enabled = new EnabledLocations(_location.Paths);
        return enabled.IsEnabled(_location) ? enabled.OwnersOutside(_location) : [];
    }

    private sealed record ActivationDecision(bool Activate, DeploymentEntry? Replaces, IReadOnlyList<ResourceClaim> Claims);

    private HandlerPlan PlanHandlers(Manifest.Manifest manifest, HandlerAction action, string root, TimeSpan? timeout)
    {
        var specs = HandlerSpecs.From(manifest);
        return _options.Executors.Plan(specs, action, root, timeout);
    }

    /// <summary>The log of <paramref name="action"/>'s handlers for deployment <paramref name="hash"/> (spec/handlers.md §Logs).</summary>
    private string HandlerLogPath(PackageId id, PackageVersion version, Sha256Digest hash, HandlerAction action) =>
        Path.Combine(_location.LogsDirectory, $"{id}-{version}-{hash.Hex[..12]}-{action.ToName()}.log");

    /// <summary>
    /// After the handlers of <paramref name="action"/> succeeded (spec/handlers.md § What handlers leave): the deployment's
    /// <c>packster-manifest.toml</c> must still be the package's, byte for byte — packster judged the package by it (its
    /// resources, licence, parameters), and activation, <c>licenses</c> and <c>sbom</c> read it from the deployment —
    /// and nothing may have appeared at <paramref name="finalPath"/>, where the deployment is to be published.
    /// </summary>
    private void RequireHandlersKeptOut(HandlerAction action, PackageFile package, string staging, Sha256Digest hash, string finalPath, bool finalWasThere)
    {
        var manifest = package.Manifest;
        var log = HandlerLogPath(manifest.Id, manifest.Version, hash, action);
        if (!finalWasThere && FileKinds.Of(finalPath) != FileKind.Missing)
        {
            throw HandlerErrors.WroteFinalPath(action, $"{manifest.Id} {manifest.Version}", finalPath, log);
        }
        var file = Path.Combine(staging, Manifest.Manifest.FileName);
        var kind = FileKinds.Of(file);
        var change = kind switch
        {
            FileKind.Missing => "it was removed",
            FileKind.Regular => RegularFile.TryReadAllBytes(file, out _) is { } bytes && bytes.AsSpan().SequenceEqual(package.ManifestBytes) ? null : "its bytes are not the package's",
            _ => $"it is now {kind.Describe()}",
        };
        if (change is not null) throw HandlerErrors.ChangedManifest(action, $"{manifest.Id} {manifest.Version}", change, log);
    }

    /// <summary>
    /// Removes what the handlers made at <paramref name="finalPath"/>, where nothing was before they ran (a link
    /// itself, never what it points to). Best effort: recovery removes an unrecorded deployment folder on the next command.
    /// </summary>
    private void RemoveMadeByHandlers(string finalPath)
    {
        try
        {
            var kind = FileKinds.Of(finalPath);
            if (kind == FileKind.Missing) return;
            if (kind == FileKind.Directory) FileTree.Delete(finalPath);
            else File.Delete(finalPath);
            _location.ForgetDeployments();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private async Task RunHandlersAsync(HandlerPlan plan, HandlerContext context, Sha256Digest hash, string finalPath, CancellationToken ct)
    {
        Directory.CreateDirectory(_location.LogsDirectory);
        var logPath = HandlerLogPath(context.PackageId, context.PackageVersion, hash, context.Action);
        // HandlerEnvironment.Build creates the file owner-only; writing it here first would leave it world-readable.
        var parametersFile = Path.Combine(_location.StagingDirectory, $"{hash.Hex}.parameters.json");
        try
        {
            var env = new Dictionary<string, string>(HandlerEnvironment.Build(context, parametersFile, _options.BaseEnvironment), StringComparer.Ordinal)
            {
                [HandlerEnvironmentExtras.FinalDeploymentPath] = finalPath,
            };
            var runner = new HandlerRunner(_options.HandlerOutput);
            await runner.RunPlanAsync(plan, context, env, logPath, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(parametersFile);
        }
    }

    /// <summary>Records every file's hash: from the extraction when nothing ran after it, else by scanning the staging tree.</summary>
    private static void WriteRecord(string staging, PackageFileName name, Sha256Digest hash, EffectiveParameters parameters, ExtractionResult? extraction,
        Trust.PackageSignature? signature)
    {
        IReadOnlyList<DeploymentFile> files;
        IReadOnlyList<DeploymentLink> links;
        if (extraction is not null)
        {
            files = extraction.Entries.Where(e => e.Kind == PackageEntryKind.File)
                .Select(e => new DeploymentFile(e.Path, e.Sha256!.Value, e.Size, (UnixFileMode)e.Mode)).ToList();
            links = extraction.Entries.Where(e => e.Kind == PackageEntryKind.Symlink)
                .Select(e => new DeploymentLink(e.Path, e.LinkTarget!)).ToList();
        }
        else
        {
            (files, links) = DeploymentRecord.Scan(staging);
        }
        new DeploymentRecord(name, hash, (JsonObject)JsonNode.Parse(parameters.Canonical)!, files, links) { Signature = signature }.WriteTo(staging);
    }

    private InstallOutcome Plan(PackageFile package, InstallRequest request, EffectiveParameters parameters, Sha256Digest hash, Trust.PackageSignature? signature)
    {
        var manifest = package.Manifest;
        var state = Planned?.State ?? _location.ReadState();
        var decision = Decide(state, package, request, hash, parameters);
        if (Planned is not null && decision.Builds)
        {
            // The next plan sees this deployment recorded, its claims taken, as the run's next install would.
            if (decision.Existing is { } existing) state.Deployments.Remove(existing);
            Record(state, package, hash, parameters, signature, decision);
            Planned.Add(hash);
        }
        var handlers = decision.Builds
            ? [.. PlanHandlers(manifest, decision.HandlerAction, _location.DeploymentDirectory(hash), request.HandlerTimeout).Handlers.Select(h => h.Describe()),
                .. PlanHandlers(manifest, HandlerAction.Test, _location.DeploymentDirectory(hash), request.HandlerTimeout).Handlers.Select(h => h.Describe())]
            : new List<string>();
        long bytes = 0;
        var files = 0;
        using (var archive = PackageArchive.Open(package.Path))
        {
            foreach (var e in archive.Entries.Where(e => e.Kind == PackageEntryKind.File))
            {
                files++;
                bytes += e.Size;
            }
        }
        var details = new InstallPlanDetails(files, bytes,
            decision.Builds && decision.Activate ? decision.Claims.Select(ClaimText.Format).ToList() : [],
            handlers, decision.Replaces?.ToString(), decision.Activate, decision.Existing is not null && !decision.Builds)
        {
            Signer = signature?.KeyId,
            ClaimsWhenActive = decision.Claims.Select(ClaimText.Format).ToList(),
        };
        return new InstallOutcome(manifest.Id, manifest.Version, package.Name, hash, _location.DeploymentDirectory(hash), InstallStatus.Planned, decision.Activate)
        {
            Plan = details,
        };
    }

    internal static void Discard(string directory)
    {
        try
        {
            FileTree.Delete(directory);
        }
        catch (IOException)
        {
            // Recovery removes what is left under .packster/ on the next command.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The outside world an <see cref="Installer"/> talks to.</summary>
public sealed record InstallerOptions
{
    /// <summary>Where handler output is streamed (prefixed by package and action).</summary>
    public TextWriter HandlerOutput { get; init; } = TextWriter.Null;

    /// <summary>Waiting-for-lock and recovery messages.</summary>
    public TextWriter Messages { get; init; } = TextWriter.Null;

    public IProgress<ExtractionProgress>? ExtractionProgress { get; init; }

    public ExecutorResolver Executors { get; init; } = ExecutorResolver.ForCurrentProcess();

    /// <summary>The environment handlers inherit (default: this process's).</summary>
    public IReadOnlyDictionary<string, string>? BaseEnvironment { get; init; }

    public TimeProvider? Clock { get; init; } = TimeProvider.System;

    /// <summary>The user's trust rules (the location's are read from its policy file); spec/signing.md § Trust policy.</summary>
    public IReadOnlyList<Trust.TrustRules> TrustRules { get; init; } = [];

    /// <summary>The public keys signatures are checked with.</summary>
    public Trust.KeyStore? Keys { get; init; }

    /// <summary>The user's licence rules (the location's are read from its policy file); spec/licenses.md § Policy.</summary>
    public IReadOnlyList<Licensing.LicenseRules> LicenseRules { get; init; } = [];

    /// <summary>The user's deny rules (the location's are read from its policy file); spec/resolver.md § Deny list.</summary>
    public IReadOnlyList<Deny.DenyRule> DenyRules { get; init; } = [];
}

/// <summary>Variables handlers get beyond spec/handlers.md's core set.</summary>
public static class HandlerEnvironmentExtras
{
    /// <summary>Where the deployment will live once installed (handlers run in staging, before the rename).</summary>
    public const string FinalDeploymentPath = HandlerEnvironment.DeploymentFinalPath;
}

/// <summary>Maps the manifest's handler table onto the runner's handler specs.</summary>
public static class HandlerSpecs
{
    public static IReadOnlyDictionary<HandlerAction, HandlerSpec> From(Manifest.Manifest manifest) =>
        manifest.Handlers.ToDictionary(h => h.Key, h => new HandlerSpec(h.Value.Script.Value, h.Value.Timeout, h.Value.Executor));
}
