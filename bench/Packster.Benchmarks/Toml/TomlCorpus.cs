using System.Globalization;
using System.Text;

namespace Packster.Benchmarks.Toml;

/// <summary>
/// A deterministic, realistic TOML document of roughly the requested size: package-like tables,
/// arrays of tables, strings with escapes, numbers, dates, inline tables and comments.
/// </summary>
public static class TomlCorpus
{
    public static string Generate(int targetBytes)
    {
        var random = new Random(42);
        var sb = new StringBuilder(targetBytes + 4096);
        sb.Append("# generated benchmark document\n");
        sb.Append("title = \"Packster benchmark \\\"corpus\\\"\"\n");
        sb.Append("created = 2024-05-27T07:32:00Z\n\n");
        var i = 0;
        while (sb.Length < targetBytes)
        {
            var id = $"pkg-{i:D6}";
            sb.Append("[packages.").Append(id).Append("]\n");
            sb.Append("version = \"").Append(random.Next(0, 20)).Append('.').Append(random.Next(0, 50)).Append('.').Append(random.Next(0, 9)).Append("\"\n");
            sb.Append("description = \"Tool number ").Append(i).Append(" with a tab\\t, a quote \\\" and unicode \\u00E9\\u4E2D\"\n");
            sb.Append("path = 'C:\\Program Files\\Packster\\").Append(id).Append("'\n");
            sb.Append("size = ").Append(random.Next(1, 1_000_000).ToString("N0", CultureInfo.InvariantCulture).Replace(',', '_')).Append('\n');
            sb.Append("ratio = ").Append((random.NextDouble() * 100).ToString("0.0###", CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("scale = 6.02e").Append(random.Next(-30, 30)).Append('\n');
            sb.Append("mask = 0x").Append(random.Next().ToString("X", CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("enabled = ").Append(i % 3 == 0 ? "true" : "false").Append('\n');
            sb.Append("released = ").Append(2000 + (i % 25)).Append('-').Append(((i % 12) + 1).ToString("00", CultureInfo.InvariantCulture)).Append("-15\n");
            sb.Append("updated = 2024-02-29 12:").Append((i % 60).ToString("00", CultureInfo.InvariantCulture)).Append(":30.250+02:00 # leap day\n");
            sb.Append("tags = [\"cli\", \"x64\", \"tool-").Append(i % 7).Append("\"]\n");
            sb.Append("ports = [ 8080, 8443,\n  9000, # admin\n]\n");
            sb.Append("owner = { name = \"team-").Append(i % 13).Append("\", email = \"team@example.com\", since = 2019-01-01 }\n");
            sb.Append("resources.env.PATH = \"bin\"\n");
            sb.Append("resources.env.HOME_DIR = \"${HOME}/.packster\"\n");
            for (var d = 0; d < 1 + (i % 3); d++)
            {
                sb.Append("\n[[packages.").Append(id).Append(".dependencies]]\n");
                sb.Append("id = \"dep-").Append(random.Next(0, 500)).Append("\"\n");
                sb.Append("range = \">= 1.").Append(d).Append(", < 2.0\"\n");
                sb.Append("optional = ").Append(d == 2 ? "true" : "false").Append('\n');
            }

            if (i % 10 == 0)
            {
                sb.Append("\n[packages.").Append(id).Append(".notes]\n");
                sb.Append("text = \"\"\"\nFirst line of notes,\nsecond line with \\\"quotes\\\" \\\n    and a continued line.\"\"\"\n");
                sb.Append("raw = '''\nC:\\raw\\path\n  kept as is'''\n");
            }

            sb.Append('\n');
            i++;
        }

        return sb.ToString();
    }
}
