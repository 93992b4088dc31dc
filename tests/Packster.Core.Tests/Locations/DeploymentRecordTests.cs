using System.Text;
using System.Text.Json.Nodes;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § packster-deployment.json and § Verify.</summary>
public sealed class DeploymentRecordTests
{
    private static readonly Dictionary<string, string> Files = new() { ["bin/hello"] = "#!/bin/sh\necho hi\n", ["share/doc.txt"] = "doc" };

    [Fact]
    public void The_record_round_trips_with_sorted_files_and_octal_modes()
    {
        var record = new DeploymentRecord(LocationTestBed.Package("hello", "1.2.0"), LocationTestBed.Hash("d"), new JsonObject { ["b"] = 1, ["a"] = 2 },
            [new DeploymentFile("z", LocationTestBed.Hash("z"), 3, (UnixFileMode)0b111_101_101), new DeploymentFile("a", LocationTestBed.Hash("a"), 1, (UnixFileMode)0b110_100_100)],
            [new DeploymentLink("lib/x.so", "x.so.1")]);
        var bytes = record.Serialize();
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"mode\": \"0755\"", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("\"path\": \"a\"", StringComparison.Ordinal) < text.IndexOf("\"path\": \"z\"", StringComparison.Ordinal));
        Assert.True(text.IndexOf("\"a\": 2", StringComparison.Ordinal) < text.IndexOf("\"b\": 1", StringComparison.Ordinal));

        var back = DeploymentRecord.Parse(bytes, "r.json");
        Assert.Equal(record.Package, back.Package);
        Assert.Equal((UnixFileMode)0b111_101_101, back.Files.Single(f => f.Path == "z").Mode);
        Assert.Equal(bytes, back.Serialize());
    }

    [Fact]
    public void A_record_whose_fields_disagree_with_its_package_is_unreadable()
    {
        var json = Encoding.UTF8.GetString(new DeploymentRecord(LocationTestBed.Package("hello", "1.2.0"), LocationTestBed.Hash("d"), [], [], []).Serialize())
            .Replace("\"version\": \"1.2.0\"", "\"version\": \"9.9.9\"", StringComparison.Ordinal);
        var e = Assert.Throws<PacksterException>(() => DeploymentRecord.Parse(Encoding.UTF8.GetBytes(json), "/d/packster-deployment.json"));
        Assert.Equal(ErrorCode.DeploymentRecordUnreadable, e.Code);
        Assert.StartsWith("/d/packster-deployment.json: ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// § packster-deployment.json: a record "whose <c>files</c> or <c>links</c> hold a <c>null</c> (it was a crash before)"
    /// is PST5011 — also one whose <c>files</c> or <c>links</c> are <c>null</c>, which read as none and verified intact.
    /// </summary>
    [Theory]
    [InlineData("$.files")]
    [InlineData("$.links")]
    [InlineData("$.files[0]")]
    [InlineData("$.links[0]")]
    [InlineData("$.signature")]
    public void A_record_holding_a_null_is_unreadable_naming_where(string path)
    {
        var record = new DeploymentRecord(LocationTestBed.Package("hello", "1.2.0"), LocationTestBed.Hash("d"), [],
            [new DeploymentFile("a", LocationTestBed.Hash("a"), 1, null)], [new DeploymentLink("lib/x.so", "x.so.1")]);
        var edited = JsonNode.Parse(record.Serialize())!;
        if (path.EndsWith("[0]", StringComparison.Ordinal)) edited[path[2..^3]]![0] = null;
        else edited[path[2..]] = null;

        var e = Assert.Throws<PacksterException>(() => DeploymentRecord.Parse(Encoding.UTF8.GetBytes(edited.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })), "/d/packster-deployment.json"));

        Assert.Equal(ErrorCode.DeploymentRecordUnreadable, e.Code);
        Assert.StartsWith($"/d/packster-deployment.json: {path}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untouched_deployment_verifies_intact()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        LocationTestBed.Install(location, "hello", "1.0.0", Files);
        Assert.True(Assert.Single(DeploymentVerifier.Verify(location)).IsIntact);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_record_missing_or_unreadable_is_that_deployments_problem_and_the_others_are_verified(bool truncated)
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var broken = LocationTestBed.Install(location, "broken", "1.0.0", Files);
        var intact = LocationTestBed.Install(location, "intact", "1.0.0", Files);
        var record = Path.Combine(location.DeploymentDirectory(broken.Hash), DeploymentRecord.FileName);
        if (truncated) File.WriteAllText(record, "{");
        else File.Delete(record);

        var results = DeploymentVerifier.Verify(location);
        var problem = Assert.Single(results.Single(r => r.Directory == location.DeploymentDirectory(broken.Hash)).Problems);
        Assert.Equal(truncated ? VerificationProblemKind.Modified : VerificationProblemKind.Missing, problem.Kind);
        Assert.Equal(DeploymentRecord.FileName, problem.Path);
        Assert.DoesNotContain(record, problem.Detail, StringComparison.Ordinal); // the path is the problem's, not repeated in its words
        Assert.Equal(truncated ? "invalid JSON" : "the file does not exist", truncated ? problem.Detail[..12] : problem.Detail);
        Assert.True(results.Single(r => r.Directory == location.DeploymentDirectory(intact.Hash)).IsIntact);
    }

    [Fact]
    public void Verify_reports_modified_missing_extra_and_mode_changes()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        var dir = location.DeploymentDirectory(d.Hash);
        File.WriteAllText(Path.Combine(dir, "bin/hello"), "tampered");
        File.Delete(Path.Combine(dir, "share/doc.txt"));
        File.WriteAllText(Path.Combine(dir, "new.txt"), "added");

        var problems = Assert.Single(DeploymentVerifier.Verify(location)).Problems;
        Assert.Contains(problems, p => p is { Kind: VerificationProblemKind.Modified, Path: "bin/hello" });
        Assert.Contains(problems, p => p is { Kind: VerificationProblemKind.Missing, Path: "share/doc.txt" });
        Assert.Contains(problems, p => p is { Kind: VerificationProblemKind.Extra, Path: "new.txt" });

        if (!OperatingSystem.IsWindows())
        {
            var readme = Path.Combine(dir, "bin/hello");
            File.WriteAllText(readme, Files["bin/hello"]);
            File.SetUnixFileMode(readme, File.GetUnixFileMode(readme) | UnixFileMode.OtherExecute);
            Assert.Contains(DeploymentVerifier.Verify(dir).Problems, p => p is { Kind: VerificationProblemKind.ModeChanged, Path: "bin/hello" });
        }
    }

    // spec/handlers.md § What handlers leave: "`verify` reports such a thing where a file is recorded (`expected a file
    // with sha256 …, found a FIFO (named pipe)`) without opening it, and one that is not recorded as extra". Opening a FIFO for
    // reading waits for a writer, so a verify that opened one would never return; the wait below only bounds that failure.
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Verify_reports_a_fifo_without_opening_it()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        var dir = location.DeploymentDirectory(d.Hash);
        File.Delete(Path.Combine(dir, "share/doc.txt"));
        MakeFifo(Path.Combine(dir, "share/doc.txt"));
        MakeFifo(Path.Combine(dir, "extra.fifo"));

        foreach (var quick in new[] { false, true })
        {
            var problems = await Task.Run(() => Assert.Single(DeploymentVerifier.Verify(location, quick)).Problems)
                .WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Contains(problems, p => p is { Kind: VerificationProblemKind.Modified, Path: "share/doc.txt" } && p.Detail.EndsWith(", found a FIFO (named pipe)", StringComparison.Ordinal));
            Assert.Contains(problems, p => p is { Kind: VerificationProblemKind.Extra, Path: "extra.fifo" });
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    // Files are hashed in parallel; problems still come in record order (files, then links, then extras by path),
    // with the same words whether or not --quick, and the same on every run.
    [Fact]
    public void Problems_come_in_record_order_however_the_files_are_hashed()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var files = Enumerable.Range(0, 200).ToDictionary(i => $"f/{i:D3}.txt", i => new string((char)('a' + (i % 26)), 1 + (i * 997 % 70_000)));
        var d = LocationTestBed.Install(location, "many", "1.0.0", files);
        var dir = location.DeploymentDirectory(d.Hash);
        DeploymentVerifier.Verify(location, quick: true);
        foreach (var i in new[] { 7, 150, 3, 99 }) File.WriteAllText(Path.Combine(dir, $"f/{i:D3}.txt"), new string('#', files[$"f/{i:D3}.txt"].Length));
        foreach (var i in new[] { 120, 42 }) File.Delete(Path.Combine(dir, $"f/{i:D3}.txt"));
        File.WriteAllText(Path.Combine(dir, "f/zz-extra"), "x");
        File.WriteAllText(Path.Combine(dir, "a-extra"), "x");

        var expected = new[]
        {
            (VerificationProblemKind.Modified, "f/003.txt"), (VerificationProblemKind.Modified, "f/007.txt"), (VerificationProblemKind.Missing, "f/042.txt"),
            (VerificationProblemKind.Modified, "f/099.txt"), (VerificationProblemKind.Missing, "f/120.txt"), (VerificationProblemKind.Modified, "f/150.txt"),
            (VerificationProblemKind.Extra, "a-extra"), (VerificationProblemKind.Extra, "f/zz-extra"),
        };
        var full = Assert.Single(DeploymentVerifier.Verify(location)).Problems;
        Assert.Equal(expected, full.Select(p => (p.Kind, p.Path)));
        Assert.Equal(full, Assert.Single(DeploymentVerifier.Verify(location)).Problems);
        Assert.Equal(full, Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Problems);
        var size = files["f/003.txt"].Length;
        Assert.Equal($"expected sha256 {LocationTestBed.Hash(files["f/003.txt"])} ({size} bytes), found {LocationTestBed.Hash(new string('#', size))} ({size} bytes)",
            full[0].Detail);
    }

    [Fact]
    public void Scan_records_symbolic_links_by_target_without_following_them()
    {
        if (OperatingSystem.IsWindows()) return; // creating symlinks needs developer mode there
        using var bed = new LocationTestBed();
        var dir = bed["d"];
        Directory.CreateDirectory(Path.Combine(dir, "lib"));
        File.WriteAllText(Path.Combine(dir, "lib/x.so.1"), "elf");
        File.CreateSymbolicLink(Path.Combine(dir, "lib/x.so"), "x.so.1");
        Directory.CreateSymbolicLink(Path.Combine(dir, "alias"), "lib");

        var (files, links) = DeploymentRecord.Scan(dir);
        Assert.Equal(["lib/x.so.1"], files.Select(f => f.Path));
        Assert.Equal([("alias", "lib"), ("lib/x.so", "x.so.1")], links.Select(l => (l.Path, l.Target)));
    }
}
