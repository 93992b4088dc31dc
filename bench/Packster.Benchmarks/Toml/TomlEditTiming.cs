using System.Diagnostics;
using System.Globalization;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster.Benchmarks.Toml;

/// <summary>
/// <c>toml-edit [toml-test dir]</c>: what an edit of a person-edited file costs, side by side with a plain parse by our
/// reader (spec/toml.md §9), and, given the toml-test suite, how many of its valid documents Tomlyn's syntax tree
/// reproduces byte for byte (a file it cannot reproduce is refused by the editor).
/// </summary>
public static class TomlEditTiming
{
    private const string Config = """
        # Packster user configuration
        # (kept by hand; packster edits only what it is asked to)

        default-location = "dev"   # the location used without --location
        retries = 0x10             # hex, kept as written
        timeout-ms = 30_000

        [ui]
        # no colours in CI logs
        color = false

        # The corporate mirror, consulted first.
        [sources.corp]
        type = "artifactory"
        url = 'https://art.example.com/artifactory'   # a literal string
        repo = "tools"
        token-env = "ART_TOKEN"
        priority = 10

        # A local folder of packages.
        [sources.local]
        type = "folder"
        url = "/srv/packages"

        # end of file

        """;

    public static int Run(string[] args, TextWriter output)
    {
        const int rounds = 20_000;
        var parse = Time(rounds, () => TomlDocument.Parse(Config, "config.toml", TomlVersion.V1_1));
        var tree = Time(rounds, () => Tomlyn.Parsing.SyntaxParser.Parse(Config, "config.toml", true));
        var edit = Time(rounds, () =>
        {
            var editor = TomlEditor.Parse(Config, "config.toml");
            editor.Set(["sources", "mirror", "type"], TomlValue.String("http"));
            editor.Set(["sources", "mirror", "url"], TomlValue.String("https://mirror.example/"));
            return editor.Verified();
        });
        output.WriteLine($"{Config.Length} B commented config, {rounds} rounds each (warm):");
        output.WriteLine($"  Packster.Toml parse          {Us(parse),8} us");
        output.WriteLine($"  Tomlyn syntax tree           {Us(tree),8} us   ({tree / parse:0.0} x our parse)");
        output.WriteLine($"  edit: open, 2 sets, verify   {Us(edit),8} us   ({edit / parse:0.0} x our parse)");
        if (args.Length > 0 && Directory.Exists(args[0]))
        {
            var files = Directory.EnumerateFiles(args[0], "*.toml", SearchOption.AllDirectories)
                .Where(f => f.Replace('\\', '/').Contains("/valid/", StringComparison.Ordinal)).ToList();
            int editable = 0, refusedByTree = 0, refusedByReader = 0;
            foreach (var f in files)
            {
                try
                {
                    TomlEditor.Parse(File.ReadAllText(f), f);
                    editable++;
                }
                catch (TomlException)
                {
                    refusedByReader++;
                }
                catch (TomlEditException)
                {
                    refusedByTree++;
                }
            }
            output.WriteLine($"  toml-test valid documents: {files.Count}; the editor opens {editable} (Tomlyn's tree reproduces the bytes), "
                + $"refuses {refusedByTree} (tree differs), our reader refuses {refusedByReader}");
        }
        return 0;
    }

    private static double Time<T>(int rounds, Func<T> action)
    {
        for (var i = 0; i < rounds / 10; i++) GC.KeepAlive(action());
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++) GC.KeepAlive(action());
        return watch.Elapsed.TotalMicroseconds / rounds;
    }

    private static string Us(double us) => us.ToString("0.0", CultureInfo.InvariantCulture);
}
