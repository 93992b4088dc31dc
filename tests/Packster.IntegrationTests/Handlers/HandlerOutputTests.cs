namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Running: "A line longer than 65,536 characters … is written as pieces of that length, each on a
/// line of its own, as the output arrives: a handler that prints without newlines … costs packster bounded memory, and
/// every character reaches the log."
/// </summary>
public sealed class HandlerOutputTests : IDisposable
{
    private const int Mebibyte = 1024 * 1024;
    private const int LineBytes = 32 * Mebibyte;
    private const int PieceLength = 65536;

    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void A_handler_printing_tens_of_megabytes_without_a_newline_is_logged_whole_in_bounded_memory()
    {
        // Packster is the handler's parent (setsid execs in place): its peak resident size before the long line
        // and after every byte of it but the last pipe's worth has been read.
        var package = _w.Pack(_w.Source("longline", """
            id = "longline"
            version = "1.0.0"

            [handlers]
            install = "scripts/install.sh"

            """, ("scripts/install.sh", $"""
            #!/bin/sh
            set -eu
            grep VmHWM /proc/$PPID/status > "$PACKSTER_LOCATION_PATH/../hwm-before"
            head -c {LineBytes} /dev/zero | tr '\0' a
            grep VmHWM /proc/$PPID/status > "$PACKSTER_LOCATION_PATH/../hwm-after"

            """)));

        var r = _w.Install(package);

        Assert.True(r.ExitCode == 0, r.ToString()[..Math.Min(2000, r.ToString().Length)]);
        var log = Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs"), "longline-*-install.log").Single();
        var lines = File.ReadLines(log).Where(l => !l.StartsWith("==> ", StringComparison.Ordinal) && !l.StartsWith("<== ", StringComparison.Ordinal)).ToList();
        Assert.Equal(LineBytes / PieceLength, lines.Count);
        Assert.All(lines, l => Assert.Equal(PieceLength, l.Length));
        Assert.Equal((long)LineBytes, lines.Sum(l => (long)l.Count(c => c == 'a')));
        // Held whole, the line alone is 64 MiB of UTF-16 text, and reading, masking and prefixing it made it several times that.
        var grown = Kibibytes(_w.Evidence("hwm-after")) - Kibibytes(_w.Evidence("hwm-before"));
        Assert.True(grown < 32 * 1024, $"packster's peak resident size grew by {grown} KiB while the handler printed {LineBytes / Mebibyte} MiB without a newline");
    }

    [Fact]
    public void A_secret_across_a_cut_in_a_long_line_is_masked_in_the_console_and_the_log()
    {
        const string secret = "hunter2-across-the-cut";
        var package = _w.Pack(_w.Source("longsecret", """
            id = "longsecret"
            version = "1.0.0"

            [parameters.token]
            type = "string"
            secret = true

            [handlers]
            install = "scripts/install.sh"

            """, ("scripts/install.sh", $"""
            #!/bin/sh
            set -eu
            head -c {PieceLength - 7} /dev/zero | tr '\0' .
            printf '%s' "$PACKSTER_PARAM_TOKEN"
            head -c {3 * PieceLength} /dev/zero | tr '\0' .
            echo

            """)));

        var r = _w.Install(package, "-p", "token=" + secret);

        Assert.True(r.ExitCode == 0, r.ToString()[..Math.Min(2000, r.ToString().Length)]);
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs"), "longsecret-*-install.log").Single());
        foreach (var text in new[] { log, r.Stdout + r.Stderr })
        {
            Assert.DoesNotContain("hunter", text, StringComparison.Ordinal);
            Assert.DoesNotContain("across-the", text, StringComparison.Ordinal);
            Assert.Contains("***", text, StringComparison.Ordinal);
        }
    }

    private static long Kibibytes(string statusLine) =>
        long.Parse(File.ReadAllText(statusLine).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
