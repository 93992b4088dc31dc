using System.Diagnostics;
using System.Text.Json;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// spec/lockfile.md § Readers: "Read-only commands never fail because a writer is working … they read the lockfile
/// once and answer from that one committed state; a recorded deployment whose directory a writer has moved into the
/// trash since is being removed (`"status": "removing"`), not an error". Real processes: a writer frozen between its
/// rename into the trash and its commit (killed at <c>uninstall.trashed</c>), and writers running while readers read.
/// </summary>
public sealed class ReaderTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    // `list` reads each package's manifest once for all its deployments; what it expands from the parameters stays each
    // deployment's own (spec/manifest.md: "{param.NAME}" is the deployment's value).
    [Fact]
    public void Deployments_of_one_package_list_the_resources_of_their_own_parameters()
    {
        var hello = _f.PackSample("hello");
        var ports = new[] { 9101, 9102, 9103 };
        var deployments = ports.Select(port => (Port: port, Hash: _f.InstallJson(hello, "-p", $"port={port}", "--inactive").GetProperty("deployment").GetString()!)).ToList();
        var list = _f.List();
        foreach (var (port, hash) in deployments)
        {
            var listed = Assert.Single(list.EnumerateArray(), d => d.GetProperty("deployment").GetString() == hash);
            Assert.Equal(port, Assert.Single(listed.GetProperty("ports").EnumerateArray()).GetInt32());
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), listed.GetProperty("env").GetProperty("HELLO_PORT").GetString());
            Assert.EndsWith(hash, listed.GetProperty("env").GetProperty("HELLO_HOME").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Between_an_interrupted_uninstall_and_the_next_writer_readers_report_the_deployment_as_being_removed()
    {
        if (OperatingSystem.IsWindows()) return; // PACKSTER_CRASH_AT kills with SIGKILL semantics the test reads as 137
        var hello = _f.PackSample("hello");
        var active = _f.InstallJson(hello).GetProperty("deployment").GetString()!;
        var other = _f.InstallJson(hello, "-p", "port=9001", "--inactive").GetProperty("deployment").GetString()!;
        var crashed = _f.Packster.Run(["uninstall", active, "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_CRASH_AT"] = "uninstall.trashed" });
        Assert.Equal(137, crashed.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_f.LocationPath, "deployments", active)));

        var list = _f.List();
        Assert.Equal(2, list.GetArrayLength());
        var removing = Assert.Single(list.EnumerateArray(), d => d.GetProperty("deployment").GetString() == active);
        Assert.Equal("removing", removing.GetProperty("status").GetString());
        Assert.Equal("hello", Assert.Single(removing.GetProperty("shims").EnumerateArray()).GetString());
        Assert.Equal("deployed", list.EnumerateArray().Single(d => d.GetProperty("deployment").GetString() == other).GetProperty("status").GetString());

        var verify = _f.Packster.Run("verify", "dev");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("verified 1 deployment: all intact; 1 being removed", verify.Stderr, StringComparison.Ordinal);

        var which = _f.Packster.Run("which", "hello", "--location", "dev");
        Assert.True(which.ExitCode == 0, which.ToString());
        Assert.Contains("(being removed)", which.Stdout, StringComparison.Ordinal);

        var locate = _f.Packster.Run("locate", "bin/*", "--all", "--location", "dev");
        Assert.True(locate.ExitCode == 0, locate.ToString());
        Assert.Contains(Path.Combine(_f.LocationPath, "deployments", other, "bin", "hello"), locate.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(active, locate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Readers_running_while_writers_uninstall_and_collect_never_fail()
    {
        if (OperatingSystem.IsWindows()) return;
        var hello = _f.PackSample("hello");
        _f.InstallJson(hello);
        var inactive = Enumerable.Range(9001, 12)
            .Select(port => _f.InstallJson(hello, "-p", $"port={port}", "--inactive").GetProperty("deployment").GetString()!)
            .ToList();

        // One writer removes inactive deployments one by one, then gc takes the rest; readers loop until it ends.
        using var writer = Process.Start(Shell(string.Join(" && ",
            inactive.Take(6).Select(hash => $"{Packster()} uninstall {hash} --location dev >/dev/null")
                .Append($"{Packster()} gc --location dev >/dev/null"))))!;
        writer.StandardInput.Close();
        var failures = new List<string>();
        var runs = 0;
        string[][] readers = [["list", "--location", "dev", "--json"], ["verify", "dev"], ["which", "hello", "--location", "dev"], ["locate", "bin/*", "--all", "--location", "dev"]];
        while (!writer.HasExited || runs < readers.Length)
        {
            var args = readers[runs++ % readers.Length];
            var r = _f.Packster.Run(args);
            if (r.ExitCode != 0) failures.Add($"{string.Join(' ', args)}: {r}");
            else if (args[0] == "list") JsonDocument.Parse(r.Stdout).Dispose();
        }
        writer.WaitForExit();
        Assert.True(writer.ExitCode == 0, writer.StandardError.ReadToEnd());
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(1, _f.List().GetArrayLength());
    }

    private string Packster() => _f.Packster.ShellCommand;

    private ProcessStartInfo Shell(string script)
    {
        var info = _f.Packster.StartInfo([]);
        info.FileName = "sh";
        info.ArgumentList.Clear();
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        return info;
    }
}
