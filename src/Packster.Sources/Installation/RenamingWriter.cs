using System.Text;

namespace Packster.Sources.Installation;

/// <summary>
/// Passes text on to <paramref name="inner"/> a line at a time, with every <paramref name="from"/> in it said as
/// <paramref name="to"/>: for messages about a temporary file the user never sees, which name the file the user knows
/// instead. Whole lines, so a name written in pieces is still found; <see cref="Flush"/> passes on what is left.
/// </summary>
internal sealed class RenamingWriter(TextWriter inner, string from, string to) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Write([value], 0, 1);

    public override void Write(string? value)
    {
        if (value is not null) Write(value.ToCharArray(), 0, value.Length);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        lock (_line)
        {
            for (var i = index; i < index + count; i++)
            {
                _line.Append(buffer[i]);
                if (buffer[i] == '\n') PassOn();
            }
        }
    }

    public override void Flush()
    {
        lock (_line) PassOn();
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        // The inner writer is not ours to close.
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    private void PassOn()
    {
        if (_line.Length == 0) return;
        inner.Write(_line.ToString().Replace(from, to, StringComparison.Ordinal));
        _line.Clear();
    }
}
