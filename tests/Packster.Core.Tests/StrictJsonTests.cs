using System.Text.Json;
using Packster.Locations;

namespace Packster.Core.Tests;

/// <summary>
/// spec/errors.md: messages are packster's words, never .NET's resource text. Every JSON file or text packster reads
/// (a lockfile, a secrets file, --json) says why it is not JSON through <see cref="StrictJson.Reason"/>.
/// </summary>
public sealed class StrictJsonTests
{
    private static JsonException Refusal(string text) =>
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(System.Text.Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("", "it is empty: there is no JSON value in it")]
    [InlineData("  \n", "it is empty: there is no JSON value in it")]
    [InlineData("{\"a\": [1, 2]", "it ends before an object or array is closed (it is cut short)")]
    [InlineData("{\"a\": \"tex", "it ends inside a string (it is cut short)")]
    [InlineData("{\"a\":", "it ends before an object or array is closed (it is cut short)")]
    [InlineData("{\"a\": 1,", "it ends where a value should follow (it is cut short)")]
    [InlineData("[1, 2,]", "a comma after the last element of an array")]
    [InlineData("{\"a\": 1,}", "a comma after the last member of an object")]
    [InlineData("{\"a\": 1, \"a\": 2}", "an object names 'a' twice")]
    [InlineData("[1,2", "a number malformed or cut short at '2'")]
    [InlineData("root:x:0:0:root:/root:/bin/bash", "'r' where a value should start")]
    [InlineData("{} []", "more text after the JSON value, at '['")]
    [InlineData("{\"a\" 1}", "'1' after a member name, where ':' should follow")]
    [InlineData("{a: 1}", "'a' where a member name in double quotes should start")]
    [InlineData("[1 2]", "'2' after a value, where ',', '}' or ']' should follow")]
    [InlineData("[-x]", "a malformed number at 'x'")]
    [InlineData("[\"a\\qb\"]", "'\\q', an escape no string may hold")]
    [InlineData("[tru]", "a word that is not true, false or null, at 'tru]'")]
    [InlineData("[1}", "'}' closes nothing that is open")]
    public void The_readers_sentences_become_words_about_the_text(string text, string reason)
    {
        var said = StrictJson.Reason(Refusal(text));
        Assert.Equal(reason, said);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\": \"tex")]
    [InlineData("[1,]")]
    [InlineData("{\"a\": 1, \"a\": 2}")]
    [InlineData("nope")]
    [InlineData("{} []")]
    public void No_reason_speaks_of_tokens_payloads_or_reader_options(string text)
    {
        var said = StrictJson.Reason(Refusal(text));
        foreach (var word in new[] { "token", "isFinalBlock", "payload", "reader options", "deserialization" })
        {
            Assert.DoesNotContain(word, said, StringComparison.Ordinal);
        }
    }

    // An empty lockfile: "invalid JSON at line 1, column 1: it is empty: …", not the reader's sentence.
    [Fact]
    public void An_empty_lockfile_is_described_as_empty()
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(""));
        Assert.Equal("invalid JSON at line 1, column 1: it is empty: there is no JSON value in it", Lockfile.Describe(e));
    }
}
