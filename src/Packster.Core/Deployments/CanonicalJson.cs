using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster.Deployments;

/// <summary>
/// The canonical JSON text of a value, in the style of RFC 8785 (JCS): object members sorted by the UTF-16 code
/// units of their names, no insignificant whitespace, numbers as ECMAScript prints an IEEE-754 double, strings
/// with only the escapes JSON requires. Equal values give equal text, so the text can be hashed
/// (spec/parameters.md §Canonical JSON).
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value) is var text && PlainInteger(text))
        {
            return Encoding.ASCII.GetString(text);
        }
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>
    /// Throws what <see cref="Serialize(JsonElement)"/> would throw when <paramref name="value"/> has no canonical form,
    /// without making the text of a number, a boolean or null (which need none to be judged).
    /// </summary>
    public static void Check(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                FiniteDouble(value);
                break;
            case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                break;
            default:
                Serialize(value);
                break;
        }
    }

    public static string Serialize(JsonNode? node) =>
        Serialize(node is null ? JsonDocument.Parse("null").RootElement.Clone() : JsonSerializer.SerializeToElement(node, CanonicalJsonContext.Default.JsonNode));

    private static double FiniteDouble(JsonElement value) =>
        value.TryGetDouble(out var d) && double.IsFinite(d) ? d
            : throw new ArgumentException($"number {value.GetRawText()} is outside the IEEE-754 double range");

    private static void Write(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                foreach (var p in value.EnumerateObject()) members.Add((p.Name, p.Value));
                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                sb.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0 && members[i].Name == members[i - 1].Name)
                    {
                        throw new ArgumentException($"duplicate member name '{members[i].Name}' has no canonical form");
                    }
                    if (i > 0) sb.Append(',');
                    WriteString(sb, members[i].Name);
                    sb.Append(':');
                    Write(sb, members[i].Value);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, value.GetString()!);
                break;
            case JsonValueKind.Number:
                sb.Append(FormatNumber(FiniteDouble(value)));
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            default:
                throw new ArgumentException("an undefined JSON value has no canonical form");
        }
    }

    /// <summary>Only '"', '\\' and U+0000–U+001F are escaped (short forms where JSON has them); all else is literal.</summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])))
                    {
                        throw new ArgumentException("a string holds a lone surrogate, which has no canonical UTF-8 form");
                    }
                    else
                    {
                        sb.Append(c);
                        if (char.IsHighSurrogate(c)) sb.Append(s[++i]);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>
    /// Whether a number's JSON text is already its canonical form: an integer of at most 15 digits without an exponent,
    /// a fraction or a leading zero, and not <c>-0</c>. Every such integer is a double exactly, and ECMAScript prints it
    /// digit for digit; its text is taken as it is (a port in each of 1,000 listed deployments went through the double
    /// and four strings).
    /// </summary>
    private static bool PlainInteger(ReadOnlySpan<byte> text)
    {
        var digits = text.Length > 0 && text[0] == (byte)'-' ? text[1..] : text;
        if (digits.Length is 0 or > 15 || (digits[0] == (byte)'0' && (digits.Length > 1 || digits.Length != text.Length))) return false;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
        }
        return true;
    }

    /// <summary>ECMAScript Number::toString for a finite double: shortest round-trip digits, exponent form outside 1e-7..1e21.</summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "NaN and infinities have no JSON form");
        if (value == 0) return "0"; // also -0
        if (value < 0) return "-" + FormatNumber(-value);

        // .NET's "R" gives the shortest digits that round-trip; re-lay them out the ECMAScript way.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var n = (dot < 0 ? mantissa.Length : dot) + exponent; // value = 0.DIGITS × 10^n
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0').TrimEnd('0');
        n -= leading;
        var k = digits.Length;

        if (k <= n && n <= 21) return digits + new string('0', n - k);
        if (0 < n && n <= 21) return digits[..n] + "." + digits[n..];
        if (-6 < n && n <= 0) return "0." + new string('0', -n) + digits;
        var exp = n - 1;
        var sign = exp < 0 ? "-" : "+";
        var head = k == 1 ? digits : digits[..1] + "." + digits[1..];
        return $"{head}e{sign}{Math.Abs(exp).ToString(CultureInfo.InvariantCulture)}";
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class CanonicalJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
