using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// The user's own files edited by several packster processes started together (real processes, no sleeps): each edit
/// is read, changed and written under the file's lock, so none is lost; a key name is taken by one generator only.
/// </summary>
public sealed class UserFileConcurrencyTests : IDisposable
{
    private const int Count = 8;

    private readonly TempDirectory _temp = new("packster-userfiles");
    private readonly PacksterProcess _packster;

    public UserFileConcurrencyTests()
    {
        _packster = new PacksterProcess(_temp);
        Directory.CreateDirectory(_temp["packages"]);
    }

    public void Dispose() => _temp.Dispose();

    // spec/sources.md §1: "an edit of the user config file … holds the file's lock from its read to its write, so two
    // commands at once both land".
    [Fact]
    public async Task Sources_added_at_once_are_all_kept()
    {
        var results = await _packster.RunTogether(Enumerable.Range(1, Count).Select(i => new[] { "source", "add", $"s{i}", "--type", "folder", "--url", _temp["packages"] }));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));

        using var list = JsonDocument.Parse(_packster.Ok("source", "list", "--json"));
        var names = list.RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(1, Count).Select(i => $"s{i}").Order(StringComparer.Ordinal), names);
    }

    // spec/sources.md §1 and spec/signing.md § Trust policy: `trust revoke` and `source add` edit one file; a revocation
    // lost to a concurrent edit would make a revoked key acceptable again.
    [Fact]
    public async Task Revocations_and_sources_made_at_once_are_all_kept()
    {
        var ids = Enumerable.Range(1, Count / 2).Select(i => $"{i:x}123456789abcdef").ToList();
        var commands = ids.Select(id => new[] { "trust", "revoke", id })
            .Concat(Enumerable.Range(1, Count / 2).Select(i => new[] { "source", "add", $"s{i}", "--type", "folder", "--url", _temp["packages"] }));
        var results = await _packster.RunTogether(commands);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));

        using var shown = JsonDocument.Parse(_packster.Ok("trust", "show", "--json"));
        Assert.Equal(ids.Order(StringComparer.Ordinal), shown.RootElement.GetProperty("revokedKeys").EnumerateArray().Select(k => k.GetString()).Order(StringComparer.Ordinal));
        using var list = JsonDocument.Parse(_packster.Ok("source", "list", "--json"));
        Assert.Equal(Count / 2, list.RootElement.GetArrayLength());
    }

    // spec/sources.md §1.1: trusted-configs.json is read, changed and written under its lock.
    [Fact]
    public async Task Project_files_trusted_at_once_are_all_recorded()
    {
        var files = Enumerable.Range(1, Count).Select(i => _temp.Write($"p{i}/packster.toml", $"# project {i}\n")).ToList();
        var results = await _packster.RunTogether(files.Select(f => new[] { "config", "trust", f }));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));

        using var trusted = JsonDocument.Parse(_packster.Ok("config", "trusted", "--json"));
        Assert.Equal(files.Order(StringComparer.Ordinal), trusted.RootElement.EnumerateArray().Select(r => r.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
    }

    // spec/signing.md § Keys: "of several `key generate NAME` at once exactly one succeeds, the others are PST4033, and
    // NAME.key and NAME.pub are one pair" — a key is never overwritten.
    [Fact]
    public async Task Of_keys_generated_at_once_under_one_name_exactly_one_is_made()
    {
        var results = await _packster.RunTogether(Enumerable.Range(1, Count).Select(_ => new[] { "key", "generate", "rel" }));
        var made = Assert.Single(results, r => r.ExitCode == 0);
        Assert.All(results.Where(r => r.ExitCode != 0), r => Assert.Contains("PST4033", r.Stderr, StringComparison.Ordinal));

        var keys = _temp["data/keys"];
        var pub = File.ReadAllText(Path.Combine(keys, "rel.pub"));
        Assert.Equal(made.Stdout, pub);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(File.ReadAllText(Path.Combine(keys, "rel.key")));
        Assert.Equal(pub.Trim(), ecdsa.ExportSubjectPublicKeyInfoPem().Trim());
    }

    // spec/lockfile.md § Registry: "a creation holds the registry's lock from its check of the id to its registration".
    // The first creation is paused (test seam PACKSTER_PAUSE_AT=location-create.checked) after it found the id free;
    // a second one under that id runs in that moment. Without the lock both are registered, the second overwritten.
    [Fact]
    public async Task Of_two_locations_created_at_once_under_one_id_only_one_is_registered()
    {
        var signal = _temp["paused"];
        var pause = new Dictionary<string, string> { ["PACKSTER_PAUSE_AT"] = "location-create.checked", ["PACKSTER_PAUSE_FILE"] = signal };
        using var first = Start(["location", "create", _temp["loc1"], "--id", "same"], pause);
        var firstOut = first.StandardOutput.ReadToEndAsync();
        var firstErr = first.StandardError.ReadToEndAsync();
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || first.HasExited, TimeSpan.FromMinutes(2)));
        if (!File.Exists(signal)) Assert.Fail($"the first creation never reached the pause point: {await firstErr}");

        using var second = Start(["location", "create", _temp["loc2"], "--id", "same"], new Dictionary<string, string>());
        var secondOut = second.StandardOutput.ReadToEndAsync();
        // Either the second finishes (no lock) or it says it waits for the first (lock): both are the moment to resume.
        var waitingLine = second.StandardError.ReadLineAsync();
        await Task.WhenAny(second.WaitForExitAsync(), waitingLine).WaitAsync(TimeSpan.FromMinutes(2));
        File.Delete(signal);
        await Task.WhenAll(first.WaitForExitAsync(), second.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(2));
        var secondErr = await waitingLine + await second.StandardError.ReadToEndAsync();

        Assert.True(first.ExitCode == 0, $"first: {await firstOut} {await firstErr}");
        Assert.True(second.ExitCode != 0 && secondErr.Contains("PST5009", StringComparison.Ordinal), $"second: exit {second.ExitCode} {await secondOut} {secondErr}");
        Assert.False(Directory.Exists(_temp["loc2"]), "the refused creation left its folder behind");
        Assert.Contains(_temp["loc1"], _packster.Ok("location", "show", "same"), StringComparison.Ordinal);
    }

    private Process Start(string[] args, IReadOnlyDictionary<string, string> env)
    {
        var process = Process.Start(_packster.StartInfo(args, env))!;
        process.StandardInput.Close();
        return process;
    }
}
