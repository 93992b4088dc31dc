using System.Text;
using Packster.Core.Tests.Locations;
using Packster.Deployments;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/lockfile.md § History: "a line of zero bytes alone, of any length (what a power cut leaves after an append)" is
/// skipped; "No line is held longer than a history line can be … a longer one is read through and reported as `a line
/// of N characters, longer than any history line can be` (PST5018), never gathered whole."
/// </summary>
public sealed class HistoryLineTests
{
    private const string Event = "{\"time\":\"2026-12-05T00:00:02Z\",\"action\":\"install\",\"id\":\"hello\",\"version\":\"1.0.0\",\"deployment\":\"" + Hex + "\"}\n";
    private const string Hex = "3f1c2a0000000000000000000000000000000000000000000000000000000000";

    [Theory]
    [InlineData(10)]
    [InlineData(5_000_000)]
    public void A_line_of_zeros_is_skipped_by_every_reader(int zeros)
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var path = History.PathOf(location);
        var before = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var events = History.ReadChecked(location).Count;
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(new byte[zeros]);
            stream.Write("\n"u8);
            stream.Write(Encoding.UTF8.GetBytes(Event));
        }

        Assert.Equal(events + 1, History.ReadChecked(location).Count);
        Assert.Equal(events + 1, History.Read(location).Count);
        Assert.Equal(History.CommitLines(location).Count(), CommitLinesOf(before));
    }

    [Fact]
    public void A_line_longer_than_any_history_line_is_named_not_held()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var path = History.PathOf(location);
        var lines = File.Exists(path) ? File.ReadAllLines(path).Length : 0;
        var longest = 2 * new FileInfo(location.LockfilePath).Length + (1 << 20);
        File.AppendAllText(path, new string('x', (int)longest + 10) + "\n" + Event);

        var e = Assert.Throws<PacksterException>(() => History.ReadChecked(location));
        Assert.Equal(ErrorCode.HistoryCorrupt, e.Code);
        Assert.Equal($"{path}:{lines + 1}: not a history event: a line of {longest + 10} characters, longer than any history line can be", e.Message);
        Assert.Throws<PacksterException>(() => History.CommitLines(location).ToList());
        // Internal readers keep skipping what is not an event.
        Assert.Contains(History.Read(location), entry => entry.Deployment == Hex);
    }

    private static int CommitLinesOf(byte[] history) =>
        Encoding.UTF8.GetString(history).Split('\n').Count(l => l.Contains("\"action\":\"commit\"", StringComparison.Ordinal));
}
