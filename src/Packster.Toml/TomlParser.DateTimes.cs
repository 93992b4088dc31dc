namespace Packster.Toml;

/// <summary>
/// RFC 3339 date-times as TOML allows them, validated field by field (leap years, second 60); TOML 1.1 lets
/// the seconds be omitted, and the text then carries the ":00" the specification assumes.
/// </summary>
internal ref partial struct TomlParser
{
    // "1979-05-27T00:32:00.999999999-07:00" is 35 characters; longer fractions go to the heap.
    private const int MaxStackDateTime = 64;

    /// <summary>YYYY- at <paramref name="start"/>.</summary>
    private bool LooksLikeDate(int start) =>
        IsDigitAt(start) && IsDigitAt(start + 1) && IsDigitAt(start + 2) && IsDigitAt(start + 3)
        && start + 4 < _text.Length && _text[start + 4] == '-';

    private TomlDateTime ParseDateOrDateTime()
    {
        var text = _text;
        var start = _pos;
        var position = PositionAt(start);
        var year = ReadField(start, 4, "year");
        ExpectChar(start + 4, '-', "in the date");
        var month = ReadField(start + 5, 2, "month");
        ExpectChar(start + 7, '-', "in the date");
        var day = ReadField(start + 8, 2, "day");
        if (month is < 1 or > 12)
        {
            throw Error($"invalid date '{TokenAt(start)}': month must be 01-12", start);
        }

        if (day < 1 || day > DaysInMonth(year, month))
        {
            throw Error($"invalid date '{TokenAt(start)}': day must be 01-{DaysInMonth(year, month):00} in {year:0000}-{month:00}", start);
        }

        var pos = start + 10;

        // 'T' (any case) or a space separates the time; a space only counts when a time follows it.
        var hasTime = pos < text.Length
            && (text[pos] == 'T' || text[pos] == 't' || (text[pos] == ' ' && IsDigitAt(pos + 1)));
        if (!hasTime)
        {
            _pos = pos;
            return new TomlDateTime(TomlDateTimeKind.LocalDate, new string(text.Slice(start, 10)), position);
        }

        var end = ReadTime(pos + 1, start, out var minutesEnd);
        var kind = TomlDateTimeKind.LocalDateTime;
        if (end < text.Length && (text[end] == 'Z' || text[end] == 'z'))
        {
            end++;
            kind = TomlDateTimeKind.OffsetDateTime;
        }
        else if (end < text.Length && (text[end] == '+' || text[end] == '-'))
        {
            var offsetHour = ReadField(end + 1, 2, "offset hour");
            ExpectChar(end + 3, ':', "in the time offset");
            var offsetMinute = ReadField(end + 4, 2, "offset minute");
            if (offsetHour > 23 || offsetMinute > 59)
            {
                throw Error($"invalid time offset in '{TokenAt(start)}': expected +HH:MM with HH 00-23 and MM 00-59", end);
            }

            end += 6;
            kind = TomlDateTimeKind.OffsetDateTime;
        }

        _pos = end;
        // The fraction has no length limit, so only short texts (all realistic ones) are built on the stack.
        var length = end - start + (minutesEnd < 0 ? 0 : 3);
        var normalised = length <= MaxStackDateTime ? stackalloc char[MaxStackDateTime] : new char[length];
        normalised = normalised[..length];
        CopyNormalised(start, end, minutesEnd, normalised);
        normalised[10] = 'T';
        if (normalised[^1] == 'z')
        {
            normalised[^1] = 'Z';
        }

        return new TomlDateTime(kind, new string(normalised), position);
    }

    private TomlDateTime ParseLocalTime()
    {
        var start = _pos;
        var position = PositionAt(start);
        var end = ReadTime(start, start, out var minutesEnd);
        _pos = end;
        var written = _text.Slice(start, end - start);
        var text = minutesEnd < 0 ? new string(written) : string.Concat(written, ":00");
        return new TomlDateTime(TomlDateTimeKind.LocalTime, text, position);
    }

    /// <summary>
    /// Copies the text from <paramref name="start"/> to <paramref name="end"/> into <paramref name="destination"/>,
    /// with ":00" after the minutes when the seconds were omitted (<paramref name="minutesEnd"/> is not -1).
    /// </summary>
    private readonly void CopyNormalised(int start, int end, int minutesEnd, scoped Span<char> destination)
    {
        if (minutesEnd < 0)
        {
            _text[start..end].CopyTo(destination);
            return;
        }

        var split = minutesEnd - start;
        _text[start..minutesEnd].CopyTo(destination);
        ":00".CopyTo(destination[split..]);
        _text[minutesEnd..end].CopyTo(destination[(split + 3)..]);
    }

    /// <summary>
    /// Reads HH:MM:SS[.fraction] (TOML 1.1: or HH:MM) at <paramref name="pos"/>; returns the index after it.
    /// <paramref name="minutesEnd"/> is the index after the minutes when the seconds were omitted, else -1.
    /// </summary>
    private int ReadTime(int pos, int tokenStart, out int minutesEnd)
    {
        var hour = ReadField(pos, 2, "hour");
        ExpectChar(pos + 2, ':', "in the time");
        var minute = ReadField(pos + 3, 2, "minute");
        minutesEnd = -1;
        if (_toml11 && (pos + 5 >= _text.Length || _text[pos + 5] != ':'))
        {
            if (hour > 23 || minute > 59)
            {
                throw Error($"invalid time in '{TokenAt(tokenStart)}': expected HH 00-23, MM 00-59", pos);
            }

            if (pos + 5 < _text.Length && _text[pos + 5] == '.')
            {
                throw Error($"invalid time in '{TokenAt(tokenStart)}': a fraction needs the seconds before it (HH:MM:SS.fraction)", pos + 5);
            }

            minutesEnd = pos + 5;
            return pos + 5;
        }

        ExpectChar(pos + 5, ':', "in the time (seconds are required in TOML 1.0; TOML 1.1 allows HH:MM)");
        var second = ReadField(pos + 6, 2, "second");
        if (hour > 23 || minute > 59 || second > 60)
        {
            throw Error($"invalid time in '{TokenAt(tokenStart)}': expected HH 00-23, MM 00-59, SS 00-60", pos);
        }

        var end = pos + 8;
        if (end < _text.Length && _text[end] == '.')
        {
            end++;
            if (!IsDigitAt(end))
            {
                throw Error($"invalid time in '{TokenAt(tokenStart)}': expected a digit after '.'", end);
            }

            while (IsDigitAt(end))
            {
                end++;
            }
        }

        return end;
    }

    private int ReadField(int pos, int digits, string field)
    {
        var value = 0;
        for (var i = 0; i < digits; i++)
        {
            if (!IsDigitAt(pos + i))
            {
                throw Error($"invalid date-time: expected {digits} digits for the {field}, found {Describe(pos + i)}", pos + i);
            }

            value = (value * 10) + (_text[pos + i] - '0');
        }

        return value;
    }

    private void ExpectChar(int pos, char expected, string context)
    {
        if (pos >= _text.Length || _text[pos] != expected)
        {
            throw Error($"invalid date-time: expected '{expected}' {context}, found {Describe(pos)}", pos);
        }
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };
}
