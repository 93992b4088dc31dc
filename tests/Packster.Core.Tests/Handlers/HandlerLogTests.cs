using Packster.Handlers;
using Packster.Testing;

namespace Packster.Core.Tests.Handlers;

/// <summary>
/// spec/parameters.md § Secret parameters: "Handler output that contains a secret value is written to the log and the
/// console with *** in its place" — whichever form of the value the output holds.
/// </summary>
public sealed class HandlerLogTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (string Console, string Log) Run(IReadOnlyList<string> secrets, params string[] lines)
    {
        var console = new StringWriter();
        var path = _temp["logs/handler.log"];
        var log = HandlerLog.Open(path, console, "[p] ", secrets);
        foreach (var line in lines) log.Line(line);
        log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return (console.ToString(), File.ReadAllText(path));
    }

    [Fact]
    public void A_value_is_masked_as_it_is_and_as_the_parameters_file_escapes_it()
    {
        const string secret = "pa\"ss\\wörd\u0001";
        var (console, log) = Run([secret], "env: " + secret, "  \"token\": \"pa\\\"ss\\\\wörd\\u0001\",");
        foreach (var text in new[] { console, log })
        {
            Assert.Contains("env: ***", text, StringComparison.Ordinal);
            Assert.Contains("\"token\": \"***\",", text, StringComparison.Ordinal);
            Assert.DoesNotContain("ss", text.Replace("[p] ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_line_of_a_value_of_several_lines_is_masked_and_short_lines_are_not()
    {
        const string secret = "-----BEGIN KEY-----\r\nMIIEsecretline\r\nab\r\n-----END KEY-----";
        var (console, _) = Run([secret], "-----BEGIN KEY-----", "MIIEsecretline", "ab is common text", "-----END KEY-----");
        Assert.Equal("[p] ***\n[p] ***\n[p] ab is common text\n[p] ***\n".ReplaceLineEndings(), console);
    }

    [Fact]
    public void The_values_inside_an_object_secret_are_masked_and_its_keys_are_not()
    {
        var masks = HandlerLog.Masks(["{\"password\":\"hunter22\",\"pin\":98765,\"n\":1}"]);
        Assert.Contains("hunter22", masks);
        Assert.Contains("98765", masks);
        Assert.DoesNotContain("password", masks);
        // Shorter than a part is masked on its own: "1" would mask every digit one.
        Assert.DoesNotContain("1", masks);
        // Longest first, so a text holding another is masked whole.
        Assert.True(masks.Zip(masks.Skip(1)).All(p => p.First.Length >= p.Second.Length));
    }

    [Fact]
    public void A_string_secret_that_only_looks_like_json_is_masked_whole()
    {
        Assert.Equal(["[not json"], HandlerLog.Masks(["[not json"]));
        Assert.Empty(HandlerLog.Masks(["", "   "]));
    }

    private (string Console, string Log) Pump(IReadOnlyList<string> secrets, string output)
    {
        var console = new StringWriter();
        var path = _temp["logs/pumped.log"];
        var log = HandlerLog.Open(path, console, "[p] ", secrets);
        using var reader = new StreamReader(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(output)));
        log.PumpAsync(reader).GetAwaiter().GetResult();
        log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return (console.ToString(), File.ReadAllText(path));
    }

    /// <summary>spec/handlers.md §Running: "A line longer than 65,536 characters … is written as pieces of that length, each on a line of its own".</summary>
    [Fact]
    public void A_line_longer_than_the_limit_is_written_in_pieces_that_hold_every_character()
    {
        var line = string.Concat(Enumerable.Range(0, 3 * HandlerLog.MaxLineLength + 5).Select(i => (char)('a' + i % 26)));

        var (console, log) = Pump([], line + "\nnext\r\nlast");

        var lines = log.Split('\n')[..^1];
        Assert.Equal([HandlerLog.MaxLineLength, HandlerLog.MaxLineLength, HandlerLog.MaxLineLength, 5, 4, 4], lines.Select(l => l.Length));
        Assert.Equal(line, string.Concat(lines[..4]));
        Assert.Equal(["next", "last"], lines[4..]);
        Assert.Equal(6, console.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("[p] ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_line_exactly_as_long_as_the_limit_stays_one_line()
    {
        var (_, log) = Pump([], new string('x', HandlerLog.MaxLineLength) + "\n" + new string('y', HandlerLog.MaxLineLength + 1));

        Assert.Equal([HandlerLog.MaxLineLength, HandlerLog.MaxLineLength, 1], log.Split('\n')[..^1].Select(l => l.Length));
    }

    /// <summary>spec/handlers.md §Running: "A secret that would straddle a cut is masked: the piece ends after it".</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    public void A_secret_across_the_cut_between_pieces_is_still_masked(int before)
    {
        const string secret = "straddling-secret";
        var line = new string('.', HandlerLog.MaxLineLength - before) + secret + new string('.', HandlerLog.MaxLineLength);

        var (console, log) = Pump([secret], line + "\n");

        foreach (var text in new[] { console, log })
        {
            Assert.DoesNotContain("straddl", text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, @"\*\*\*"));
        }
        Assert.Equal(line.Replace(secret, "***", StringComparison.Ordinal), log.Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_long_line_given_whole_is_written_in_pieces_too()
    {
        // Hosted PowerShell hands over the lines of its output whole.
        var (_, log) = Run([], new string('z', 2 * HandlerLog.MaxLineLength + 1));

        Assert.Equal([HandlerLog.MaxLineLength, HandlerLog.MaxLineLength, 1], log.Split('\n')[..^1].Select(l => l.Length));
    }

    [Fact]
    public void A_character_outside_the_bmp_at_the_cut_is_not_split()
    {
        var line = new string('a', HandlerLog.MaxLineLength - 1) + "\U0001F600" + "tail";

        var (_, log) = Pump([], line + "\n");

        Assert.Equal(line, log.Replace("\n", "", StringComparison.Ordinal));
        Assert.DoesNotContain("\uFFFD", log, StringComparison.Ordinal);
    }
}
