using System.Security.Cryptography;
using System.Text.Json;
using Json.Schema;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/bom.md: <c>packster sbom</c> through the real executable, validated against the official CycloneDX 1.6 and
/// SPDX 2.3 JSON schemas read from <c>../shared/schemas</c>.
/// </summary>
public sealed class SbomTests : IDisposable
{
    private readonly LocationFixture _f = new();
    private readonly Dictionary<string, JsonElement> _installed = [];

    public SbomTests()
    {
        _installed["hello"] = _f.InstallJson(_f.PackSample("hello"));
        _installed["motd"] = _f.InstallJson(_f.PackSample("motd"));
        _f.InstallJson(_f.Pack(Tool("1.0.0")));
        _installed["tool"] = _f.InstallJson(_f.Pack(Tool("2.0.0")));
    }

    public void Dispose() => _f.Dispose();

    private string Tool(string version)
    {
        var dir = _f.Temp[$"tool-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "tool"), $"#!/bin/sh\necho tool {version}\n");
        File.WriteAllText(Path.Combine(dir, "share.txt"), "data\n");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"""
            id = "tool"
            version = "{version}"
            description = "A tool with a dual licence"
            license = "Apache-2.0 OR MIT"
            homepage = "https://example.org/tool"

            [shims]
            tool = "bin/tool"

            [dependencies]
            hello = "^1.0"
            """);
        return dir;
    }

    private static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    // spec/bom.md § CycloneDX: one component per active deployment, the package's SHA-256, the licence expression,
    // each file with its SHA-256, and the manifest's dependencies between the components; the document is valid CycloneDX 1.6.
    [SchemaFact]
    public void Cyclonedx_describes_the_active_set_and_is_valid_cyclonedx_1_6()
    {
        var before = _f.Snapshot();
        var text = _f.Packster.Ok("sbom", "--location", "dev", "--format", "cyclonedx");
        Assert.Equal(before, _f.Snapshot());
        AssertValid(SchemaFactAttribute.CycloneDx.Value, text);
        // The schema is really applied: an unknown hash algorithm is refused by it.
        Assert.False(IsValid(SchemaFactAttribute.CycloneDx.Value, text.Replace("\"SHA-256\"", "\"SHA-999\"", StringComparison.Ordinal)));

        using var doc = JsonDocument.Parse(text);
        var components = doc.RootElement.GetProperty("components").EnumerateArray().ToList();
        // Sorted by id; tool 1.0.0 is on disk but inactive, so not described.
        Assert.Equal(["hello", "motd", "tool"], components.Select(c => c.GetProperty("name").GetString()));
        var tool = components[2];
        Assert.Equal("2.0.0", tool.GetProperty("version").GetString());
        var package = _installed["tool"].GetProperty("package").GetString()!;
        var sha = package[^(64 + ".packster".Length)..^".packster".Length];
        Assert.Equal(sha, tool.GetProperty("hashes")[0].GetProperty("content").GetString());
        Assert.Equal($"pkg:generic/tool@2.0.0?checksum=sha256:{sha}", tool.GetProperty("purl").GetString());
        Assert.Equal("Apache-2.0 OR MIT", tool.GetProperty("licenses")[0].GetProperty("expression").GetString());
        Assert.Equal("MIT", components[1].GetProperty("licenses")[0].GetProperty("expression").GetString());

        var deployment = _installed["tool"].GetProperty("path").GetString()!;
        var files = FileHashes(tool);
        Assert.Equal(Sha256Of(Path.Combine(deployment, "bin", "tool")), files["bin/tool"]);
        Assert.Equal(Sha256Of(Path.Combine(deployment, "share.txt")), files["share.txt"]);

        var dependencies = doc.RootElement.GetProperty("dependencies").EnumerateArray()
            .ToDictionary(d => d.GetProperty("ref").GetString()!, d => d.GetProperty("dependsOn").EnumerateArray().Select(x => x.GetString()).ToList());
        Assert.Equal([components[0].GetProperty("bom-ref").GetString()], dependencies[tool.GetProperty("bom-ref").GetString()!]);
        Assert.Empty(dependencies[components[1].GetProperty("bom-ref").GetString()!]);
    }

    // spec/bom.md § SPDX: one package per active deployment with its SHA-256, declared licence and purl; DESCRIBES and
    // DEPENDS_ON relationships; the document is valid SPDX 2.3.
    [SchemaFact]
    public void Spdx_describes_the_active_set_and_is_valid_spdx_2_3()
    {
        var text = _f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx");
        AssertValid(SchemaFactAttribute.Spdx.Value, text);
        Assert.False(IsValid(SchemaFactAttribute.Spdx.Value, text.Replace("\"DEPENDS_ON\"", "\"NEEDS\"", StringComparison.Ordinal)));

        using var doc = JsonDocument.Parse(text);
        var packages = doc.RootElement.GetProperty("packages").EnumerateArray().ToList();
        Assert.Equal(["hello", "motd", "tool"], packages.Select(p => p.GetProperty("name").GetString()));
        var tool = packages[2];
        Assert.Equal("Apache-2.0 OR MIT", tool.GetProperty("licenseDeclared").GetString());
        Assert.Equal("MIT", packages[1].GetProperty("licenseDeclared").GetString());
        var relationships = doc.RootElement.GetProperty("relationships").EnumerateArray()
            .Select(r => (r.GetProperty("spdxElementId").GetString(), r.GetProperty("relationshipType").GetString(), r.GetProperty("relatedSpdxElement").GetString()))
            .ToList();
        Assert.Contains((tool.GetProperty("SPDXID").GetString(), "DEPENDS_ON", packages[0].GetProperty("SPDXID").GetString()), relationships);
        Assert.Equal(3, relationships.Count(r => r.Item2 == "DESCRIBES"));
    }

    // spec/bom.md § SPDX 2.3: "`SPDXRef-DOCUMENT DESCRIBES <package>` for each package, in package order; after all of
    // them, `<package> DEPENDS_ON <package>`". Before, a package's DEPENDS_ON followed its own DESCRIBES, so one that
    // sorts first (alpha) put its dependency between the DESCRIBES entries.
    [Fact]
    public void Spdx_relationships_list_every_DESCRIBES_before_the_DEPENDS_ON()
    {
        var dir = _f.Temp["alpha"];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "readme.txt"), "alpha");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), "id = \"alpha\"\nversion = \"1.0.0\"\n\n[dependencies]\nhello = \"^1.0\"\n");
        _f.InstallJson(_f.Pack(dir));
        using var doc = JsonDocument.Parse(_f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx"));
        var relationships = doc.RootElement.GetProperty("relationships").EnumerateArray()
            .Select(r => $"{r.GetProperty("spdxElementId").GetString()} {r.GetProperty("relationshipType").GetString()} {r.GetProperty("relatedSpdxElement").GetString()}")
            .ToList();
        Assert.Equal(
        [
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-1-alpha",
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-2-hello",
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-3-motd",
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-4-tool",
            "SPDXRef-Package-1-alpha DEPENDS_ON SPDXRef-Package-2-hello",
            "SPDXRef-Package-4-tool DEPENDS_ON SPDXRef-Package-2-hello",
        ], relationships);
    }

    // spec/bom.md § SPDX, after SPDX 2.3 clause 10: "every `LicenseRef-` a `licenseDeclared` uses is defined once in
    // `hasExtractedLicensingInfos` (`licenseId`, `name`, `extractedText`, `comment`), sorted by `licenseId`".
    [SchemaFact]
    public void Spdx_defines_every_LicenseRef_it_uses_once()
    {
        foreach (var (id, license) in new[] { ("vendor", "LicenseRef-Proprietary"), ("corp", "(MIT OR LicenseRef-Corp-EULA) AND LicenseRef-Proprietary") })
        {
            var dir = _f.Temp[id];
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "readme.txt"), id);
            File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"1.0.0\"\nlicense = \"{license}\"\n");
            _f.InstallJson(_f.Pack(dir));
        }
        var text = _f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx");
        AssertValid(SchemaFactAttribute.Spdx.Value, text);

        using var doc = JsonDocument.Parse(text);
        var defined = doc.RootElement.GetProperty("hasExtractedLicensingInfos").EnumerateArray().ToList();
        var ids = defined.Select(d => d.GetProperty("licenseId").GetString()!).ToList();
        Assert.Equal(["LicenseRef-Corp-EULA", "LicenseRef-Proprietary"], ids);
        // Every LicenseRef- anywhere in the document is one of them (the definitions name only themselves).
        var used = System.Text.RegularExpressions.Regex.Matches(text, "LicenseRef-[A-Za-z0-9.-]+").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(ids, used);
        var proprietary = defined[1];
        Assert.Equal("Proprietary", proprietary.GetProperty("name").GetString());
        Assert.False(string.IsNullOrWhiteSpace(proprietary.GetProperty("extractedText").GetString()));
        Assert.Equal("declared by corp 1.0.0, vendor 1.0.0", proprietary.GetProperty("comment").GetString());
        Assert.Equal(text, _f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx"));
    }

    // spec/bom.md: "A homepage is written as an absolute URL in its escaped form (`%20` for a space, `%3C` for `<`), as
    // the manifest gave it or escaped where the manifest did not". Uri.ToString() unescapes, which gave a URL with a
    // space and a quote in it.
    [Fact]
    public void A_homepage_is_written_escaped_in_both_formats()
    {
        // In the TOML text of "back", \\ is the escape of one backslash.
        foreach (var (id, homepage) in new[]
        {
            ("escaped", "https://example.org/a%20b/%3Cx%3E?q=%22"), ("raw", "https://example.org/a b?c=<f>"),
            ("back", "https://e.org/a\\\\b^c"), ("kept", "https://e.org/%41%2f"),
        })
        {
            var dir = _f.Temp[id];
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "readme.txt"), id);
            File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"1.0.0\"\nhomepage = \"{homepage}\"\n");
            _f.InstallJson(_f.Pack(dir));
        }
        using var cyclonedx = JsonDocument.Parse(_f.Packster.Ok("sbom", "--location", "dev", "--format", "cyclonedx"));
        using var spdx = JsonDocument.Parse(_f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx"));
        string Website(string id) => cyclonedx.RootElement.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == id)
            .GetProperty("externalReferences")[0].GetProperty("url").GetString()!;
        string Homepage(string id) => spdx.RootElement.GetProperty("packages").EnumerateArray().Single(c => c.GetProperty("name").GetString() == id)
            .GetProperty("homepage").GetString()!;
        Assert.Equal("https://example.org/a%20b/%3Cx%3E?q=%22", Website("escaped"));
        Assert.Equal("https://example.org/a%20b/%3Cx%3E?q=%22", Homepage("escaped"));
        Assert.Equal("https://example.org/a%20b?c=%3Cf%3E", Website("raw"));
        Assert.Equal("https://example.org/a%20b?c=%3Cf%3E", Homepage("raw"));
        // "Every character the manifest gave is kept and an escape it wrote stays as written (`%41` is not decoded, `\`
        // does not become `/`)". Before: https://e.org/a/b%5Ec and https://e.org/A%2f.
        foreach (var url in new[] { Website("back"), Homepage("back") }) Assert.Equal("https://e.org/a%5Cb%5Ec", url);
        foreach (var url in new[] { Website("kept"), Homepage("kept") }) Assert.Equal("https://e.org/%41%2f", url);
    }

    /// <summary>
    /// A package built without <c>pack</c> (so its manifest skips pack's checks), named as a package file is, for
    /// install-file: its manifest first, then one file.
    /// </summary>
    private string HandMade(string id, string manifest)
    {
        var bytes = new HostileZipBuilder(withManifest: false).File("packster-manifest.toml", manifest).File("f.txt", "hi\n").Build();
        var path = Path.Combine(_f.Temp["hand-made"], $"{id}-1.0.0-{Convert.ToHexStringLower(SHA256.HashData(bytes))}.packster");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // spec/bom.md § Sources of each field: "The licence is declared only when the manifest's `license` is a valid SPDX
    // expression … its text is then left out — SPDX `licenseDeclared: NOASSERTION`, no CycloneDX `licenses` — … and
    // one `warning:` line on stderr names the package". spec/licenses.md: such a package installs under no policy.
    [SchemaFact]
    public void A_licence_that_is_not_an_spdx_expression_is_left_out_with_a_warning()
    {
        foreach (var (id, license) in new[] { ("paren", "not an expression ("), ("lower", "mit"), ("foo", "Foo-1.0"), ("bare", "LicenseRef- OR MIT") })
        {
            _f.InstallJson(HandMade(id, $"id = \"{id}\"\nversion = \"1.0.0\"\nlicense = \"{license}\"\n"));
        }
        var spdx = _f.Packster.Run("sbom", "--location", "dev", "--format", "spdx");
        Assert.Equal(0, spdx.ExitCode);
        AssertValid(SchemaFactAttribute.Spdx.Value, spdx.Stdout);
        Assert.Contains("warning: paren 1.0.0 declares license 'not an expression ('", spdx.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, spdx.Stderr.Split('\n').Count(l => l.StartsWith("warning:", StringComparison.Ordinal)));
        using (var doc = JsonDocument.Parse(spdx.Stdout))
        {
            var declared = doc.RootElement.GetProperty("packages").EnumerateArray()
                .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("licenseDeclared").GetString());
            foreach (var id in new[] { "paren", "lower", "foo", "bare" }) Assert.Equal("NOASSERTION", declared[id]);
            Assert.Equal("MIT", declared["motd"]);
            // No LicenseRef- is used, so none needs defining (and "LicenseRef-" alone could not be).
            Assert.DoesNotContain("LicenseRef-", spdx.Stdout, StringComparison.Ordinal);
        }

        var cyclonedx = _f.Packster.Run("sbom", "--location", "dev");
        Assert.Equal(0, cyclonedx.ExitCode);
        AssertValid(SchemaFactAttribute.CycloneDx.Value, cyclonedx.Stdout);
        Assert.Contains("warning: lower 1.0.0 declares license 'mit'", cyclonedx.Stderr, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(cyclonedx.Stdout))
        {
            var components = doc.RootElement.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
            foreach (var id in new[] { "paren", "lower", "foo", "bare" }) Assert.False(components[id].TryGetProperty("licenses", out _), id);
            Assert.True(components["motd"].TryGetProperty("licenses", out _));
        }
    }

    // spec/bom.md: "an active deployment whose folder is missing … is PST5007, naming it … nothing is written" — the
    // described set is the lockfile's active deployments, so a document without it would be wrong. Before, sbom left it
    // out silently with exit 0.
    [Fact]
    public void An_active_deployment_whose_folder_is_missing_is_an_error_and_nothing_is_written()
    {
        var folder = _installed["motd"].GetProperty("path").GetString()!;
        Directory.Delete(folder, recursive: true);
        var file = Path.Combine(_f.Temp.Path, "bom.json");
        foreach (var format in new[] { "cyclonedx", "spdx" })
        {
            var r = _f.Packster.Run("sbom", "--location", "dev", "--format", format, "-o", file);
            Assert.Equal(5, r.ExitCode);
            Assert.Contains("PST5007", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("active deployment motd ", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("is missing", r.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(file));
        }
    }

    // spec/errors.md PST9005: "A folder where a file that may be missing belongs — … a location's … `history.jsonl` … —
    // is not taken for a missing one (… no history …): every command that reads it stops with `cannot read '<path>': it
    // is a folder, not a file` … and nothing changes." The bill of materials takes its time from the history (spec/bom.md
    // § Determinism); before, a folder there gave the newest install time in silence.
    [Fact]
    public void A_folder_where_the_history_belongs_is_PST9005_and_no_bill_of_materials_is_written()
    {
        var history = Path.Combine(_f.LocationPath, "history.jsonl");
        File.Delete(history);
        Directory.CreateDirectory(history);
        var file = Path.Combine(_f.Temp.Path, "bom.json");
        var planned = Path.Combine(_f.Temp.Path, "planned.json");
        var before = _f.Snapshot();
        foreach (var args in new[]
        {
            new[] { "sbom", "--location", "dev", "-o", file },
            ["sbom", "--location", "dev", "--format", "spdx"],
            ["install-file", _f.Pack(Tool("3.0.0")), "--location", "dev", "--dry-run", "--bom", planned],
        })
        {
            var r = _f.Packster.Run(args);
            Assert.True(r.ExitCode == 9, r.ToString());
            Assert.Contains($"error[PST9005]: cannot read '{history}': it is a folder, not a file", r.Stderr, StringComparison.Ordinal);
            Assert.Equal("", r.Stdout);
        }
        Assert.False(File.Exists(file));
        Assert.False(File.Exists(planned));
        Assert.Equal(before, _f.Snapshot());
    }

    // spec/bom.md: "a missing manifest is PST2001 … with the hint to reinstall the package with `--force`": a deployment
    // folder is not a package source folder, whose hint it used to give.
    [Fact]
    public void A_deployment_without_its_manifest_is_PST2001_with_a_deployment_hint()
    {
        File.Delete(Path.Combine(_installed["motd"].GetProperty("path").GetString()!, "packster-manifest.toml"));
        var r = _f.Packster.Run("sbom", "--location", "dev");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("PST2001", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("with --force", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("package source folder", r.Stderr, StringComparison.Ordinal);
    }

    // spec/bom.md: "`supplier: Person: <first author>` (the first that is not empty or blank; absent when none is)" and
    // CycloneDX "`authors[].name` (the manifest's authors, less empty or blank ones …)". Before, an empty first author
    // gave the supplier "Person: ".
    [SchemaFact]
    public void Empty_authors_are_never_written()
    {
        foreach (var (id, authors) in new[] { ("second", "[\"\", \"Second\"]"), ("blank", "[\" \"]") })
        {
            var dir = _f.Temp[id];
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "readme.txt"), id);
            File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"1.0.0\"\nauthors = {authors}\n");
            _f.InstallJson(_f.Pack(dir));
        }
        var spdxText = _f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx");
        AssertValid(SchemaFactAttribute.Spdx.Value, spdxText);
        using var spdx = JsonDocument.Parse(spdxText);
        var packages = spdx.RootElement.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal("Person: Second", packages["second"].GetProperty("supplier").GetString());
        Assert.False(packages["blank"].TryGetProperty("supplier", out _));

        var cyclonedxText = _f.Packster.Ok("sbom", "--location", "dev");
        AssertValid(SchemaFactAttribute.CycloneDx.Value, cyclonedxText);
        using var cyclonedx = JsonDocument.Parse(cyclonedxText);
        var components = cyclonedx.RootElement.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["Second"], components["second"].GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.False(components["blank"].TryGetProperty("authors", out _));
    }

    // A document whose packages use no LicenseRef- defines none.
    [SchemaFact]
    public void Spdx_without_a_LicenseRef_has_no_extracted_licensing_infos()
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("sbom", "--location", "dev", "--format", "spdx"));
        Assert.False(doc.RootElement.TryGetProperty("hasExtractedLicensingInfos", out _));
    }

    // spec/bom.md § Determinism: the same committed state gives the same bytes, on stdout or through -o; a change of
    // the active set gives another document.
    [Fact]
    public void The_same_state_gives_the_same_bytes_and_a_new_state_another_document()
    {
        var first = _f.Packster.Ok("sbom", "--location", "dev");
        Assert.Equal(first, _f.Packster.Ok("sbom", "--location", "dev"));
        var file = Path.Combine(_f.Temp.Path, "out", "bom.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        _f.Packster.Ok("sbom", "--location", "dev", "-o", file);
        Assert.Equal(first, File.ReadAllText(file));

        _f.Packster.Ok("use", "tool@1.0.0", "--location", "dev");
        var after = _f.Packster.Ok("sbom", "--location", "dev");
        using var doc = JsonDocument.Parse(after);
        Assert.Equal("1.0.0", doc.RootElement.GetProperty("components")[2].GetProperty("version").GetString());
        Assert.NotEqual(JsonDocument.Parse(first).RootElement.GetProperty("serialNumber").GetString(), doc.RootElement.GetProperty("serialNumber").GetString());
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error_and_writes_nothing()
    {
        var file = Path.Combine(_f.Temp.Path, "bom.xml");
        var r = _f.Packster.Run("sbom", "--location", "dev", "--format", "xml", "-o", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("PST1000", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    // spec/bom.md § Before a change: install-file --dry-run --bom describes the package the change would deploy, its
    // files read from the archive, and changes nothing in the location.
    [SchemaFact]
    public void Install_file_dry_run_writes_the_planned_packages_bill_of_materials_and_changes_nothing()
    {
        var dir = Tool("3.0.0");
        var package = _f.Pack(dir);
        var bom = Path.Combine(_f.Temp.Path, "planned.json");
        var before = _f.Snapshot();
        _f.Packster.Ok("install-file", package, "--location", "dev", "--dry-run", "--bom", bom);
        Assert.Equal(before, _f.Snapshot());

        var text = File.ReadAllText(bom);
        AssertValid(SchemaFactAttribute.CycloneDx.Value, text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("pre-build", doc.RootElement.GetProperty("metadata").GetProperty("lifecycles")[0].GetProperty("phase").GetString());
        var tool = Assert.Single(doc.RootElement.GetProperty("components").EnumerateArray());
        Assert.Equal("3.0.0", tool.GetProperty("version").GetString());
        Assert.Equal(Sha256Of(package), tool.GetProperty("hashes")[0].GetProperty("content").GetString());
        var properties = tool.GetProperty("properties").EnumerateArray().Select(p => (p.GetProperty("name").GetString(), p.GetProperty("value").GetString())).ToList();
        Assert.Contains(("packster:status", "planned"), properties);
        Assert.Contains(("packster:claim", "shim:tool"), properties);
        var files = FileHashes(tool);
        Assert.Equal(Sha256Of(Path.Combine(dir, "bin", "tool")), files["bin/tool"]);
        Assert.Equal(Sha256Of(Path.Combine(dir, "share.txt")), files["share.txt"]);
    }

    // spec/bom.md § Before a change: install by id plans dependencies too; one already deployed is described as kept.
    [SchemaFact]
    public void Install_by_id_dry_run_describes_the_package_and_its_dependencies()
    {
        _f.Pack(Tool("3.0.0"));
        _f.Packster.Ok("source", "add", "dist", "--type", "folder", "--url", _f.Dist);
        var bom = Path.Combine(_f.Temp.Path, "planned.json");
        var before = _f.Snapshot();
        _f.Packster.Ok("install", "tool@^3", "--location", "dev", "--dry-run", "--bom", bom);
        Assert.Equal(before, _f.Snapshot());

        var text = File.ReadAllText(bom);
        AssertValid(SchemaFactAttribute.CycloneDx.Value, text);
        using var doc = JsonDocument.Parse(text);
        var components = doc.RootElement.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(["hello", "tool"], components.Select(c => c.GetProperty("name").GetString()));
        string? Status(JsonElement c) => c.GetProperty("properties").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "packster:status").GetProperty("value").GetString();
        Assert.Equal("unchanged", Status(components[0]));
        Assert.Equal("planned", Status(components[1]));
        var toolDependencies = doc.RootElement.GetProperty("dependencies").EnumerateArray().Single(d => d.GetProperty("ref").GetString() == components[1].GetProperty("bom-ref").GetString());
        Assert.Equal(components[0].GetProperty("bom-ref").GetString(), toolDependencies.GetProperty("dependsOn")[0].GetString());
    }

    // spec/bom.md § Before a change: "the components are the packages of the plan — for `install`, the named package,
    // its dependencies and the `[install-bundle]` entries the dry run plans after it (spec/bundle.md § install-bundle,
    // Dry run) …". Before, the dry run listed `would install extra 1.0.0` but its bill of materials left extra out.
    [SchemaFact]
    public void Install_by_id_dry_run_describes_the_install_bundle_entries_it_plans()
    {
        var extra = _f.Temp["extra"];
        Directory.CreateDirectory(extra);
        File.WriteAllText(Path.Combine(extra, "extra.txt"), "extra\n");
        File.WriteAllText(Path.Combine(extra, "packster-manifest.toml"), """
            id = "extra"
            version = "1.0.0"
            description = "Brought by tool's [install-bundle]"
            license = "MIT"
            """);
        _f.Pack(extra);
        var tool = Tool("3.0.0");
        File.AppendAllText(Path.Combine(tool, "packster-manifest.toml"), "\n[install-bundle]\nextra = \"^1\"\n");
        _f.Pack(tool);
        _f.Packster.Ok("source", "add", "dist", "--type", "folder", "--url", _f.Dist);
        var bom = Path.Combine(_f.Temp.Path, "planned.json");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install", "tool@^3", "--location", "dev", "--dry-run", "--bom", bom);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("would install extra 1.0.0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("bill of materials of 3 package(s)", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        var text = File.ReadAllText(bom);
        AssertValid(SchemaFactAttribute.CycloneDx.Value, text);
        using var doc = JsonDocument.Parse(text);
        var components = doc.RootElement.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(["extra", "hello", "tool"], components.Select(c => c.GetProperty("name").GetString()));
        // Described as any planned package: read from its package file in the download cache.
        var entry = components[0];
        Assert.Equal("1.0.0", entry.GetProperty("version").GetString());
        Assert.Equal("MIT", entry.GetProperty("licenses")[0].GetProperty("expression").GetString());
        var properties = entry.GetProperty("properties").EnumerateArray().Select(p => (p.GetProperty("name").GetString(), p.GetProperty("value").GetString())).ToList();
        Assert.Contains(("packster:status", "planned"), properties);
        Assert.Contains(properties, p => p.Item1 == "packster:deployment");
        Assert.Equal(Sha256Of(Path.Combine(extra, "extra.txt")), FileHashes(entry)["extra.txt"]);
        // The location depends on every component, the entry with them.
        var location = doc.RootElement.GetProperty("dependencies")[0];
        Assert.Contains(entry.GetProperty("bom-ref").GetString(), location.GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));

        // "for both": a bundle install's dry run plans the same step, and its bill of materials is the same document.
        var bundle = Path.Combine(_f.Temp.Path, "bundle.toml");
        File.WriteAllText(bundle, "[packages]\ntool = \"^3\"\n");
        var fromBundle = Path.Combine(_f.Temp.Path, "planned-bundle.json");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev", "--dry-run", "--bom", fromBundle);
        Assert.Equal(text, File.ReadAllText(fromBundle));
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void Bom_without_dry_run_is_refused_before_anything_changes()
    {
        var package = _f.Pack(Tool("3.0.0"));
        var bom = Path.Combine(_f.Temp.Path, "planned.json");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--bom", bom);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--dry-run", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
        Assert.False(File.Exists(bom));
    }

    /// <summary>A CycloneDX component's file sub-components: path → SHA-256.</summary>
    private static Dictionary<string, string?> FileHashes(JsonElement component) =>
        component.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("hashes")[0].GetProperty("content").GetString());

    private static bool IsValid(JsonSchema schema, string document)
    {
        using var doc = JsonDocument.Parse(document);
        return schema.Evaluate(doc.RootElement).IsValid;
    }

    private static void AssertValid(JsonSchema schema, string document)
    {
        using var doc = JsonDocument.Parse(document);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"));
        Assert.True(result.IsValid, string.Join("\n", errors));
    }
}

/// <summary>
/// A test that validates against the public JSON schemas in <c>../shared/schemas</c> (beside the repository, as the
/// TOML suite is); skipped, saying so, where that folder is absent. CI has it.
/// </summary>
public sealed class SchemaFactAttribute : FactAttribute
{
    public static string Directory { get; } = Path.GetFullPath(Path.Combine(RepoFiles.Root, "..", "shared", "schemas"));

    public static Lazy<JsonSchema> CycloneDx { get; } = new(() =>
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var folder = Path.Combine(Directory, "cyclonedx-1.6");
        // bom-1.6 refers to these two by URI relative to its own $id.
        JsonSchema.FromFile(Path.Combine(folder, "spdx.schema.json"), options);
        JsonSchema.FromFile(Path.Combine(folder, "jsf-0.82.schema.json"), options);
        return JsonSchema.FromFile(Path.Combine(folder, "bom-1.6.schema.json"), options);
    });

    public static Lazy<JsonSchema> Spdx { get; } = new(() => JsonSchema.FromFile(Path.Combine(Directory, "spdx-2.3", "spdx-schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    public SchemaFactAttribute()
    {
        if (!System.IO.Directory.Exists(Directory)) Skip = $"the public JSON schemas are not at {Directory} (they come with the shared folder beside the repository)";
    }
}
