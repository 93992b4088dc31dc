using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § Which deployment is active: no command changes which deployment is active without saying so on
/// stdout and in the history, and a dry run reports what the real run then does.
/// </summary>
public sealed class StateChangeTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private List<JsonElement> History()
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("history", "dev", "--json"));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void Uninstalling_the_active_deployment_names_the_one_that_takes_over_and_records_it()
    {
        // § Which deployment is active: "the highest remaining version … becomes active; uninstall prints it and the
        // history gets an `activate` line whose previous is the uninstalled deployment".
        var package = _f.PackSample("hello");
        var a = _f.InstallJson(package, "-p", "port=9001").GetProperty("deployment").GetString()!;
        var b = _f.InstallJson(package, "-p", "port=9002").GetProperty("deployment").GetString()!;

        var output = _f.Packster.Ok("uninstall", b, "--location", "dev");

        Assert.Contains($"uninstalled hello 1.0.0 ({b[..12]})", output, StringComparison.Ordinal);
        Assert.Contains($"hello 1.0.0 ({a[..12]}) is now active", output, StringComparison.Ordinal);
        var active = Assert.Single(_f.List().EnumerateArray(), d => d.GetProperty("active").GetBoolean());
        Assert.Equal(a, active.GetProperty("deployment").GetString());
        var last = History()[^2..];
        Assert.Equal(("uninstall", b), (last[0].GetProperty("action").GetString(), last[0].GetProperty("deployment").GetString()));
        Assert.Equal(("activate", a), (last[1].GetProperty("action").GetString(), last[1].GetProperty("deployment").GetString()));
        Assert.Equal(b, last[1].GetProperty("previous").GetProperty("deployment").GetString());
    }

    [Fact]
    public void Uninstalling_an_inactive_deployment_changes_nothing_else()
    {
        // § Which deployment is active: only the removal of the active deployment hands activity on.
        var package = _f.PackSample("hello");
        var a = _f.InstallJson(package, "-p", "port=9001").GetProperty("deployment").GetString()!;
        var b = _f.InstallJson(package, "-p", "port=9002").GetProperty("deployment").GetString()!;

        var output = _f.Packster.Ok("uninstall", a, "--location", "dev");

        Assert.DoesNotContain("now active", output, StringComparison.Ordinal);
        Assert.Equal(b, Assert.Single(_f.List().EnumerateArray()).GetProperty("deployment").GetString());
        Assert.Equal("uninstall", History()[^1].GetProperty("action").GetString());
    }

    [Fact]
    public void Dry_run_of_an_existing_inactive_deployment_says_what_the_real_run_does()
    {
        // § Dry run: the plan and the run come from one decision; an existing deployment stays as it is unless --force.
        var package = _f.PackSample("hello");
        _f.InstallJson(package, "-p", "port=9001");
        _f.InstallJson(package, "-p", "port=9002", "--inactive");

        var plan = _f.InstallJson(package, "-p", "port=9002", "--dry-run");
        var real = _f.InstallJson(package, "-p", "port=9002");

        Assert.Equal("unchanged", real.GetProperty("status").GetString());
        Assert.False(real.GetProperty("active").GetBoolean());
        Assert.Equal(real.GetProperty("active").GetBoolean(), plan.GetProperty("active").GetBoolean());
        Assert.False(plan.GetProperty("plan").GetProperty("activate").GetBoolean());
        Assert.True(plan.GetProperty("plan").GetProperty("alreadyInstalled").GetBoolean());
        Assert.Empty(plan.GetProperty("plan").GetProperty("claims").EnumerateArray());

        var text = _f.Packster.Ok("install-file", package, "-p", "port=9002", "--dry-run", "--location", "dev");
        Assert.Contains("active      no", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dry_run_of_a_forced_reinstall_says_what_the_real_run_does()
    {
        // § Dry run: --force rebuilds the deployment and then decides activity like a new install.
        var package = _f.PackSample("hello");
        _f.InstallJson(package, "-p", "port=9001");
        _f.InstallJson(package, "-p", "port=9002", "--inactive");

        var plan = _f.InstallJson(package, "-p", "port=9002", "--dry-run", "--force");
        var real = _f.InstallJson(package, "-p", "port=9002", "--force");

        Assert.Equal("installed", real.GetProperty("status").GetString());
        Assert.Equal(real.GetProperty("active").GetBoolean(), plan.GetProperty("active").GetBoolean());
        Assert.Equal(real.GetProperty("active").GetBoolean(), plan.GetProperty("plan").GetProperty("activate").GetBoolean());
    }
}
