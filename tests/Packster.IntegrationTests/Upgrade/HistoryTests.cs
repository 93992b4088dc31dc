using System.Text.Json;
using Packster.IntegrationTests.Install;

namespace Packster.IntegrationTests.Upgrade;

/// <summary><c>history.jsonl</c> and <c>packster history</c> through the real executable (spec/lockfile.md § History).</summary>
public sealed class HistoryTests : IDisposable
{
    private readonly SourceFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string HistoryFile => Path.Combine(_f.LocationPath, "history.jsonl");

    private JsonElement History()
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("history", "dev", "--json"));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Install_upgrade_use_pin_and_uninstall_are_listed_in_order()
    {
        // § History: every mutating operation appends one line after its commit, oldest first.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        var v1 = _f.Install("hello");
        _f.Publish(repo, "hello", "2.0.0");
        _f.Packster.Ok("upgrade", "hello", "--location", "dev");
        _f.Packster.Ok("use", "hello@1.0.0", "--location", "dev");
        _f.Packster.Ok("pin", "hello", "--location", "dev");
        _f.Packster.Ok("unpin", "hello", "--location", "dev");
        _f.Packster.Ok("uninstall", "hello@2.0.0", "--location", "dev");

        var entries = History().EnumerateArray().ToList();

        Assert.Equal(["install", "upgrade", "use", "pin", "unpin", "uninstall"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(["1.0.0", "2.0.0", "1.0.0", "1.0.0", "1.0.0", "2.0.0"], entries.Select(e => e.GetProperty("version").GetString()));
        Assert.All(entries, e => Assert.Equal("hello", e.GetProperty("id").GetString()));
        Assert.Equal(v1.GetProperty("deployment").GetString(), entries[0].GetProperty("deployment").GetString());
        Assert.False(entries[0].TryGetProperty("previous", out _));
        Assert.Equal("1.0.0", entries[1].GetProperty("previous").GetProperty("version").GetString());
        Assert.Equal("2.0.0", entries[2].GetProperty("previous").GetProperty("version").GetString());
        Assert.All(entries, e => Assert.Equal(Environment.UserName, e.GetProperty("user").GetString()));
        Assert.All(entries, e => Assert.EndsWith("Z", e.GetProperty("time").GetString(), StringComparison.Ordinal));
        Assert.All(entries, e => Assert.True(DateTimeOffset.TryParse(e.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _)));

        var table = _f.Packster.Ok("history", "--location", "dev");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TIME", lines[0], StringComparison.Ordinal);
        Assert.Equal(7, lines.Length);
        Assert.Contains("upgrade", lines[2], StringComparison.Ordinal);
        Assert.Contains("1.0.0 → 2.0.0", lines[2], StringComparison.Ordinal);
        Assert.Contains(v1.GetProperty("deployment").GetString()![..12], lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_operation_appends_nothing()
    {
        // § History: lines are appended only after a successful commit.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Install("hello");
        var before = File.ReadAllBytes(HistoryFile);

        Assert.NotEqual(0, _f.Run("use", "hello@9.9.9", "--location", "dev").ExitCode);
        Assert.NotEqual(0, _f.Run("uninstall", "nothere", "--location", "dev").ExitCode);

        // The install's event and its commit line (spec/history.md § Commit lines), and nothing after them.
        Assert.Equal(2, File.ReadAllLines(HistoryFile).Length);
        Assert.Equal(before, File.ReadAllBytes(HistoryFile));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_and_the_next_append_starts_on_a_new_line()
    {
        // § History: a line a crash cut short is skipped on read; the next append does not join it.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Publish(repo, "other", "1.0.0");
        _f.Install("hello");
        File.AppendAllText(HistoryFile, "{\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"ins");

        Assert.Single(History().EnumerateArray());
        _f.Install("other");

        var entries = History().EnumerateArray().ToList();
        Assert.Equal(["hello", "other"], entries.Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public void A_location_without_history_says_so()
    {
        // § History: no file yet → an empty list.
        Assert.Equal(0, History().GetArrayLength());
        Assert.Contains("no history", _f.Packster.Ok("history", "dev"), StringComparison.Ordinal);
    }
}
