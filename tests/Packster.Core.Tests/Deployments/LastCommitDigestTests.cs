using System.Text;
using Packster.Core.Tests.Locations;
using Packster.Deployments;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/history.md § Commit lines, "Where changes start": the last commit line recorded names the lockfile a commit
/// continues from; it is found reading history.jsonl backwards from its end, whatever the length of the lines after it
/// or of its own.
/// </summary>
public sealed class LastCommitDigestTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 3)]
    [InlineData(20_000, 0)]
    [InlineData(200_000, 0)]
    [InlineData(100, 400)]
    [InlineData(70_000, 2_000)]
    public void The_last_commit_line_is_found_whatever_the_lengths_around_it(int commitPadding, int eventsAfter)
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var path = History.PathOf(location);
        var text = new StringBuilder(File.Exists(path) ? File.ReadAllText(path) : "");
        text.Append("{\"time\":\"2026-12-05T00:00:00Z\",\"action\":\"commit\",\"lockfile\":\"").Append('1', 64).Append("\",\"changes\":{}}\n");
        text.Append("{\"time\":\"2026-12-05T00:00:01Z\",\"action\":\"commit\",\"lockfile\":\"").Append('2', 64)
            .Append("\",\"changes\":{\"set\":{\"bundle\":{\"pad\":\"").Append('x', commitPadding).Append("\"}}}}\n");
        for (var i = 0; i < eventsAfter; i++) text.Append("{\"time\":\"2026-12-05T00:00:02Z\",\"action\":\"install\",\"package\":\"hello\",\"n\":").Append(i).Append("}\n");
        File.WriteAllText(path, text.ToString());

        Assert.Equal(new string('2', 64), History.LastCommitDigest(location, []));
    }

    /// <summary>
    /// spec/history.md § Cost: "a run of bytes without a newline longer than twice the lockfile plus 1 MiB cannot be a
    /// commit line and is passed over" — the tail of zeros a power cut can leave does not hide the last commit line, and
    /// is never gathered whole (it was, a block at a time, each time copied again: 64 MB of zeros cost 12 s).
    /// </summary>
    [Theory]
    [InlineData(100_000, false)]
    [InlineData(5_000_000, false)]
    [InlineData(5_000_000, true)]
    public void A_tail_without_a_newline_does_not_hide_the_last_commit_line(int zeros, bool onlyLine)
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var path = History.PathOf(location);
        var text = new StringBuilder(File.Exists(path) && !onlyLine ? File.ReadAllText(path) : "");
        if (!onlyLine) text.Append("{\"time\":\"2026-12-05T00:00:00Z\",\"action\":\"commit\",\"lockfile\":\"").Append('1', 64).Append("\",\"changes\":{}}\n");
        text.Append("{\"time\":\"2026-12-05T00:00:01Z\",\"action\":\"commit\",\"lockfile\":\"").Append('2', 64).Append("\",\"changes\":{}}\n");
        File.WriteAllText(path, text.ToString());
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(new byte[zeros]);
        }

        Assert.Equal(new string('2', 64), History.LastCommitDigest(location, []));
    }
}
