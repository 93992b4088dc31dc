namespace Packster.Handlers;

/// <summary>
/// Reads a handler's output as text and line ends, a block at a time, never as whole lines: a line with no end holds no
/// more memory than a block. Line ends are those of <see cref="TextReader.ReadLine"/>: <c>\n</c>, <c>\r\n</c> and <c>\r</c>.
/// </summary>
internal static class OutputReader
{
    private const int BlockLength = 8192;

    /// <summary>Calls <paramref name="text"/> with the text of lines as it arrives and <paramref name="lineEnd"/> at each line end, until the reader ends.</summary>
    public static async Task ReadAsync(TextReader reader, Action<ReadOnlyMemory<char>> text, Action lineEnd)
    {
        var block = new char[BlockLength];
        var afterCarriageReturn = false;
        int read;
        while ((read = await reader.ReadAsync(block.AsMemory()).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                var c = block[i];
                if (c == '\n' && afterCarriageReturn && i == start)
                {
                    // The second half of a \r\n: that line has ended already.
                    start = i + 1;
                    afterCarriageReturn = false;
                    continue;
                }
                afterCarriageReturn = false;
                if (c is not ('\n' or '\r')) continue;
                if (i > start) text(block.AsMemory(start, i - start));
                lineEnd();
                start = i + 1;
                afterCarriageReturn = c == '\r';
            }
            if (read > start) text(block.AsMemory(start, read - start));
        }
    }
}
