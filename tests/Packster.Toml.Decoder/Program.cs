// toml-test decoder: TOML bytes on stdin -> tagged JSON on stdout (exit 0); invalid TOML -> stderr, exit 1.
// Reads TOML 1.1.0 by default; --toml-1.0 reads TOML 1.0.0 (for the toml-test 1.0.0 case list).
using System.Globalization;
using System.Text;
using Packster.Toml;

var version = TomlVersion.V1_1;
foreach (var arg in args)
{
    switch (arg)
    {
        case "--toml-1.0":
            version = TomlVersion.V1_0;
            break;
        case "--toml-1.1":
            version = TomlVersion.V1_1;
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{arg}'; usage: Packster.Toml.Decoder [--toml-1.0 | --toml-1.1] < file.toml");
            return 2;
    }
}

using var input = Console.OpenStandardInput();
using var bytes = new MemoryStream();
input.CopyTo(bytes);

TomlTable document;
try
{
    document = TomlDocument.Parse(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), "<stdin>", version);
}
catch (TomlException e)
{
    using var error = Console.OpenStandardError();
    error.Write(Encoding.UTF8.GetBytes(e.Message + "\n"));
    return 1;
}

var json = new StringBuilder();
TaggedJson.Write(json, document);
json.Append('\n');
using var output = Console.OpenStandardOutput();
output.Write(Encoding.UTF8.GetBytes(json.ToString()));
return 0;

/// <summary>The toml-test JSON encoding: tables and arrays as JSON, scalars as {"type","value"} strings.</summary>
internal static class TaggedJson
{
    public static void Write(StringBuilder sb, TomlNode node)
    {
        switch (node)
        {
            case TomlTable table:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in table)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteString(sb, key);
                    sb.Append(':');
                    Write(sb, value);
                }

                sb.Append('}');
                break;
            case TomlArray array:
                sb.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, array[i]);
                }

                sb.Append(']');
                break;
            case TomlString s:
                Scalar(sb, "string", s.Value);
                break;
            case TomlInteger i:
                Scalar(sb, "integer", i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case TomlFloat f:
                Scalar(sb, "float", FloatText(f.Value));
                break;
            case TomlBoolean b:
                Scalar(sb, "bool", b.Value ? "true" : "false");
                break;
            case TomlDateTime d:
                Scalar(sb, d.TypeName, d.Text);
                break;
            default:
                throw new InvalidOperationException("unknown node " + node.GetType());
        }
    }

    private static string FloatText(double value) =>
        double.IsNaN(value) ? "nan"
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static void Scalar(StringBuilder sb, string type, string value)
    {
        sb.Append("{\"type\":\"").Append(type).Append("\",\"value\":");
        WriteString(sb, value);
        sb.Append('}');
    }

    private static void WriteString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ' or '\u007F': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }
}
