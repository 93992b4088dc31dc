using FsCheck.Xunit;
using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/lockfile.md § Dry run and § Which deployment is active, over random sequences of install, install --inactive,
/// install --force, use, uninstall, pin and unpin on a real location: a dry run reports exactly what the real install
/// then does (or fails with the same code), and no operation changes which deployment is active without a history line.
/// </summary>
public sealed class PlanAgreesWithRunPropertyTests : IDisposable
{
    private readonly TempDirectory _packages = new("packster-plan-prop");
    private readonly List<string> _files;

    public PlanAgreesWithRunPropertyTests() => _files = PortPackages.Pack(_packages);

    public void Dispose() => _packages.Dispose();

    [Property(MaxTest = 25)]
    public void Dry_runs_agree_with_real_runs_and_every_change_of_the_active_deployment_is_in_the_history(int seed)
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var random = new Random(seed);
        var steps = random.Next(4, 12);
        for (var i = 0; i < steps; i++) Step(location, random);
    }

    private void Step(Location location, Random random)
    {
        var options = new InstallerOptions { Clock = null };
        var before = location.ReadState();
        var historyBefore = History.Read(location).Count;
        var choice = random.Next(10);
        var existing = before.Deployments;
        var target = existing.Count == 0 ? null : existing[random.Next(existing.Count)].Hash.Hex;
        var description = "";
        if (choice < 5 || target is null)
        {
            var request = new InstallRequest(_files[random.Next(_files.Count)])
            {
                ParameterPairs = [$"n={8001 + random.Next(2)}"],
                Inactive = random.Next(4) == 0,
                Force = random.Next(6) == 0,
            };
            description = $"install {Path.GetFileName(request.PackagePath)} {request.ParameterPairs[0]}{(request.Inactive ? " --inactive" : "")}{(request.Force ? " --force" : "")}";
            InstallBoth(location, options, request, before);
        }
        else
        {
            description = choice switch { 5 or 6 => "use", 7 => "uninstall", 8 => "pin", _ => "unpin" } + " " + target;
            try
            {
                switch (choice)
                {
                    case 5 or 6: new Switcher(location, options).Use(target); break;
                    case 7: new Uninstaller(location, options).UninstallAsync(target, force: false).GetAwaiter().GetResult(); break;
                    default: new Switcher(location, options).SetPinned(target, choice == 8); break;
                }
            }
            catch (PacksterException e) when (e.Code == ErrorCode.ResourceConflict)
            {
                // Refused by the resource guard: nothing may have changed.
                Assert.Equal(Lockfile.Serialize(before), Lockfile.Serialize(location.ReadState()));
            }
        }
        AssertChangesAreRecorded(location, before, historyBefore, description);
    }

    /// <summary>The dry run first, then the real install of the same request: same outcome, or the same error.</summary>
    private static void InstallBoth(Location location, InstallerOptions options, InstallRequest request, LocationState before)
    {
        var installer = new Installer(location, options);
        var (plan, planError) = Try(() => installer.InstallAsync(request with { DryRun = true }).GetAwaiter().GetResult());
        var (real, realError) = Try(() => installer.InstallAsync(request).GetAwaiter().GetResult());
        var what = $"{Path.GetFileName(request.PackagePath)} {string.Join(' ', request.ParameterPairs)} inactive={request.Inactive} force={request.Force}";

        Assert.True(planError?.Code == realError?.Code, $"{what}: the dry run gave {planError?.Code.ToString() ?? "a plan"}, the run {realError?.Code.ToString() ?? "an outcome"}");
        if (plan is null || real is null) return;
        var details = plan.Plan!;
        var after = location.ReadState();

        Assert.Equal(plan.Deployment, real.Deployment);
        Assert.True(plan.Active == real.Active, $"{what}: the dry run said active={plan.Active}, the run gave active={real.Active}");
        Assert.Equal(details.WouldActivate, real.Active);
        // alreadyInstalled is what the run does: --force (or a secret) rebuilds, so the plan does not say it then.
        Assert.Equal(details.AlreadyInstalled, real.Status == InstallStatus.Unchanged);
        var replaced = before.OfPackage(real.Id).FirstOrDefault(d => d.Active && d.Hash != real.Deployment && after.Find(d.Hash) is { Active: false });
        Assert.Equal(replaced?.ToString(), details.Replaces);
        var claims = real.Status == InstallStatus.Installed && real.Active ? after.Find(real.Deployment)!.Claims.Order(StringComparer.Ordinal).ToList() : [];
        Assert.Equal(claims, details.Claims.Order(StringComparer.Ordinal).ToList());
    }

    private static (InstallOutcome? Outcome, PacksterException? Error) Try(Func<InstallOutcome> install)
    {
        try
        {
            return (install(), null);
        }
        catch (PacksterException e)
        {
            return (null, e);
        }
    }

    /// <summary>Each deployment that became active, stopped being active, or went, is named by a line this step appended.</summary>
    private static void AssertChangesAreRecorded(Location location, LocationState before, int historyBefore, string step)
    {
        var after = location.ReadState();
        var lines = History.Read(location).Skip(historyBefore).ToList();
        var named = lines.Select(l => l.Deployment).ToHashSet(StringComparer.Ordinal);
        var previous = lines.Where(l => l.Previous is not null).Select(l => l.Previous!.Deployment).ToHashSet(StringComparer.Ordinal);
        foreach (var d in after.ActiveDeployments.Where(d => before.Find(d.Hash) is not { Active: true }))
        {
            Assert.True(named.Contains(d.Hash.Hex), $"{step}: {d} became active with no history line");
        }
        foreach (var d in before.ActiveDeployments)
        {
            var now = after.Find(d.Hash);
            if (now is null) Assert.True(lines.Any(l => l.Action == "uninstall" && l.Deployment == d.Hash.Hex), $"{step}: {d} went with no history line");
            else if (!now.Active) Assert.True(previous.Contains(d.Hash.Hex), $"{step}: {d} stopped being active with no history line");
        }
        Assert.All(after.Deployments.GroupBy(d => d.Id), g => Assert.True(g.Count(d => d.Active) <= 1, $"{step}: two active deployments of {g.Key}"));
    }
}
