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
}
