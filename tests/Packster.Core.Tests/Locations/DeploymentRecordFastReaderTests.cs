using System.Text;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § packster-deployment.json: a deployment's record is read by a fast reader for the shape packster
/// writes and, for anything else, by the general one; these tests hold that the fast reader takes every record
/// packster writes, reads it as the general reading does, and leaves every other file, and its errors, to the general
/// reading.
/// </summary>
public sealed class DeploymentRecordFastReaderTests
{
    [Property]
    public bool Every_written_record_is_taken_by_the_fast_reader_and_read_as_the_general_reading_reads_it(int seed)
    {
        var bytes = RandomRecord(new Random(seed)).Serialize();
        var fast = DeploymentRecordFastReader.TryRead(bytes);
        return fast is not null
            && fast.Serialize().AsSpan().SequenceEqual(bytes)
            && DeploymentRecord.ParseGeneral(bytes, "prop.json").Serialize().AsSpan().SequenceEqual(bytes);
    }

    [Fact]
    public void A_signed_record_with_escaped_paths_links_and_parameters_is_read_alike()
    {
        var package = LocationTestBed.Package("hello", "1.2.0-rc.1");
        var record = new DeploymentRecord(package, LocationTestBed.Hash("d"), new JsonObject { ["q"] = "\"<é>\"\n", ["n"] = new JsonArray(null, 1.5) },
            [new DeploymentFile("bin/h\u00e9llo+x", LocationTestBed.Hash("1"), 12, (UnixFileMode)0b111_101_101), new DeploymentFile("etc/a&b", LocationTestBed.Hash("2"), 0, null)],
            [new DeploymentLink("lib/libx.so", "libx.so.1")])
        {
            Signature = new Packster.Trust.PackageSignature(package.FileName, package.Sha256, "0123456789abcdef", [1, 2, 3, 250]),
        };
        var bytes = record.Serialize();
        Assert.Contains("\\u002B", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var fast = DeploymentRecordFastReader.TryRead(bytes);

        Assert.NotNull(fast);
        Assert.Equal(bytes, fast.Serialize());
        Assert.Equal(package, fast.Package);
        Assert.Equal(["bin/h\u00e9llo+x", "etc/a&b"], fast.Files.Select(f => f.Path));
        Assert.Equal([(UnixFileMode?)(UnixFileMode)0b111_101_101, null], fast.Files.Select(f => f.Mode));
        Assert.Equal("0123456789abcdef", fast.Signature!.KeyId);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, fast.Signature.Signature);
        Assert.Equal("\"<é>\"\n", (string)fast.Parameters["q"]!);
    }

    /// <summary>Files packster does not write: the fast reader gives up on each, and reading it is exactly the general reading.</summary>
    [Theory]
    [InlineData("\"mode\": \"0755\"", "\"mode\": \"0758\"", "a mode that is not octal")]
    [InlineData("\"mode\": \"0755\"", "\"mode\": null", "a null mode")]
    [InlineData("\"mode\": \"0755\"", "\"mode\": \"\\u0030755\"", "an escaped mode")]
    [InlineData("\"size\": 12,", "", "a missing size (read as 0)")]
    [InlineData("\"size\": 12,", "\"size\": -1,", "a negative size")]
    [InlineData("\"size\": 12,", "\"size\": 1.5,", "a fractional size")]
    [InlineData("\"size\": 12,", "\"size\": 12,\n      \"size\": 13,", "a repeated property")]
    [InlineData("\"size\": 12,", "\"size\": 12,\n      \"owner\": 0,", "an unknown property")]
    [InlineData("\"links\": [", "\"links\": [null, ", "a null link")]
    [InlineData("\"files\": [", "\"files\": [null, ", "a null file")]
    [InlineData("\"parameters\": {", "\"parameters\": null, \"x\": {", "null parameters")]
    [InlineData("\"schema\": 1,", "", "a missing schema")]
    [InlineData("\"schema\": 1,", "\"schema\": 2,", "another schema")]
    [InlineData("\"version\": \"1.0.0\"", "\"version\": \"1.0.1\"", "a version that is not the package's")]
    [InlineData("\"deployment\": \"", "\"deployment\": \"x", "a deployment that is not a SHA-256")]
    [InlineData("}\n", "} 1\n", "something after the object")]
    public void Anything_else_is_left_to_the_general_reading(string find, string replace, string what)
    {
        var canonical = Encoding.UTF8.GetString(OneFile().Serialize());
        Assert.Contains(find, canonical, StringComparison.Ordinal);
        var cut = canonical.LastIndexOf(find, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(canonical[..cut] + replace + canonical[(cut + find.Length)..]);

        Assert.True(DeploymentRecordFastReader.TryRead(bytes) is null, what);
        var general = Outcome(() => DeploymentRecord.ParseGeneral(bytes, "edited.json"));
        Assert.Equal(general, Outcome(() => DeploymentRecord.Parse(bytes, "edited.json")));
    }

    [Fact]
    public void A_null_file_entry_is_an_unreadable_record_not_a_crash()
    {
        var canonical = Encoding.UTF8.GetString(OneFile().Serialize());
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace("\"files\": [", "\"files\": [null, ", StringComparison.Ordinal));

        var e = Assert.Throws<PacksterException>(() => DeploymentRecord.Parse(bytes, "/d/packster-deployment.json"));

        Assert.Equal(ErrorCode.DeploymentRecordUnreadable, e.Code);
        Assert.Contains("$.files[0]: null, which this file never holds", e.Message, StringComparison.Ordinal);
    }

    private static DeploymentRecord OneFile() =>
        new(LocationTestBed.Package("hello", "1.0.0"), LocationTestBed.Hash("one"), new JsonObject { ["port"] = 8080 },
            [new DeploymentFile("bin/hello", LocationTestBed.Hash("h"), 12, (UnixFileMode)0b111_101_101)], [new DeploymentLink("lib/a", "b")]);

    private const string PathCharacters = "abcXYZ019-_./+&<>'\"\\ é€\u00ff\u4e2d";

    internal static DeploymentRecord RandomRecord(Random random)
    {
        var package = LocationTestBed.Package("p" + random.Next(100), $"{random.Next(3)}.{random.Next(10)}.{random.Next(10)}" + (random.Next(4) == 0 ? "-rc.1" : ""),
            "0123456789abcdef"[random.Next(16)]);
        string RandomPath() => "f" + new string([.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => PathCharacters[random.Next(PathCharacters.Length)])]);
        var files = Enumerable.Range(0, random.Next(12)).Select(i => new DeploymentFile(RandomPath() + i, LocationTestBed.Hash(RandomPath()),
            random.NextInt64(0, long.MaxValue >> random.Next(64)), random.Next(3) == 0 ? null : (UnixFileMode)random.Next(0, 0b111_111_111_111 + 1))).ToList();
        var links = Enumerable.Range(0, random.Next(3)).Select(i => new DeploymentLink(RandomPath() + i, RandomPath())).ToList();
        var parameters = new JsonObject();
        for (var i = random.Next(4); i > 0; i--) parameters[RandomPath()] = random.Next(3) switch { 0 => RandomPath(), 1 => random.Next(), _ => new JsonArray(true, null) };
        return new DeploymentRecord(package, LocationTestBed.Hash(RandomPath()), parameters, files, links)
        {
            Signature = random.Next(2) == 0 ? null : new Packster.Trust.PackageSignature(package.FileName, package.Sha256, "fedcba9876543210", [.. Enumerable.Range(0, random.Next(1, 72)).Select(_ => (byte)random.Next(256))]),
        };
    }

    /// <summary>What reading gave: the bytes its record writes, or the error code and message.</summary>
    private static string Outcome(Func<DeploymentRecord> read)
    {
        try
        {
            return "read: " + Encoding.UTF8.GetString(read().Serialize());
        }
        catch (PacksterException e)
        {
            return $"{e.Code}: {e.Message}";
        }
    }
}
