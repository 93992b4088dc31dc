using System.Globalization;

namespace Packster.Toml;

/// <summary>Integers (decimal, hex, octal, binary), floats (incl. inf and nan) and the dispatch to date-times.</summary>
internal ref partial struct TomlParser
{
    private TomlNode ParseNumberOrDateTime()
    {
        var text = _text;
        var start = _pos;
        if (LooksLikeDate(start))
        {
            return ParseDateOrDateTime();
        }

        if (IsDigitAt(start) && IsDigitAt(start + 1) && start + 2 < text.Length && text[start + 2] == ':')
        {
            return ParseLocalTime();
        }

        var end = start;
        while (end < text.Length && IsNumberChar(text[end]))
        {
            end++;
        }

        var position = PositionAt(start);
        var token = text.Slice(start, end - start);
        _pos = end;
        return ParseNumber(token, start, position);
    }

    private static bool IsNumberChar(char c) => IsBareKeyChar(c) || c == '.' || c == '+';

    private bool IsDigitAt(int index) => index < _text.Length && char.IsAsciiDigit(_text[index]);

    private TomlNode ParseNumber(ReadOnlySpan<char> token, int start, TomlPosition position)
    {
        if (token.IsEmpty)
        {
            throw Expected("a value", "");
        }

        var negative = token[0] == '-';
        var signed = negative || token[0] == '+';
        var body = signed ? token[1..] : token;

        if (body is "inf")
        {
            return new TomlFloat(negative ? double.NegativeInfinity : double.PositiveInfinity, position);
        }

        if (body is "nan")
        {
            return new TomlFloat(double.NaN, position);
        }

        if (body.Length > 1 && body[0] == '0' && body[1] is 'x' or 'o' or 'b')
        {
            if (signed)
            {
                throw Error($"invalid integer '{token}': a sign is not allowed on hexadecimal, octal or binary integers", start);
            }

            var radix = body[1] switch { 'x' => 16, 'o' => 8, _ => 2 };
            return new TomlInteger(ParseRadixInteger(token, body[2..], radix, start), position);
        }

        // Decimal integer part.
        var i = 0;
        var intDigits = ScanDigits(body, ref i, 10, token, start);
        if (intDigits == 0)
        {
            throw Error($"invalid number '{token}': expected a digit", start);
        }

        if (body[0] == '0' && intDigits > 1)
        {
            throw Error($"invalid number '{token}': leading zeros are not allowed", start);
        }

        if (i == body.Length)
        {
            return new TomlInteger(ParseDecimalInteger(token, body, negative, start), position);
        }

        if (body[i] == '.')
        {
            i++;
            if (ScanDigits(body, ref i, 10, token, start) == 0)
            {
                throw Error($"invalid float '{token}': expected a digit after the decimal point", start);
            }
        }

        if (i < body.Length && (body[i] == 'e' || body[i] == 'E'))
        {
            i++;
            if (i < body.Length && (body[i] == '+' || body[i] == '-'))
            {
                i++;
            }

            if (ScanDigits(body, ref i, 10, token, start) == 0)
            {
                throw Error($"invalid float '{token}': expected a digit in the exponent", start);
            }
        }

        if (i != body.Length)
        {
            throw Error($"invalid number '{token}': unexpected '{body[i]}'", start);
        }

        Span<char> digits = token.Length <= 128 ? stackalloc char[token.Length] : new char[token.Length];
        var n = 0;
        foreach (var c in token)
        {
            if (c != '_')
            {
                digits[n++] = c;
            }
        }

        var value = double.Parse(digits[..n], NumberStyles.Float, CultureInfo.InvariantCulture);
        return new TomlFloat(value, position);
    }

    /// <summary>
    /// Scans digits of <paramref name="radix"/> from <paramref name="i"/>; an underscore must sit between
    /// two digits. Returns the number of digits.
    /// </summary>
    private int ScanDigits(ReadOnlySpan<char> s, ref int i, int radix, ReadOnlySpan<char> token, int start)
    {
        var count = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '_')
            {
                if (count == 0 || i + 1 >= s.Length || DigitValue(s[i + 1], radix) < 0)
                {
                    throw Error($"invalid number '{token}': an underscore must be between two digits", start);
                }

                i++;
                continue;
            }

            if (DigitValue(c, radix) < 0)
            {
                break;
            }

            count++;
            i++;
        }

        return count;
    }

    private static int DigitValue(char c, int radix)
    {
        var d = radix == 16 ? HexValue(c) : char.IsAsciiDigit(c) ? c - '0' : -1;
        return d < radix ? d : -1;
    }

    private long ParseDecimalInteger(ReadOnlySpan<char> token, ReadOnlySpan<char> body, bool negative, int start)
    {
        // Accumulate the magnitude; -9223372036854775808 has no positive counterpart.
        var limit = negative ? 9223372036854775808UL : long.MaxValue;
        ulong value = 0;
        foreach (var c in body)
        {
            if (c == '_')
            {
                continue;
            }

            var d = (ulong)(c - '0');
            if (value > (limit - d) / 10)
            {
                throw Error($"integer '{token}' is out of range for a 64-bit signed integer", start);
            }

            value = (value * 10) + d;
        }

        return negative ? unchecked((long)(0UL - value)) : (long)value;
    }

    private long ParseRadixInteger(ReadOnlySpan<char> token, ReadOnlySpan<char> digits, int radix, int start)
    {
        var i = 0;
        if (ScanDigits(digits, ref i, radix, token, start) == 0 || i != digits.Length)
        {
            throw Error($"invalid integer '{token}': expected base-{radix} digits", start);
        }

        var shift = radix switch { 16 => 4, 8 => 3, _ => 1 };
        ulong value = 0;
        foreach (var c in digits)
        {
            if (c == '_')
            {
                continue;
            }

            if (value > (ulong)long.MaxValue >> shift)
            {
                throw Error($"integer '{token}' is out of range for a 64-bit signed integer", start);
            }

            value = (value << shift) | (uint)DigitValue(c, radix);
        }

        return (long)value;
    }
}
