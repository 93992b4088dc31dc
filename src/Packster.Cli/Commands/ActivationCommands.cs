using System.CommandLine;
using System.Diagnostics;
using Packster.Activation;
using Packster.Deployments;
using Packster.Locations;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>init</c>, <c>shell</c> and <c>location env|enable|disable</c>: the ways a location becomes active, shell-scoped
/// (static scripts sourced by <c>packster-use</c>) or persistent (a profile block, or the Windows user environment).
/// </summary>
internal static class ActivationCommands
{
    public static Command Init(CliContext context)
    {
        var shell = new Argument<string>("shell") { Description = ShellInit.ShellList("or") };
        var command = new Command("init", "Print the shell functions packster-use and packster-deactivate (eval \"$(packster init bash)\"); powershell is another name for pwsh") { shell };
        command.SetAction(parse =>
        {
            context.Out.Write(ShellInit.Render(ShellInit.Parse(parse.GetValue(shell)!)));
            return 0;
        });
        return command;
    }

    public static Command Shell(CliContext context)
    {
        var location = CommonOptions.LocationArgument();
        var locationOption = CommonOptions.Location();
        var command = new Command("shell", "Start a subshell with a location active; exit it to leave") { location, locationOption };
        CommonOptions.OneLocation(command, location, locationOption);
        command.SetAction((parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location) ?? parse.GetValue(locationOption));
            EnsureActivationFiles(context, loc);
            var spec = SpecOf(loc);
            var shellPath = OperatingSystem.IsWindows()
                ? context.GetEnv("COMSPEC") ?? "cmd.exe"
                : context.GetEnv("SHELL") ?? "/bin/sh";
            var psi = new ProcessStartInfo(shellPath) { UseShellExecute = false };
            var env = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (k, v) in context.Environment) env[k] = v;
            ActivationEnvironment.Activate(env, spec);
            psi.Environment.Clear();
            foreach (var (k, v) in env)
            {
                if (v is not null) psi.Environment[k] = v;
            }
            var variable = OperatingSystem.IsWindows() ? "COMSPEC" : "SHELL";
            if (Directory.Exists(shellPath)) throw ShellUnusable(shellPath, variable, "it is a folder");
            Process process;
            try
            {
                process = Process.Start(psi)!;
            }
            catch (System.ComponentModel.Win32Exception e) when (Packster.Handlers.EnvironmentTooLarge.Is(e))
            {
                throw Packster.Handlers.EnvironmentTooLarge.InActivatedLocation($"the shell '{shellPath}'", loc.Id.ToString(), psi.Environment);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw ShellUnusable(shellPath, variable, e.NativeErrorCode switch
                {
                    2 => "it does not exist",
                    13 => "it may not be run (permission denied)",
                    _ => "it could not be started",
                });
            }
            using (process)
            {
                context.Err.WriteLine($"packster: entering a shell with location {loc.Id} active; 'exit' to leave");
                process.WaitForExit();
                return Task.FromResult(process.ExitCode);
            }
        });
        return command;
    }

    /// <summary>PST1001: the shell <c>packster shell</c> starts is the one the environment names, and it cannot be run.</summary>
    private static PacksterException ShellUnusable(string path, string variable, string why) =>
        new(ErrorCode.InvalidArgument, $"cannot start the shell '{path}' (from {variable}): {why}",
            OperatingSystem.IsWindows() ? "set COMSPEC to cmd.exe's path" : "set SHELL to a shell's path, e.g. SHELL=/bin/bash packster shell");

    public static IEnumerable<Command> LocationSubcommands(CliContext context)
    {
        yield return Env(context);
        yield return Enable(context);
        yield return Disable(context);
    }

    private static Command Env(CliContext context)
    {
        var location = CommonOptions.LocationArgument();
        var locationOption = CommonOptions.Location();
        var shell = new Option<string>("--shell") { Description = "bash, zsh, sh, fish, pwsh or cmd (powershell is another name for pwsh)", DefaultValueFactory = _ => OperatingSystem.IsWindows() ? "pwsh" : "bash" };
        var command = new Command("env", "Print the script that activates a location in a shell") { location, locationOption, shell };
        CommonOptions.OneLocation(command, location, locationOption);
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location) ?? parse.GetValue(locationOption));
            context.Out.Write(ActivationScripts.Render(ActivationShells.Parse(parse.GetValue(shell)!), SpecOf(loc)));
            return 0;
        });
        return command;
    }

    private static Command Enable(CliContext context)
    {
        var location = new Argument<string>("location") { Description = "A location path or id" };
        var user = new Option<bool>("--user") { Description = "Enable for the user (the default): new shells (and on Windows, new programs) have it active" };
        var system = new Option<bool>("--system") { Description = "Enable for every user: a script in /etc/profile.d (under PACKSTER_SYSTEM_ROOT) that every login shell sources" };
        var shadow = new Option<bool>("--shadow-system")
        {
            Description = "For the user: this location's shims, env keys and ports win over those of locations enabled for every user (its block runs after /etc/profile.d, so its shims come first on PATH)",
        };
        var command = new Command("enable", "Activate a location persistently for the user, or with --system for every user") { location, user, system, shadow };
        command.SetAction(parse =>
        {
            // The options are judged before anything is looked at or written.
            if (parse.GetValue(system))
            {
                if (parse.GetValue(shadow)) throw new PacksterException(ErrorCode.Usage, "--shadow-system is a user's choice: it does not apply with --system", "leave out one of them");
                if (parse.GetValue(user)) throw new PacksterException(ErrorCode.Usage, "--user and --system are two scopes: choose one", "run 'location enable' once per scope");
            }
            var loc = context.ResolveLocation(parse.GetValue(location));
            // Takes and releases the location's lock: a location's lock is never taken while the enabled set's is held.
            EnsureActivationFiles(context, loc);
            var enabled = new EnabledLocations(loc.Paths);
            // From the check to the record, under the location's lock and then the enabled set's (spec/resources.md §4):
            // two enables at once take turns, and the second is judged against the first; a commit into this location,
            // which takes the enabled set's lock only once the location is enabled, comes before the check or after the record.
            using var locationHeld = LocationLock.Acquire(loc, LocationLock.TimeoutFrom(loc.Paths), context.Err);
            using var held = enabled.Lock(context.Err);
            // A file where the user's records belong is named before one is read or anything written.
            if (!parse.GetValue(system)) enabled.RefuseNoFolder();
            // Once chosen it stays until 'location disable': enabling again does not quietly take it back.
            var shadowSystem = parse.GetValue(shadow) || enabled.ShadowsSystem(loc);
            enabled.EnsureCompatible(loc, shadowSystem);
            if (parse.GetValue(system))
            {
                var machine = new SystemLocations(loc.Paths);
                var changed = machine.Enable(loc, PersistentActivation.PosixPath(loc));
                if (OperatingSystem.IsWindows())
                {
                    WindowsUserEnvironment.EnableForMachine(SpecOf(loc));
                    context.Out.WriteLine($"enabled location {loc.Id} for every user in the machine environment; new programs see it");
                    return 0;
                }
                context.Out.WriteLine(changed
                    ? $"enabled location {loc.Id} for every user in {machine.ProfileScript(loc.Id)}; new login shells have it active"
                    : $"location {loc.Id} was already enabled for every user");
                return 0;
            }
            if (OperatingSystem.IsWindows())
            {
                WindowsUserEnvironment.Enable(SpecOf(loc));
                context.Out.WriteLine($"enabled location {loc.Id} in the user environment; new programs see it");
                enabled.Add(loc, shadowSystem);
                LocationActivation.WriteDesktop(loc, LocationActivation.Render(loc, loc.ReadState()));
                return 0;
            }
            // Everything is judged and prepared before anything is written (spec/activation.md §6): every profile read,
            // its markers checked and its lock held, the menu entries rendered.
            var profiles = ExistingProfiles(loc);
            var files = LocationActivation.Render(loc, loc.ReadState());
            var wasEnabled = enabled.IsEnabled(loc);
            var wasShadowing = enabled.ShadowsSystem(loc);
            using var edits = ProfileEdits.PrepareEnable(profiles, loc.Id.Value, ProfileSnippet.LockDirectory(loc.Paths), LocationLock.TimeoutFrom(loc.Paths), context.Err);
            // Then it is written whole or put back: an interrupt waits for it.
            using (UnfinishedWork.Begin())
            {
                edits.Write();
                try
                {
                    enabled.Add(loc, shadowSystem);
                    // The menu entries of its GUIs go where the user's menu finds them (spec/activation.md § Desktop entries).
                    LocationActivation.WriteDesktop(loc, files);
                }
                catch
                {
                    Undo(() =>
                    {
                        if (wasEnabled) enabled.Add(loc, wasShadowing);
                        else enabled.Remove(loc);
                    });
                    if (!wasEnabled) Undo(() => DesktopEntries.Sync(DesktopEntries.UserDirectory(loc.Paths), loc.Id.Value, []));
                    edits.Undo();
                    throw;
                }
                UnfinishedWork.Committed();
            }
            context.Out.WriteLine(!edits.Changes
                ? $"location {loc.Id} was already enabled"
                : $"enabled location {loc.Id} in {string.Join(", ", profiles.Select(p => p.Profile))}; new shells have it active");
            return 0;
        });
        return command;
    }

    private static Command Disable(CliContext context)
    {
        var location = new Argument<string>("location") { Description = "A location path or id" };
        var user = new Option<bool>("--user") { Description = "Disable for the user (the default)" };
        var system = new Option<bool>("--system") { Description = "Undo 'location enable --system'" };
        var command = new Command("disable", "Undo 'location enable'") { location, user, system };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            if (parse.GetValue(system))
            {
                var removed = new SystemLocations(loc.Paths).Disable(loc.Id);
                if (OperatingSystem.IsWindows()) removed |= WindowsUserEnvironment.DisableForMachine(loc.Id.Value);
                context.Out.WriteLine(removed ? $"disabled location {loc.Id} for every user" : $"location {loc.Id} was not enabled for every user");
                return 0;
            }
            var enabled = new EnabledLocations(loc.Paths);
            using var held = enabled.Lock(context.Err);
            if (OperatingSystem.IsWindows())
            {
                var removed = WindowsUserEnvironment.Disable(loc.Id.Value);
                var wasListed = enabled.Remove(loc);
                DesktopEntries.SyncShortcuts(DesktopEntries.StartMenuDirectory(loc.Paths, loc.Id.Value), []);
                context.Out.WriteLine(removed || wasListed ? $"disabled location {loc.Id}" : $"location {loc.Id} was not enabled");
                return 0;
            }
            // As enable: every profile prepared first (spec/activation.md §6), then everything written or put back. fish's
            // conf.d file is packster's own, one per location: without its block it is nothing, so it goes.
            var shadowing = enabled.ShadowsSystem(loc);
            using var edits = ProfileEdits.PrepareDisable(Profiles(loc).Select(p => (p.Profile, p.Script.EndsWith(".fish", StringComparison.Ordinal))),
                loc.Id.Value, ProfileSnippet.LockDirectory(loc.Paths), LocationLock.TimeoutFrom(loc.Paths), context.Err);
            var listed = false;
            using (UnfinishedWork.Begin())
            {
                edits.Write();
                try
                {
                    listed = enabled.Remove(loc);
                    DesktopEntries.Sync(DesktopEntries.UserDirectory(loc.Paths), loc.Id.Value, []);
                }
                catch
                {
                    if (listed)
                    {
                        Undo(() => enabled.Add(loc, shadowing));
                        Undo(() => LocationActivation.WriteDesktop(loc, LocationActivation.Render(loc, loc.ReadState())));
                    }
                    edits.Undo();
                    throw;
                }
                UnfinishedWork.Committed();
            }
            context.Out.WriteLine(edits.Changes || listed ? $"disabled location {loc.Id}" : $"location {loc.Id} was not enabled");
            return 0;
        });
        return command;
    }

    /// <summary>One step of putting back a failed enable or disable: the failure that called for it is what is reported.</summary>
    private static void Undo(Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PacksterException)
        {
            // The other steps are still taken.
        }
    }

    /// <summary>
    /// The profiles <c>enable</c> writes to (spec/activation.md §6): the user's own rc files only where they already
    /// exist (a shell the user does not use gets no new dotfile), and fish's conf.d file only when fish is configured.
    /// </summary>
    private static List<(string Profile, string Script)> ExistingProfiles(Location location)
    {
        var fishConfig = ProfileSnippet.FishConfigDirectory(location.Paths);
        var chosen = Profiles(location)
            .Where(p => p.Script.EndsWith(".fish", StringComparison.Ordinal) ? Directory.Exists(fishConfig) : File.Exists(p.Profile))
            .ToList();
        if (chosen.Count == 0)
        {
            throw new PacksterException(ErrorCode.NoShellProfile,
                $"no shell profile to enable location {location.Id} in: none of {string.Join(", ", Profiles(location).Take(3).Select(p => p.Profile))} exists, and fish is not configured ({fishConfig})",
                $"create the profile your shell reads (e.g. 'touch ~/.bashrc') and run again, or use 'eval \"$(packster location env {location.Id})\"' in one shell");
        }
        return chosen;
    }

    /// <summary>The profiles a POSIX user's shells read (bash and zsh rc files, ~/.profile, fish's conf.d), each with the script it sources.</summary>
    private static IReadOnlyList<(string Profile, string Script)> Profiles(Location location)
    {
        var home = location.Paths.Home;
        var posix = PersistentActivation.PosixPath(location);
        return
        [
            (Path.Combine(home, ".bashrc"), posix),
            (Path.Combine(home, ".zshrc"), posix),
            (Path.Combine(home, ".profile"), posix),
            (ProfileSnippet.FishConfPath(location.Paths, location.Id.Value), PersistentActivation.FishPath(location)),
        ];
    }

    /// <summary>A location created before its first install has no scripts yet: generate them under the lock.</summary>
    internal static void EnsureActivationFiles(CliContext context, Location location)
    {
        if (File.Exists(PersistentActivation.PosixPath(location)) && LocationActivation.IsCurrent(location, location.ReadState())) return;
        using var session = LocationSession.Open(location, context.Err);
    }

    private static ActivationSpec SpecOf(Location location) => LocationActivation.Spec(location, location.ReadState());
}
