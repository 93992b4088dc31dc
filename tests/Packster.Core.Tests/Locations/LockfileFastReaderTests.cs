using System.Text;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Lockfile: one file, one state. The lockfile is read by a fast reader for the shape packster writes
/// and, for anything else, by the general one; these tests hold that the fast reader takes every file packster writes,
/// reads it as the general reading does, and leaves every other file, and its errors, to the general reading.
/// </summary>
public sealed class LockfileFastReaderTests
{
    [Property]
    public bool Every_written_lockfile_is_taken_by_the_fast_reader_and_read_as_the_general_reading_reads_it(int seed, string text)
    {
        if (!LockfilePropertyTests.IsWellFormed(text)) return true;
        var bytes = Lockfile.Serialize(LockfilePropertyTests.RandomState(seed, text));
        var fast = LockfileFastReader.TryRead(bytes);
        return fast is not null
            && Lockfile.Serialize(fast).AsSpan().SequenceEqual(bytes)
            && Lockfile.Serialize(Lockfile.ParseGeneral(bytes, "prop.json")).AsSpan().SequenceEqual(bytes);
    }

    [Fact]
    public void Signer_dependency_bundle_and_escaped_parameters_are_read_alike()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        var package = LocationTestBed.Package("hello", "1.2.0-rc.1");
        var entry = new DeploymentEntry(package, LocationTestBed.Hash("x"), new JsonObject { ["q"] = "\"<é>\"\n", ["n"] = new JsonArray(null, 1.5) })
        {
            Signer = "0123456789abcdef",
            Dependency = true,
            Active = true,
            InstalledAt = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero),
        };
        entry.Claims.Add("shim:hello");
        state.Deployments.Add(entry);
        state.Bundle[package.Id] = new BundleRequirement(package.Id, "^1.2", new JsonObject { ["k"] = "v" }) { Resolved = new ResolvedRequirement(package, entry.Hash) };
        var bytes = Lockfile.Serialize(state);

        var fast = LockfileFastReader.TryRead(bytes);

        Assert.NotNull(fast);
        Assert.Equal(bytes, Lockfile.Serialize(fast));
        var read = Assert.Single(fast.Deployments);
        Assert.Equal(("0123456789abcdef", true, true), (read.Signer, read.Dependency, read.Active));
        Assert.Equal("\"<é>\"\n", (string)read.Parameters["q"]!);
    }

    /// <summary>
    /// § Reading and writing a large lockfile: deployments of one package, which follow each other in the file, share its name as read; a
    /// neighbour of the same id and version but another package digest, or of another version, gets its own.
    /// </summary>
    [Fact]
    public void Neighbours_share_a_package_name_only_when_it_is_the_same_package()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        (PackageFileName Package, string Seed)[] rows =
        [
            (LocationTestBed.Package("hello", "1.0.0", 'a'), "one"),
            (LocationTestBed.Package("hello", "1.0.0", 'a'), "two"),
            (LocationTestBed.Package("hello", "1.0.0", 'b'), "three"),
            (LocationTestBed.Package("hello", "1.1.0", 'b'), "four"),
            (LocationTestBed.Package("hello-tools", "1.1.0", 'b'), "five"),
        ];
        foreach (var (package, seed) in rows) state.Deployments.Add(new DeploymentEntry(package, LocationTestBed.Hash(seed), new JsonObject { ["seed"] = seed }));
        var bytes = Lockfile.Serialize(state);

        var fast = LockfileFastReader.TryRead(bytes);

        Assert.NotNull(fast);
        Assert.Equal(bytes, Lockfile.Serialize(fast));
        var read = rows.Select(r => fast.Deployments.Single(d => (string)d.Parameters["seed"]! == r.Seed).Package).ToList();
        Assert.Equal(rows.Select(r => r.Package.FileName), read.Select(p => p.FileName));
        Assert.Same(read[0], read[1]);
        Assert.Equal(4, read.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    /// <summary>
    /// § Reading and writing a large lockfile: parameters nobody asked for are written back from what was read; once
    /// asked for they are an object like any other, and what is changed in it is what is written.
    /// </summary>
    [Fact]
    public void Parameters_changed_after_reading_are_written_as_changed()
    {
        var bytes = Lockfile.Serialize(OneDeployment());
        var state = LockfileFastReader.TryRead(bytes)!;

        state.Deployments[0].Parameters["port"] = 9090;
        state.Deployments[0].Parameters["a"] = new JsonObject { ["z"] = 1, ["b"] = 2 };

        var written = Encoding.UTF8.GetString(Lockfile.Serialize(state));
        Assert.Contains("\"parameters\": {\n        \"a\": {\n          \"b\": 2,\n          \"z\": 1\n        },\n        \"port\": 9090\n      }", written, StringComparison.Ordinal);
    }

    /// <summary>§ Lockfile: parameter keys are written sorted, also when a hand-edited file has them in another order (or nested).</summary>
    [Fact]
    public void Parameters_read_unsorted_are_written_sorted()
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var edited = canonical.Replace("\"port\": 8080", "\"port\": 8080, \"nested\": {\"y\": [ {\"d\": 1, \"c\": 2} ], \"x\": null}, \"alpha\": \"a\"", StringComparison.Ordinal);
        Assert.NotEqual(canonical, edited);
        var state = LockfileFastReader.TryRead(Encoding.UTF8.GetBytes(edited));
        Assert.NotNull(state);
        var expected = new DeploymentEntry(state.Deployments[0].Package, state.Deployments[0].Hash,
            new JsonObject { ["port"] = 8080, ["nested"] = new JsonObject { ["y"] = new JsonArray(new JsonObject { ["d"] = 1, ["c"] = 2 }), ["x"] = null }, ["alpha"] = "a" })
        {
            InstalledAt = state.Deployments[0].InstalledAt,
        };
        var reference = new LocationState(state.LocationId);
        reference.Deployments.Add(expected);

        var written = Encoding.UTF8.GetString(Lockfile.Serialize(state));

        Assert.Equal(Encoding.UTF8.GetString(Lockfile.Serialize(reference)), written);
        Assert.True(written.IndexOf("\"alpha\"", StringComparison.Ordinal) < written.IndexOf("\"nested\"", StringComparison.Ordinal));
        Assert.True(written.IndexOf("\"c\": 2", StringComparison.Ordinal) < written.IndexOf("\"d\": 1", StringComparison.Ordinal));
    }

    /// <summary>
    /// § Lockfile: parameters nobody asked for are written straight from the value read; names and strings that are not
    /// plain ASCII (escaped in the file, or not) come out as the object made of them writes them, order included.
    /// </summary>
    [Theory]
    [InlineData("\"port\": 8080, \"z\u00e9\": \"caf\u00e9\", \"zz\": \"<&>\"")]
    [InlineData("\"port\": 8080, \"é\": {\"b\": \"\\\"q\\\"\", \"a\": 1}")]
    [InlineData("\"\\u0041\": 1, \"port\": 8080, \"\u00ff\": [\"\\ud83d\\ude00\"]")]
    [InlineData("\"port\": 8080, \"\\uE000\": 1, \"\\ud83d\\ude00\": 2")]
    public void Parameters_with_escaped_or_non_ascii_text_are_written_as_their_object_writes_them(string parameters)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var edited = canonical.Replace("\"port\": 8080", parameters, StringComparison.Ordinal);
        var state = LockfileFastReader.TryRead(Encoding.UTF8.GetBytes(edited));
        Assert.NotNull(state);
        Assert.NotNull(state.Deployments[0].UntouchedParameters);
        var reference = LockfileFastReader.TryRead(Encoding.UTF8.GetBytes(edited))!;
        // Asking for the object means it may have changed: it is written from the object.
        Assert.NotNull(reference.Deployments[0].Parameters);
        Assert.Null(reference.Deployments[0].UntouchedParameters);

        Assert.Equal(Encoding.UTF8.GetString(Lockfile.Serialize(reference)), Encoding.UTF8.GetString(Lockfile.Serialize(state)));
    }

    /// <summary>
    /// § Compatibility: parameters in which an object names a member twice (however the name is written), or by a name
    /// that does not decode, or that are not an object, are PST5002 naming the object's JSON path and the name. The
    /// fast reading gives such a file up; the general reading judges it. A lockfile whose active deployment named
    /// <c>port</c> twice made every command fail with PST0001 (an object of the parameters refused the second name).
    /// </summary>
    [Theory]
    [InlineData("{\"port\": 8080, \"port\": 9090}", "$.deployments[0].parameters: names 'port' twice")]
    [InlineData("{\"port\": 8080, \"p\\u006frt\": 9090}", "$.deployments[0].parameters: names 'port' twice")]
    [InlineData("{\"tls\": {\"key\": 1, \"cert\": 2, \"key\": 3}, \"port\": 8080}", "$.deployments[0].parameters.tls: names 'key' twice")]
    [InlineData("{\"hosts\": [1, {\"b\": 1}, {\"b\": 1, \"a\": 2, \"b\": 3}]}", "$.deployments[0].parameters.hosts[2]: names 'b' twice")]
    [InlineData("{\"port\": 8080, \"\\ud800\": 1}", "$.deployments[0].parameters: a name holds a lone surrogate")]
    [InlineData("\"8080\"", "$.deployments[0].parameters: expected an object, found string")]
    public void Parameters_that_name_a_member_twice_are_refused_with_their_path(string parameters, string expected)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace("{\n        \"port\": 8080\n      }", parameters, StringComparison.Ordinal));
        Assert.NotEqual(canonical, Encoding.UTF8.GetString(bytes));

        Assert.Null(LockfileFastReader.TryRead(bytes));
        Assert.StartsWith($"{ErrorCode.LockfileUnreadable}: twice.json: {expected}", Outcome(() => Lockfile.Parse(bytes, "twice.json")), StringComparison.Ordinal);
    }

    /// <summary>
    /// spec/errors.md PST5002: what a hand edit broke is said in words — an unknown field by its name, a value of another
    /// type as such — never with .NET's type and member names (<c>Packster.Locations.LockfileDto</c>) or its positions.
    /// </summary>
    [Theory]
    [InlineData("\"schema\": 1,", "\"schema\": 1,\n  \"extra\": 1,", "unknown field 'extra'")]
    [InlineData("\"pinned\": false,", "\"pinned\": \"no\",", "a value of the wrong type")]
    public void What_a_hand_edit_broke_is_said_without_dotnet_names(string field, string edited, string expected)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        Assert.Contains(field, canonical, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace(field, edited, StringComparison.Ordinal));
        var outcome = Outcome(() => Lockfile.Parse(bytes, "edited.json"));
        Assert.StartsWith($"{ErrorCode.LockfileUnreadable}: edited.json: invalid JSON at line ", outcome, StringComparison.Ordinal);
        Assert.EndsWith(expected, outcome, StringComparison.Ordinal);
        Assert.DoesNotContain(".NET", outcome, StringComparison.Ordinal);
        Assert.DoesNotContain("Packster.", outcome, StringComparison.Ordinal);
    }

    /// <summary>§ Compatibility: a deployment's own field given twice is PST5002 too, not the last value taken.</summary>
    [Theory]
    [InlineData("\"active\": false,", "\"active\": false,\n      \"active\": true,", "$.deployments[0]: names 'active' twice")]
    [InlineData("\"pinned\": false,", "\"pinned\": false,\n      \"p\\u0069nned\": false,", "$.deployments[0]: names 'pinned' twice")]
    public void A_field_of_a_deployment_given_twice_is_refused_with_its_path(string field, string twice, string expected)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace(field, twice, StringComparison.Ordinal));
        Assert.NotEqual(canonical, Encoding.UTF8.GetString(bytes));

        Assert.Null(LockfileFastReader.TryRead(bytes));
        Assert.StartsWith($"{ErrorCode.LockfileUnreadable}: twice.json: {expected}", Outcome(() => Lockfile.Parse(bytes, "twice.json")), StringComparison.Ordinal);
    }

    /// <summary>
    /// § Lockfile: a string without text (a lone surrogate, which a deployment that is not active may hold) is written
    /// back as its escapes were read, also where the parameters are written sorted anew or were changed.
    /// </summary>
    [Theory]
    [InlineData("{\"port\": 8080, \"a\": \"x\\ud800y\"}", "\"parameters\": {\n        \"a\": \"x\\ud800y\",\n        \"port\": 8080\n      }")]
    [InlineData("{\"a\": [\"\\udc00\", {\"z\": 1, \"b\": \"\\ud800\"}]}", "\"a\": [\n          \"\\udc00\",\n          {\n            \"b\": \"\\ud800\",\n            \"z\": 1\n          }\n        ]")]
    public void A_string_without_text_is_written_as_it_was_read(string parameters, string written)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace("{\n        \"port\": 8080\n      }", parameters, StringComparison.Ordinal));

        foreach (var state in new[] { LockfileFastReader.TryRead(bytes)!, Lockfile.ParseGeneral(bytes, "lone.json") })
        {
            Assert.Contains(written, Encoding.UTF8.GetString(Lockfile.Serialize(state)), StringComparison.Ordinal);
            state.Deployments[0].Parameters["added"] = 1;
            Assert.Contains("\"added\": 1", Encoding.UTF8.GetString(Lockfile.Serialize(state)), StringComparison.Ordinal);
        }
    }

    /// <summary>The same names in other orders, escaped or not, are one meaning each: read, by the fast reading too.</summary>
    [Theory]
    [InlineData("{\"port\": 8080, \"a\": {\"y\": 1, \"x\": [{\"q\": 1, \"p\": 2}]}}")]
    [InlineData("{\"p\\u006frt\": 8080, \"pors\": 1}")]
    [InlineData("{\"b\": {\"x\": 1}, \"a\": {\"x\": 1}}")]
    public void Parameters_unsorted_or_escaped_but_named_once_are_read(string parameters)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace("{\n        \"port\": 8080\n      }", parameters, StringComparison.Ordinal));

        var fast = LockfileFastReader.TryRead(bytes);

        Assert.NotNull(fast);
        Assert.Equal(Outcome(() => Lockfile.ParseGeneral(bytes, "once.json")), Outcome(() => fast));
    }

    /// <summary>A name twice in one entry of a large lockfile: the reading on every core gives up too, and the file is the general reading's PST5002.</summary>
    [Fact]
    public void A_parameter_named_twice_in_a_piece_is_the_general_readings_error()
    {
        var text = Encoding.UTF8.GetString(Lockfile.Serialize(Many(12)));
        var bytes = Encoding.UTF8.GetBytes(text.Replace("\"n\": 109,", "\"n\": 109,\n        \"n\": 110,", StringComparison.Ordinal));
        Assert.NotEqual(text, Encoding.UTF8.GetString(bytes));
        Assert.NotNull(LockfileFastReader.TryReadSplit(Encoding.UTF8.GetBytes(text), null, 4));

        Assert.Null(LockfileFastReader.TryReadSplit(bytes, null, 4));
        Assert.Contains(".parameters: names 'n' twice", Outcome(() => Lockfile.Parse(bytes, "twice.json")), StringComparison.Ordinal);
    }

    /// <summary>Files packster does not write: the fast reader gives up on each, and reading it is exactly the general reading.</summary>
    [Theory]
    [InlineData("\"active\": false,", "", "a missing boolean (read as false)")]
    [InlineData("\"claims\": []", "\"claims\": [],\n      \"extra\": 1", "an unknown property")]
    [InlineData("\"active\": false,", "\"active\": false,\n      \"active\": true,", "a repeated property")]
    [InlineData("\"pinned\": false,", "\"pinned\": null,", "a null boolean")]
    [InlineData("\"path\": \"deployments/", "\"path\": \"deployments\\u002F", "an escaped path")]
    [InlineData("\"path\": \"deployments/", "\"path\": \"deployment/", "a path that is not the deployment's")]
    [InlineData("\"version\": \"1.0.0\"", "\"version\": \"1.0\"", "a version that is not SemVer")]
    [InlineData("\"installedAt\": \"2026-01-31T12:00:00Z\"", "\"installedAt\": \"2026-01-31 12:00\"", "a time in another format")]
    [InlineData("\"parameters\": {", "\"parameters\": null, \"x\": {", "null parameters")]
    [InlineData("\"owners\": {}", "\"owners\": {\"shim:a\": 1}", "an owner that is not a hash")]
    [InlineData("\"bundle\": {}", "\"bundle\": {\"hello\": {}}", "a bundle requirement without a range")]
    [InlineData("}\n", "} 1\n", "something after the object")]
    public void Anything_else_is_left_to_the_general_reading(string find, string replace, string what)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        Assert.Contains(find, canonical, StringComparison.Ordinal);
        var cut = canonical.LastIndexOf(find, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(canonical[..cut] + replace + canonical[(cut + find.Length)..]);

        Assert.True(LockfileFastReader.TryRead(bytes) is null, what);
        var general = Outcome(() => Lockfile.ParseGeneral(bytes, "edited.json"));
        Assert.Equal(general, Outcome(() => Lockfile.Parse(bytes, "edited.json")));
    }

    /// <summary>
    /// § Reading and writing a large lockfile: parameters read from a file are parsed when first asked for, but read
    /// through at once: a file whose parameters are not well-formed JSON is left to the general reading, as before.
    /// </summary>
    [Theory]
    [InlineData("\"port\": 8080", "\"port\": 80 80")]
    [InlineData("\"port\": 8080", "\"port\": [8080}")]
    [InlineData("\"port\": 8080", "\"port\": 8080,")]
    public void Parameters_parsed_later_are_read_through_now(string find, string replace)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        Assert.Contains(find, canonical, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace(find, replace, StringComparison.Ordinal));

        Assert.Null(LockfileFastReader.TryRead(bytes, bytes, null));
        var general = Outcome(() => Lockfile.ParseGeneral(bytes, "edited.json"));
        Assert.StartsWith($"{ErrorCode.LockfileUnreadable}: ", general, StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"packster-lazy-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllBytes(path, bytes);
            Assert.Equal(general.Replace("edited.json", path, StringComparison.Ordinal), Outcome(() => Lockfile.Read(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(MaxTest = 100)]
    public bool Parameters_parsed_when_asked_for_are_the_ones_read_at_once(int seed, string text)
    {
        if (!LockfilePropertyTests.IsWellFormed(text)) return true;
        var bytes = Lockfile.Serialize(LockfilePropertyTests.RandomState(seed, text));
        var later = LockfileFastReader.TryRead(bytes, bytes, null);
        var now = LockfileFastReader.TryRead(bytes);
        return later is not null && now is not null
            && Lockfile.Serialize(later).AsSpan().SequenceEqual(bytes)
            && later.Deployments.Select(d => d.Parameters.ToJsonString()).SequenceEqual(now.Deployments.Select(d => d.Parameters.ToJsonString()));
    }

    /// <summary>§ Reading: an <c>installedAt</c> read digit by digit is exactly the general parse's, on every text of its shape.</summary>
    [Property(MaxTest = 2000)]
    public bool A_time_read_digit_by_digit_is_the_general_parse(int seed)
    {
        var random = new Random(seed);
        var text = $"{random.Next(0, 10000):D4}-{random.Next(0, 14):D2}-{random.Next(0, 33):D2}T{random.Next(0, 26):D2}:{random.Next(0, 62):D2}:{random.Next(0, 62):D2}Z";
        var fast = LockfileFastReader.ParseUtcTime(Encoding.ASCII.GetBytes(text));
        var general = DateTimeOffset.TryParseExact(text, Lockfile.TimeFormat, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null;
        return fast == general && (fast is null || fast.Value.Offset == general!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-02-28T23:59:59Z", true)]
    [InlineData("2024-02-29T00:00:00Z", true)]
    [InlineData("2026-02-29T00:00:00Z", false)]
    [InlineData("2026-12-05T24:00:00Z", false)]
    [InlineData("2026-12-05T12:00:00+00:00", false)]
    [InlineData("2026-12-5T12:00:00Z", false)]
    public void A_time_read_digit_by_digit_takes_only_real_times(string text, bool taken) =>
        Assert.Equal(taken, LockfileFastReader.ParseUtcTime(Encoding.ASCII.GetBytes(text)) is not null);

    /// <summary>
    /// § Reading and writing a large lockfile: a file read in pieces on every core is read exactly as on one thread —
    /// the same state, the same bytes written back, each entry where it lies and copied back from there alike.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool A_lockfile_read_in_pieces_is_read_as_on_one_thread(int seed, string text, byte pieces)
    {
        if (!LockfilePropertyTests.IsWellFormed(text)) return true;
        var bytes = Lockfile.Serialize(LockfilePropertyTests.RandomState(seed, text));
        var (whole, wholeLayout) = (new LockfileLayout(bytes), new LockfileLayout(bytes));
        var one = LockfileFastReader.TryReadWhole(bytes, bytes, whole);
        var split = LockfileFastReader.TryReadSplit(bytes, wholeLayout, 2 + (pieces % 6));
        if (one is null) return false;
        // An empty array is written "[]": there is nothing to cut, and the caller reads the file on one thread.
        if (one.Deployments.Count == 0) return split is null;
        return split is not null
            && Lockfile.Serialize(split).AsSpan().SequenceEqual(bytes)
            && Same(whole, wholeLayout)
            && one.Deployments.Select(d => d.RangeAsRead(bytes)).SequenceEqual(split.Deployments.Select(d => d.RangeAsRead(bytes)))
            && one.Deployments.Select(d => d.Parameters.ToJsonString()).SequenceEqual(split.Deployments.Select(d => d.Parameters.ToJsonString()));

        static bool Same(LockfileLayout a, LockfileLayout b) =>
            a.Complete == b.Complete && a.Bundle.Equals(b.Bundle) && a.Entries.Count == b.Entries.Count
            && a.Entries.All(e => b.Entries.TryGetValue(e.Key, out var at) && at.Equals(e.Value));
    }

    /// <summary>
    /// § Reading and writing a large lockfile, **Entries as written**: every entry of every file packster writes is read
    /// by matching its lines, to its last byte, and is the entry the JSON reading of it reads.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool Every_entry_packster_writes_is_read_as_written(int seed, string text)
    {
        if (!LockfilePropertyTests.IsWellFormed(text)) return true;
        var state = LockfilePropertyTests.RandomState(seed, text);
        foreach (var d in state.Deployments.Take(3)) d.Dependency = seed % 2 == 0;
        foreach (var d in state.Deployments.Skip(1).Take(2)) d.Signer = "0123456789abcdef";
        var bytes = Lockfile.Serialize(state);
        var layout = new LockfileLayout(bytes);
        var read = LockfileFastReader.TryReadWhole(bytes, bytes, layout);
        if (read is null) return false;
        var versions = new Dictionary<string, PackageVersion>(StringComparer.Ordinal);
        PackageFileName? last = null;
        foreach (var d in read.Deployments)
        {
            var at = layout.Entries[d.Hash];
            if (!LockfileFastReader.TryReadAsWritten(bytes, at.Start.Value, bytes.Length, versions, last, out var entry, out var next) || next != at.End.Value) return false;
            var alone = new LocationState(read.LocationId);
            alone.Deployments.Add(entry);
            var reference = new LocationState(read.LocationId);
            reference.Deployments.Add(d);
            if (!Lockfile.Serialize(alone).AsSpan().SequenceEqual(Lockfile.Serialize(reference))) return false;
            last = entry.Package;
        }
        return true;
    }

    /// <summary>
    /// § Entries as written: reading entries by their lines is only a faster way to the same result. Files packster
    /// wrote, then changed a byte or a few at random (the bytes that matter to JSON, to the layout and to the values):
    /// read in pieces with and without the matching of lines, the outcome is the same — both give up, or both read the
    /// same state, each entry from the same bytes, with the same parameters.
    /// </summary>
    [Property(MaxTest = 2000)]
    public bool A_changed_file_reads_the_same_with_or_without_matching_lines(int seed)
    {
        var random = new Random(seed);
        var bytes = Lockfile.Serialize(Varied(6 + random.Next(6))).ToList();
        ReadOnlySpan<byte> alphabet = "\"\\ \n\t,:{}[]0123456789abcdefxtrueflsn-.+eEu/"u8;
        var quotes = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] == '"').ToArray();
        for (var edits = 1 + random.Next(3); edits > 0; edits--)
        {
            // Half the edits next to a quote, where texts and names start and end.
            var at = random.Next(2) == 0 ? random.Next(bytes.Count) : Math.Clamp(quotes[random.Next(quotes.Length)] + random.Next(-2, 3), 0, bytes.Count - 1);
            var b = random.Next(10) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            switch (random.Next(3))
            {
                case 0: bytes[at] = b; break;
                case 1: bytes.Insert(at, b); break;
                default: bytes.RemoveAt(at); break;
            }
        }
        var file = bytes.ToArray();
        var pieces = 2 + random.Next(4);
        var (asWrittenLayout, jsonLayout) = (new LockfileLayout(file), new LockfileLayout(file));
        var asWritten = LockfileFastReader.TryReadSplit(file, asWrittenLayout, pieces);
        var json = LockfileFastReader.TryReadSplit(file, jsonLayout, pieces, asWritten: false);
        if (asWritten is null || json is null) return asWritten is null && json is null;
        return Lockfile.Serialize(asWritten).AsSpan().SequenceEqual(Lockfile.Serialize(json))
            && asWritten.Deployments.Select(d => d.RangeAsRead(file)).SequenceEqual(json.Deployments.Select(d => d.RangeAsRead(file)))
            && asWritten.Deployments.Select(d => d.Parameters.ToJsonString()).SequenceEqual(json.Deployments.Select(d => d.Parameters.ToJsonString()))
            && asWrittenLayout.Entries.Count == jsonLayout.Entries.Count
            && asWrittenLayout.Entries.All(e => jsonLayout.Entries.TryGetValue(e.Key, out var at) && at.Equals(e.Value));
    }

    /// <summary>
    /// § Entries as written: edits the JSON reading reads as another text, value or layout than the bytes show — an escape,
    /// a field packster writes only one way written the other, spacing — read alike with and without matching lines.
    /// </summary>
    [Theory]
    [InlineData("\"env:K/x\"", "\"env:K\\/x\"", "an escaped claim")]
    [InlineData("\"id\": \"p1\"", "\"id\": \"\\u0070\\u0031\"", "an escaped id")]
    [InlineData("\"dependency\": true", "\"dependency\": false", "a dependency written false")]
    [InlineData("\"signer\": \"0123456789abcdef\"", "\"signer\": \"0123456789ABCDEF\"", "a signer in capitals")]
    [InlineData("\"pinned\": false", "\"pinned\":false", "no space after a colon")]
    [InlineData("\"claims\": []", "\"claims\": [ ]", "a space in an empty array")]
    [InlineData("\"installedAt\": \"2026-01-31T12:00:00Z\"", "\"installedAt\": \"2026-01-31T12:00:00+00:00\"", "a time with an offset")]
    [InlineData("\n      \"active\"", "\r\n      \"active\"", "a carriage return")]
    [InlineData("\"version\": \"1.0.0\"", "\"version\": \"1.0.0-rc.1\"", "another version than the package's name")]
    public void Edits_the_lines_do_not_show_read_alike_with_or_without_matching_lines(string find, string replace, string what)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(Varied(8)));
        Assert.Contains(find, canonical, StringComparison.Ordinal);
        var at = canonical.IndexOf(find, canonical.Length / 2, StringComparison.Ordinal);
        if (at < 0) at = canonical.IndexOf(find, StringComparison.Ordinal);
        var file = Encoding.UTF8.GetBytes(canonical[..at] + replace + canonical[(at + find.Length)..]);

        var asWritten = LockfileFastReader.TryReadSplit(file, null, 3);
        var json = LockfileFastReader.TryReadSplit(file, null, 3, asWritten: false);

        Assert.True((asWritten is null) == (json is null), what);
        if (json is not null) Assert.Equal(Encoding.UTF8.GetString(Lockfile.Serialize(json)), Encoding.UTF8.GetString(Lockfile.Serialize(asWritten!)));
        Assert.Equal(Outcome(() => Lockfile.ParseGeneral(file, "edited.json")), Outcome(() => Lockfile.Parse(file, "edited.json")));
    }

    /// <summary><paramref name="count"/> deployments with every optional field packster writes, some set and some not.</summary>
    private static LocationState Varied(int count)
    {
        var state = new LocationState(LocationId.Parse("dev"));
        for (var i = 0; i < count; i++)
        {
            var package = LocationTestBed.Package($"p{i % 3}", i % 4 == 3 ? "2.0.0-rc.1" : "1.0.0");
            var entry = new DeploymentEntry(package, LocationTestBed.Hash($"varied/{i}"), new JsonObject { ["port"] = 8000 + i, ["name"] = $"n{i}" })
            {
                InstalledAt = i % 3 == 2 ? null : new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
                Pinned = i % 2 == 1,
                Signer = i % 2 == 0 ? "0123456789abcdef" : null,
                Dependency = i % 3 == 1,
            };
            if (i % 4 != 3) entry.Claims.Add($"shim:s{i}");
            if (i % 2 == 0) entry.Claims.Add("env:K/x");
            state.Deployments.Add(entry);
        }
        return state;
    }

    /// <summary>A lockfile large enough to be read on every core (more than 64 KiB) reads as it does on one thread.</summary>
    [Fact]
    public void A_large_lockfile_reads_as_on_one_thread()
    {
        var bytes = Lockfile.Serialize(Many(300));
        Assert.True(bytes.Length > 64 * 1024);

        var read = Lockfile.Parse(bytes, "large.json");

        Assert.Equal(300, read.Deployments.Count);
        Assert.Equal(bytes, Lockfile.Serialize(read));
        Assert.NotNull(LockfileFastReader.TryReadSplit(bytes, null, 8));
    }

    /// <summary>
    /// Hand-edited files whose lines look like the cuts between entries in the wrong places: the reading in pieces gives
    /// up (the caller then reads on one thread), or reads what the one-thread reading reads; never anything else.
    /// </summary>
    [Theory]
    [InlineData("\"n\": 1", "\"x\": [\n  ],\n        \"n\": 1", "an array closed at the indent of the deployments' own")]
    [InlineData("\"n\": 1", "\"x\": [{\"a\": 1},\n    {\"b\": 2}],\n        \"n\": 1", "objects in an array one after the other at the indent of entries")]
    [InlineData("\"bundle\": {}", "\"bundle\": {\"p0\": {\"range\": \"*\", \"parameters\": {\n  \"deployments\": [\n    {}\n  ]}}}", "a bundle parameter named and indented as the deployments")]
    [InlineData("\"n\": 1", "\"n\": 1}},{\"x\": {\"y\": 2", "a brace too many")]
    public void A_file_cut_in_the_wrong_places_is_read_as_on_one_thread(string find, string replace, string what)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(Many(12)));
        Assert.Contains(find, canonical, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace(find, replace, StringComparison.Ordinal));

        var one = LockfileFastReader.TryReadWhole(bytes, bytes, null);
        for (var pieces = 2; pieces <= 12; pieces++)
        {
            var split = LockfileFastReader.TryReadSplit(bytes, null, pieces);
            Assert.True(split is null || (one is not null && Lockfile.Serialize(split).AsSpan().SequenceEqual(Lockfile.Serialize(one))), $"{what}, {pieces} pieces");
        }
        Assert.Equal(Outcome(() => Lockfile.ParseGeneral(bytes, "edited.json")), Outcome(() => Lockfile.Parse(bytes, "edited.json")));
    }

    /// <summary>The same deployment hash in two pieces: given up, and the general reading refuses the file with its error.</summary>
    [Fact]
    public void A_hash_listed_twice_across_pieces_is_the_general_readings_error()
    {
        var state = Many(12);
        var bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Lockfile.Serialize(state))
            .Replace(state.Deployments[11].Hash.Hex, state.Deployments[0].Hash.Hex, StringComparison.Ordinal));

        Assert.Null(LockfileFastReader.TryReadSplit(bytes, null, 4));
        var general = Outcome(() => Lockfile.ParseGeneral(bytes, "twice.json"));
        Assert.StartsWith($"{ErrorCode.LockfileUnreadable}: ", general, StringComparison.Ordinal);
        Assert.Equal(general, Outcome(() => Lockfile.Parse(bytes, "twice.json")));
    }

    /// <summary>A piece starts two levels down from the root, and is allowed two levels less: the same nesting is refused either way.</summary>
    [Fact]
    public void Nesting_is_refused_at_the_same_depth_in_pieces()
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(Many(4)));
        var outcomes = new List<bool>();
        for (var depth = 55; depth <= 65; depth++)
        {
            var bytes = Encoding.UTF8.GetBytes(canonical.Replace("\"n\": 1,", $"\"n\": 1, \"deep\": {new string('[', depth)}{new string(']', depth)},", StringComparison.Ordinal));
            var one = LockfileFastReader.TryReadWhole(bytes, bytes, null);
            var split = LockfileFastReader.TryReadSplit(bytes, null, 4);
            Assert.Equal(one is null, split is null);
            outcomes.Add(one is null);
        }
        // Both readings take the shallow ones and refuse the deep ones: the boundary lies inside the range tried.
        Assert.Contains(true, outcomes);
        Assert.Contains(false, outcomes);
    }

    /// <summary>
    /// § Invariants, rule 4: judged on the parameters as read from the file, without an object made of them, exactly as
    /// on the object — the same parameter named, the same reason, nested values left alone.
    /// </summary>
    [Theory]
    [InlineData("\"port\": 8080", null)]
    [InlineData("\"name\": \"a\\u0000b\", \"port\": 8080", "parameter 'name': it holds U+0000")]
    [InlineData("\"name\": \"ok\", \"other\": \"\\ud800\"", "parameter 'other': it holds a lone surrogate U+D800, which has no UTF-8 form")]
    [InlineData("\"nested\": {\"x\": \"\\u0000\"}, \"port\": 8080", null)]
    [InlineData("\"a\": \"\\u0000\", \"b\": \"\\u0000\"", "parameter 'a'")]
    [InlineData("\"a\": \"tab\\t, quote \\\", é and \\ud83d\\ude00 then \\udc00\"", "parameter 'a': it holds a lone surrogate U+DC00")]
    public void An_unusable_parameter_is_found_where_it_lies_as_on_the_object(string parameters, string? expected)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace("\"port\": 8080", parameters, StringComparison.Ordinal));
        var read = LockfileFastReader.TryRead(bytes, bytes, null)!.Deployments[0];
        var made = LockfileFastReader.TryRead(bytes, bytes, null)!.Deployments[0];
        Assert.NotNull(made.Parameters);

        var found = LockfileInvariants.UnusableParameter(read);

        Assert.NotNull(read.UntouchedParameters);
        Assert.Equal(LockfileInvariants.UnusableParameter(made), found);
        if (expected is null) Assert.Null(found);
        else Assert.StartsWith(expected, found, StringComparison.Ordinal);
    }

    /// <summary>§ Invariants, rule 4: an active deployment recording a lone surrogate is a broken lockfile (PST5002) naming it, not a crash.</summary>
    [Fact]
    public void A_lone_surrogate_in_an_active_deployment_is_a_broken_lockfile()
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(OneDeployment()));
        var bytes = Encoding.UTF8.GetBytes(canonical.Replace("\"port\": 8080", "\"port\": \"80\\ud800\"", StringComparison.Ordinal)
            .Replace("\"active\": false", "\"active\": true", StringComparison.Ordinal));

        var outcome = Outcome(() => Lockfile.Parse(bytes, "surrogate.json"));

        Assert.StartsWith($"{ErrorCode.LockfileUnreadable}: ", outcome, StringComparison.Ordinal);
        Assert.Contains("parameter 'port': it holds a lone surrogate U+D800", outcome, StringComparison.Ordinal);
    }

    /// <summary><paramref name="count"/> deployments of two packages, with parameters <c>n</c> (1 for the second) and a text.</summary>
    private static LocationState Many(int count)
    {
        var state = new LocationState(LocationId.Parse("dev"));
        for (var i = 0; i < count; i++)
        {
            var package = LocationTestBed.Package(i % 2 == 0 ? "p0" : "p1", "1.0.0");
            state.Deployments.Add(new DeploymentEntry(package, LocationTestBed.Hash($"many/{i}"),
                new JsonObject { ["n"] = i == 1 ? 1 : i + 100, ["text"] = $"entry {i}, }},\n    {{ not a cut", ["list"] = new JsonArray(1, 2) })
            {
                InstalledAt = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
            });
        }
        return state;
    }

    private static LocationState OneDeployment()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        state.Deployments.Add(new DeploymentEntry(LocationTestBed.Package("hello", "1.0.0"), LocationTestBed.Hash("one"), new JsonObject { ["port"] = 8080 })
        {
            InstalledAt = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
        });
        return state;
    }

    /// <summary>What reading gave: the bytes its state writes, or the error code and message.</summary>
    private static string Outcome(Func<LocationState> read)
    {
        try
        {
            var state = read();
            return "read: " + Encoding.UTF8.GetString(Lockfile.Serialize(state));
        }
        catch (PacksterException e)
        {
            return $"{e.Code}: {e.Message}";
        }
    }
}
