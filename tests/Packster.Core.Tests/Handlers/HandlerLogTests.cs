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
}
