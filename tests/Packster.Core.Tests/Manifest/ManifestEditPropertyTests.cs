using Packster.Manifest;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>
/// spec/manifest.md and spec/package-format.md: a package is hostile until proven otherwise, and its manifest is text
/// anyone can write. Whatever a few random edits make of the sample manifests, reading one gives a manifest or a
/// PacksterException in words (a manifest error naming its line), never PST0001 or another exception.
/// </summary>
public sealed class ManifestEditPropertyTests
{
    /// <summary>TOML a hand, a bad merge or an attacker puts into a manifest: wrong kinds, repeats, limits, escapes, templates.</summary>
    private static readonly string[] Snippets =
    [
        "[parameters.x]\ntype = \"integer\"\n", "[[service]]\n", "[handlers]\ninstall = 1\n", "x = 1\n", "\"\\ud800\"", "\"\\u0000\"", "1e999",
        "-9223372036854775809", "{param.port}", "{param.", "{deployment}", "[", "]", "=", "\"", "'''", "\"\"\"", "{ a = 1, a = 2 }", "[1, \"a\"]",
        "inf", "nan", "1979-05-27T07:32:00Z", "0x", "true", "\n[provides]\nports = [\"{param.port}\", 70000]\n", "\\", "#", "..", "a.b.c = 1\n",
        "default = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "enum = []\n", "shims = { \"../x\" = \"bin/x\" }\n",
    ];

    /// <summary>Values given for a parameter at install: every JSON kind, text with what scripts and paths fear.</summary>
    private static readonly string[] Values = ["1", "-1", "70000", "1.5", "true", "null", "\"x\"", "\"../../etc\"", "\"a\\nb\"", "\"$(id)\"", "[1, 2]", "{\"a\": 1}", "\"\"", "\"\\u0007\""];

    private const string Significant = "[]{}=\",.'#\n 0123456789-+_abcdefghijklmnopqrstuvwxyz\\";

    private static string Edit(string text, Random random) => Packster.Testing.RandomEdits.Edit(text, random, Snippets, Significant, " = ");

    /// <summary>Seeds one after another over every sample manifest; the failing seed is in the message.</summary>
    [Fact]
    public void A_manifest_edited_at_random_reads_or_fails_in_words()
    {
        var samples = Directory.GetDirectories(Path.Combine(RepositoryRoot(), "samples"))
            .Select(d => Path.Combine(d, Packster.Manifest.Manifest.FileName)).Where(System.IO.File.Exists).Select(System.IO.File.ReadAllText).ToArray();
        Assert.True(samples.Length >= 5);
        var read = 0;
        for (var seed = 0; seed < 20_000; seed++)
        {
            var random = new Random(seed);
            var text = samples[random.Next(samples.Length)];
            for (var edits = 1 + random.Next(3); edits > 0; edits--) text = Edit(text, random);
            try
            {
                var manifest = ManifestReader.Parse(text, "packster-manifest.toml");
                read++;
                // What an install then does with it: resolve parameters (none given, or one of each kind) and expand its resources.
                var given = random.Next(3) switch
                {
                    0 => (System.Text.Json.JsonElement?)null,
                    1 => System.Text.Json.JsonDocument.Parse("{\"port\": 8081}").RootElement,
                    _ => System.Text.Json.JsonDocument.Parse($"{{\"{manifest.Parameters.Keys.FirstOrDefault() ?? "x"}\": {Values[random.Next(Values.Length)]}}}").RootElement,
                };
                var parameters = Packster.Deployments.EffectiveParameters.Resolve(manifest.Parameters, given);
                Packster.Deployments.DeploymentResources.For(manifest, parameters, "/d/deployments/x", "/d");
            }
            catch (PacksterException e) when (e.Code != ErrorCode.Internal)
            {
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"seed {seed}: {e.GetType().Name}: {e.Message}\n--- manifest ---\n{text}", e);
            }
        }
        // The edits must leave some manifests readable, or the readable path would go untried.
        Assert.InRange(read, 1_000, 19_000);
    }
}
